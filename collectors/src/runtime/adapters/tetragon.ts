import { normaliseCapabilityName } from '../capabilities.js';
import type { ContainerHint, NetworkEvent, ProcessSnapshot, RuntimeEvent } from '../events.js';

/**
 * Maps one line of Tetragon's JSON export (export-stdout / --export-filename)
 * to a runtime event: `process_exec` → exec; `process_kprobe` from a
 * TracingPolicy → file, network or privilege by `function_name` and the
 * argument kinds (file_arg / path_arg / string_arg, sock_arg, cred args).
 * Other event types (process_exit, process_tracepoint, …) give undefined.
 */
export function tetragonToEvent(line: string): RuntimeEvent | undefined {
  let record: TetragonRecord;
  try {
    record = JSON.parse(line) as TetragonRecord;
  } catch {
    return undefined;
  }
  const observedAtMs = record.time ? Date.parse(record.time) || Date.now() : Date.now();
  if (record.process_exec?.process) {
    const { process, container } = processOf(record.process_exec.process, record.process_exec.parent, record.process_exec.ancestors);
    return { kind: 'exec', source: 'tetragon', observedAtMs, process, container };
  }
  const kprobe = record.process_kprobe;
  if (!kprobe?.process) return undefined;
  const { process, container } = processOf(kprobe.process, kprobe.parent, kprobe.ancestors);
  const base = { source: 'tetragon', observedAtMs, process, container };
  const fn = (kprobe.function_name ?? '').replace(/^__x64_sys_|^__arm64_sys_|^sys_|^__se_sys_/, '');
  const args = kprobe.args ?? [];
  const sock = args.find((a) => a.sock_arg)?.sock_arg;
  if (sock) {
    const direction: NetworkEvent['direction'] = /accept/.test(fn) ? 'inbound' : /listen/.test(fn) ? 'listen' : 'outbound';
    return {
      ...base,
      kind: 'network',
      direction,
      protocol: (sock.protocol ?? (sock.type === 'SOCK_DGRAM' ? 'udp' : 'tcp')).replace(/^IPPROTO_/, '').toLowerCase(),
      localAddress: sock.saddr ?? '',
      localPort: sock.sport ?? 0,
      remoteAddress: direction === 'listen' ? '' : (sock.daddr ?? ''),
      remotePort: direction === 'listen' ? 0 : (sock.dport ?? 0),
    };
  }
  const pathArg =
    args.find((a) => a.file_arg)?.file_arg?.path ??
    args.find((a) => a.path_arg)?.path_arg?.path ??
    args.find((a) => a.string_arg !== undefined)?.string_arg;
  if (/setuid|setreuid|setresuid|commit_creds/.test(fn)) {
    const ints = args.map((a) => a.int_arg ?? a.uint_arg).filter((v): v is number => v !== undefined);
    const cred = args.find((a) => a.process_credentials_arg)?.process_credentials_arg;
    const newUid = cred?.euid ?? (fn.includes('setres') || fn.includes('setre') ? (ints[1] !== -1 && ints[1] !== 4294967295 ? ints[1] : ints[0]) : ints[0]);
    return {
      ...base,
      kind: 'privilege',
      change: 'setuid',
      ...(process.euid !== undefined ? { oldUid: process.euid } : {}),
      ...(newUid !== undefined ? { newUid } : {}),
    };
  }
  if (/capset|cap_capable/.test(fn)) {
    const caps = args.find((a) => a.capability_arg)?.capability_arg;
    return { ...base, kind: 'privilege', change: 'capset', capabilitiesGained: caps?.name ? [normaliseCapabilityName(caps.name)] : [] };
  }
  if (/ptrace/.test(fn)) {
    return { ...base, kind: 'privilege', change: 'ptrace', target: `pid ${args[1]?.int_arg ?? args[1]?.long_arg ?? '?'}` };
  }
  if (/mount/.test(fn) && !/umount/.test(fn)) {
    return { ...base, kind: 'privilege', change: 'mount', target: pathArg ?? '' };
  }
  if (/unshare/.test(fn)) return { ...base, kind: 'privilege', change: 'unshare', target: String(args[0]?.int_arg ?? '') };
  if (/setns/.test(fn)) return { ...base, kind: 'privilege', change: 'setns', target: '' };
  if (/init_module|finit_module|do_init_module/.test(fn)) {
    return { ...base, kind: 'privilege', change: 'module_load', target: pathArg ?? args.find((a) => a.module_arg)?.module_arg?.name ?? '' };
  }
  if (pathArg !== undefined) {
    // security_file_permission's second argument is the MAY_ mask: 2 write, 4 read.
    const mask = args.find((a) => a.int_arg !== undefined)?.int_arg;
    const unlink = /unlink/.test(fn);
    const rename = /rename/.test(fn);
    const chmod = /chmod|setattr/.test(fn);
    const write = unlink || rename || chmod || (mask !== undefined && (mask & 2) !== 0) || /write|truncate/.test(fn);
    const read = !unlink && !rename && !chmod && (mask === undefined ? !write : (mask & 4) !== 0);
    return {
      ...base,
      kind: 'file',
      path: pathArg,
      operation: unlink ? 'unlink' : rename ? 'rename' : chmod ? 'chmod' : 'open',
      read,
      write,
    };
  }
  return undefined;
}

function processOf(
  p: TetragonProcess,
  parent: TetragonProcess | undefined,
  ancestors: TetragonProcess[] | undefined,
): { process: ProcessSnapshot; container: ContainerHint } {
  const process: ProcessSnapshot = { pid: p.pid ?? 0 };
  if (p.tid !== undefined) process.tid = p.tid;
  if (parent?.pid !== undefined) process.ppid = parent.pid;
  const creds = p.process_credentials;
  if (p.uid !== undefined) process.uid = p.uid;
  if (creds?.uid !== undefined) process.uid = creds.uid;
  if (creds?.gid !== undefined) process.gid = creds.gid;
  process.euid = creds?.euid ?? process.uid;
  if (p.binary) {
    process.exe = p.binary;
    process.comm = p.binary.split('/').pop()!.slice(0, 15);
  }
  process.args = [p.binary ?? '', ...splitArguments(p.arguments ?? '')].filter((a, i) => i > 0 || a !== '');
  if (p.cwd !== undefined) process.cwd = p.cwd;
  if (p.cap?.effective) process.capabilities = p.cap.effective.map(normaliseCapabilityName);
  const chain = [parent, ...(ancestors ?? [])].filter((a): a is TetragonProcess => !!a);
  if (chain.length) {
    process.ancestry = chain.map((a) => ({ pid: a.pid ?? 0, comm: (a.binary ?? '').split('/').pop()!.slice(0, 15), exe: a.binary ?? '' }));
  }
  const container: ContainerHint = {};
  const c = p.pod?.container;
  const id = (c?.id ?? '').replace(/^[a-z-]+:\/\//, '') || p.docker || '';
  if (!id && !p.pod) {
    container.host = true;
  } else {
    container.id = id;
    if (c?.name) container.name = c.name;
    if (c?.image?.name) container.image = c.image.name;
    if (c?.image?.id) container.image_id = c.image.id;
    if (p.pod?.name) container.pod = p.pod.name;
    if (p.pod?.namespace) container.namespace = p.pod.namespace;
  }
  return { process, container };
}

/** Tetragon joins argv with spaces and quotes arguments that contain spaces. */
export function splitArguments(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null) {
    out.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2]!);
  }
  return out;
}

interface TetragonProcess {
  exec_id?: string;
  pid?: number;
  tid?: number;
  uid?: number;
  cwd?: string;
  binary?: string;
  arguments?: string;
  docker?: string;
  cap?: { effective?: string[]; permitted?: string[] };
  process_credentials?: { uid?: number; gid?: number; euid?: number; egid?: number };
  pod?: {
    namespace?: string;
    name?: string;
    container?: { id?: string; name?: string; image?: { id?: string; name?: string } };
  };
}

interface TetragonArg {
  int_arg?: number;
  uint_arg?: number;
  long_arg?: number;
  string_arg?: string;
  file_arg?: { path?: string; permission?: string };
  path_arg?: { path?: string };
  sock_arg?: {
    family?: string;
    type?: string;
    protocol?: string;
    saddr?: string;
    daddr?: string;
    sport?: number;
    dport?: number;
  };
  capability_arg?: { name?: string; value?: number };
  process_credentials_arg?: { uid?: number; euid?: number };
  module_arg?: { name?: string };
}

interface TetragonRecord {
  time?: string;
  node_name?: string;
  process_exec?: { process?: TetragonProcess; parent?: TetragonProcess; ancestors?: TetragonProcess[] };
  process_kprobe?: {
    process?: TetragonProcess;
    parent?: TetragonProcess;
    ancestors?: TetragonProcess[];
    function_name?: string;
    args?: TetragonArg[];
    policy_name?: string;
  };
}
