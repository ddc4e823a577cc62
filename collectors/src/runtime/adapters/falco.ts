import type { ContainerHint, FileEvent, NetworkEvent, ProcessSnapshot, RuntimeEvent } from '../events.js';

/**
 * Maps one Falco alert (`falco -o json_output=true`, one JSON object a line)
 * to a runtime event. Falco puts in `output_fields` only the fields the rule's
 * output names, so every field is optional here; what is missing stays empty
 * and the collector's enrichment fills what it can from /proc.
 *
 * Fields used: evt.type, evt.time, evt.arg.*, evt.is_open_read/write,
 * proc.pid/ppid/name/exepath/exe/cmdline/args/cwd/tty/pname/aname[N],
 * user.uid, container.id/name/image.repository/image.tag/image.id,
 * k8s.pod.name, k8s.ns.name, fd.name, fd.typechar, fd.l4proto, fd.lip/lport,
 * fd.rip/rport, fd.sip/sport.
 */
export function falcoToEvent(line: string): RuntimeEvent | undefined {
  let alert: FalcoAlert;
  try {
    alert = JSON.parse(line) as FalcoAlert;
  } catch {
    return undefined;
  }
  const f = alert.output_fields;
  if (!f || typeof f !== 'object') return undefined;
  const str = (key: string): string | undefined => {
    const value = f[key];
    if (value === null || value === undefined || value === '<NA>') return undefined;
    return String(value);
  };
  const num = (key: string): number | undefined => {
    const value = str(key);
    if (value === undefined) return undefined;
    const match = /^-?\d+/.exec(value); // "0(root)" style renderings
    return match ? Number(match[0]) : undefined;
  };
  const process: ProcessSnapshot = { pid: num('proc.pid') ?? 0 };
  const set = <K extends keyof ProcessSnapshot>(key: K, value: ProcessSnapshot[K] | undefined): void => {
    if (value !== undefined) process[key] = value;
  };
  set('ppid', num('proc.ppid'));
  set('uid', num('user.uid'));
  set('euid', num('user.uid'));
  set('gid', num('group.gid'));
  set('comm', str('proc.name'));
  set('exe', str('proc.exepath') ?? str('proc.exe'));
  set('cwd', str('proc.cwd'));
  const tty = num('proc.tty');
  if (tty !== undefined) process.tty = tty !== 0;
  const cmdline = str('proc.cmdline');
  if (cmdline !== undefined) process.args = cmdline.split(' ').filter((part) => part !== '');
  const ancestry: NonNullable<ProcessSnapshot['ancestry']> = [];
  for (let level = 1; level <= 8; level++) {
    const name = level === 1 ? (str('proc.pname') ?? str('proc.aname[1]')) : str(`proc.aname[${level}]`);
    if (name === undefined) break;
    const pid = level === 1 ? num('proc.ppid') : num(`proc.apid[${level}]`);
    ancestry.push({ pid: pid ?? 0, comm: name, exe: level === 1 ? (str('proc.pexepath') ?? '') : '' });
  }
  if (ancestry.length > 0) process.ancestry = ancestry;

  const containerId = str('container.id');
  const container: ContainerHint = {};
  if (containerId === undefined || containerId === 'host' || containerId === '') {
    container.host = true;
  } else {
    container.id = containerId;
    const repo = str('container.image.repository');
    const tag = str('container.image.tag');
    const assign = (key: keyof ContainerHint, value: string | undefined): void => {
      if (value !== undefined) (container as Record<string, unknown>)[key] = value;
    };
    assign('name', str('container.name'));
    assign('image', repo ? (tag ? `${repo}:${tag}` : repo) : str('container.image'));
    assign('image_id', str('container.image.id'));
    assign('pod', str('k8s.pod.name'));
    assign('namespace', str('k8s.ns.name'));
  }
  const observedAtMs = timeOf(alert.time, num('evt.time'));
  const base = { source: 'falco', observedAtMs, process, container };
  const type = (str('evt.type') ?? '').replace(/^</, '').replace(/^>/, '');
  const fdName = str('fd.name');

  switch (type) {
    case 'execve':
    case 'execveat':
      return { ...base, kind: 'exec' };
    case 'open':
    case 'openat':
    case 'openat2':
    case 'creat': {
      if (!fdName) return undefined;
      const flags = str('evt.arg.flags') ?? '';
      const write = str('evt.is_open_write') === 'true' || /O_(WRONLY|RDWR|CREAT|TRUNC)/.test(flags) || type === 'creat';
      const read = str('evt.is_open_read') === 'true' || /O_(RDONLY|RDWR)/.test(flags) || (!write && flags === '');
      return { ...base, kind: 'file', path: fdName, operation: 'open', read, write };
    }
    case 'unlink':
    case 'unlinkat':
    case 'rename':
    case 'renameat':
    case 'renameat2':
    case 'chmod':
    case 'fchmodat': {
      const path = str('evt.arg.name') ?? str('evt.arg.path') ?? str('evt.arg.newpath') ?? str('evt.arg.filename') ?? fdName;
      if (!path) return undefined;
      const operation: FileEvent['operation'] = type.startsWith('unlink') ? 'unlink' : type.startsWith('rename') ? 'rename' : 'chmod';
      return { ...base, kind: 'file', path, operation, read: false, write: true };
    }
    case 'connect':
    case 'accept':
    case 'accept4':
    case 'listen':
      return network(base, type, str, num);
    case 'setuid':
    case 'setresuid':
    case 'setreuid': {
      const newUid = num('evt.arg.euid') ?? num('evt.arg.uid') ?? num('evt.arg.ruid');
      return { ...base, kind: 'privilege', change: 'setuid', ...(process.uid !== undefined ? { oldUid: process.uid } : {}), ...(newUid !== undefined ? { newUid } : {}) };
    }
    case 'capset':
      return { ...base, kind: 'privilege', change: 'capset', capabilitiesGained: capList(str('evt.arg.cap_effective')) };
    case 'ptrace':
      return { ...base, kind: 'privilege', change: 'ptrace', target: `pid ${str('evt.arg.pid') ?? '?'} (${str('evt.arg.request') ?? ''})` };
    case 'mount':
      return { ...base, kind: 'privilege', change: 'mount', target: `${str('evt.arg.dir') ?? ''} (${str('evt.arg.type') ?? 'none'} from ${str('evt.arg.dev') ?? 'none'})` };
    case 'unshare':
      return { ...base, kind: 'privilege', change: 'unshare', target: str('evt.arg.flags') ?? '' };
    case 'setns':
      return { ...base, kind: 'privilege', change: 'setns', target: str('evt.arg.nstype') ?? '' };
    case 'init_module':
    case 'finit_module':
      return { ...base, kind: 'privilege', change: 'module_load', target: str('evt.arg.uargs') ?? '' };
    case '':
      // No evt.type in the output: a file descriptor means a file alert, else a process alert.
      if (fdName && fdName.startsWith('/')) {
        return { ...base, kind: 'file', path: fdName, operation: 'open', read: true, write: false };
      }
      return { ...base, kind: 'exec' };
    default:
      return undefined;
  }
}

function network(
  base: { source: string; observedAtMs: number; process: ProcessSnapshot; container: ContainerHint },
  type: string,
  str: (key: string) => string | undefined,
  num: (key: string) => number | undefined,
): NetworkEvent | undefined {
  const direction: NetworkEvent['direction'] = type === 'connect' ? 'outbound' : type === 'listen' ? 'listen' : 'inbound';
  let local = { address: str('fd.lip') ?? '', port: num('fd.lport') ?? 0 };
  let remote = { address: str('fd.rip') ?? '', port: num('fd.rport') ?? 0 };
  const tuple = parseTuple(str('fd.name'));
  if (tuple && !remote.address) {
    // fd.name is "client->server": for connect the client is local, for accept the server is.
    [local, remote] = direction === 'outbound' ? [tuple.client, tuple.server] : [tuple.server, tuple.client];
  }
  if (!remote.address && direction !== 'listen') return undefined;
  return {
    ...base,
    kind: 'network',
    direction,
    protocol: str('fd.l4proto') ?? 'tcp',
    localAddress: local.address,
    localPort: local.port,
    remoteAddress: direction === 'listen' ? '' : remote.address,
    remotePort: direction === 'listen' ? 0 : remote.port,
  };
}

/** "10.0.0.1:40000->1.2.3.4:443" (IPv6 addresses keep their colons; the port is after the last one). */
export function parseTuple(name: string | undefined): { client: Endpoint; server: Endpoint } | undefined {
  if (!name || !name.includes('->')) return undefined;
  const [client, server] = name.split('->');
  const endpoint = (text: string | undefined): Endpoint | undefined => {
    if (!text) return undefined;
    const colon = text.lastIndexOf(':');
    if (colon < 0) return undefined;
    return { address: text.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(text.slice(colon + 1)) };
  };
  const c = endpoint(client);
  const s = endpoint(server);
  return c && s ? { client: c, server: s } : undefined;
}

interface Endpoint {
  address: string;
  port: number;
}

function capList(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split(/[\s|,]+/)
    .filter(Boolean)
    .map((cap) => cap.replace(/^CAP_/, ''));
}

function timeOf(iso: string | undefined, nanos: number | undefined): number {
  if (iso) {
    const ms = Date.parse(iso);
    if (Number.isFinite(ms)) return ms;
  }
  if (nanos !== undefined && nanos > 1e15) return Math.floor(nanos / 1e6);
  return Date.now();
}

interface FalcoAlert {
  time?: string;
  rule?: string;
  priority?: string;
  output?: string;
  output_fields?: Record<string, unknown>;
}
