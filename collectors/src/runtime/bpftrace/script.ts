import type { KernelFilter } from '../../../../proto/src/index.js';

/**
 * Generates the bpftrace program the eBPF source runs. Pure: the same options
 * give the same text, so the script is built once at start.
 *
 * Wire format (one record per line, fields separated by TAB):
 *
 *   S <tid> <key> <string>                 a string belonging to the next record of <tid>
 *   E|F|N|P <tid> <pid> <ppid> <uid> <gid> <euid> <cgroup-id> <kind fields…> <comm>
 *   H                                      heartbeat: every probe above it is attached
 *
 * An exec's E record carries its stdio (mode and rdev of fds 0–2) before comm;
 * argv (a, b), the file name (f) and a fd exec's kernel name (x) come as S lines.
 *
 * Strings go on their own lines because the BPF stack (512 bytes) holds only
 * one or two 200-byte strings per printf. All lines of one record are written
 * by one program run on one CPU, so they reach user space in order; records
 * of different threads may interleave and are keyed by tid. `comm` comes last
 * so a tab in it cannot shift the other fields.
 *
 * Filtering happens in the kernel: paths are compared as 64-bit words read from
 * the user pointer (no string copies on the BPF stack unless the path matters),
 * capset only reports gained capabilities, unshare only namespace flags, ptrace
 * only traceme/attach/seize/poke requests, socket only packet and raw sockets.
 */

export interface ScriptOptions {
  /**
   * What the policy's rules need beyond execs, connections and privilege changes
   * (prefix matches): from the bundle's manifest, never a list kept here.
   */
  filter: KernelFilter;
  /** Probes to include; tracepoints the kernel lacks are dropped by the caller. */
  probes: ReadonlySet<ProbeName>;
  /** Pids never reported (the collector itself). */
  excludePids: readonly number[];
  /** cgroup id of the unified root: when set, processes in it are not reported (host noise). */
  excludeCgroupId?: string;
  /** cgroup id of the unified root, for the per-cgroup syscall sets (never kept for it); no sets without it. */
  rootCgroupId?: string;
  /** Heartbeat period. */
  heartbeatMs: number;
}

export const PROBE_NAMES = [
  'exec',
  'open',
  'unlink',
  'rename',
  'chmod',
  'connect',
  'accept',
  'listen',
  'setuid',
  'capset',
  'ptrace',
  'mount',
  'unshare',
  'setns',
  'module',
  'link',
  'truncate',
  'memfd',
  'socket',
  'syscalls',
] as const;

export type ProbeName = (typeof PROBE_NAMES)[number];

/** Tracepoints each probe needs; a probe is used only when all exist. */
export const PROBE_TRACEPOINTS: Record<ProbeName, readonly string[]> = {
  exec: ['sched:sched_process_exec', 'syscalls:sys_enter_execve', 'syscalls:sys_exit_execve'],
  open: ['syscalls:sys_enter_openat'],
  unlink: ['syscalls:sys_enter_unlinkat'],
  rename: ['syscalls:sys_enter_renameat2'],
  chmod: ['syscalls:sys_enter_fchmodat'],
  connect: ['syscalls:sys_enter_connect'],
  accept: ['syscalls:sys_exit_accept4'],
  listen: ['syscalls:sys_enter_listen'],
  setuid: ['syscalls:sys_enter_setuid', 'syscalls:sys_enter_setreuid', 'syscalls:sys_enter_setresuid'],
  capset: ['syscalls:sys_enter_capset'],
  ptrace: ['syscalls:sys_enter_ptrace'],
  mount: ['syscalls:sys_enter_mount'],
  unshare: ['syscalls:sys_enter_unshare'],
  setns: ['syscalls:sys_enter_setns'],
  module: ['syscalls:sys_enter_finit_module'],
  link: ['syscalls:sys_enter_symlinkat', 'syscalls:sys_enter_linkat'],
  truncate: ['syscalls:sys_enter_truncate'],
  memfd: ['syscalls:sys_enter_memfd_create'],
  socket: ['syscalls:sys_enter_socket'],
  syscalls: ['raw_syscalls:sys_enter'],
};

/** Optional companions: attached when present, not required. */
export const OPTIONAL_TRACEPOINTS: Record<string, string> = {
  'syscalls:sys_enter_execveat': 'exec',
  'syscalls:sys_exit_execveat': 'exec',
  'syscalls:sys_enter_open': 'open',
  'syscalls:sys_enter_openat2': 'open',
  'syscalls:sys_enter_unlink': 'unlink',
  'syscalls:sys_enter_rename': 'rename',
  'syscalls:sys_enter_renameat': 'rename',
  'syscalls:sys_enter_chmod': 'chmod',
  'syscalls:sys_exit_accept': 'accept',
  'syscalls:sys_enter_init_module': 'module',
  'syscalls:sys_enter_symlink': 'link',
  'syscalls:sys_enter_link': 'link',
};

/** Longest prefix the in-kernel filter compares (3 words of 8 bytes). */
export const MAX_PREFIX_BYTES = 24;

/** Open flags that mean "may modify": O_WRONLY | O_RDWR | O_CREAT | O_TRUNC. */
export const WRITE_FLAGS = 0x1 | 0x2 | 0x40 | 0x200;

/** A path with a `..` component among its first bytes: reported whatever its prefix, since it may resolve anywhere. */
const TRAVERSAL_NEEDLE = '/../';

/** comm of container runtime processes whose syscalls are set-up, not workload: prefixes end in "[", the rest are exact. */
const RUNTIME_SETUP_COMMS = ['runc:[', 'runc', 'crun'];

/** AF_PACKET, and SOCK_RAW (low 4 bits of the type) for any family: sockets that see or forge raw traffic. */
const AF_PACKET = 17;
const SOCK_RAW = 3;

/** Namespace flags of unshare(2) worth reporting. */
const NAMESPACE_FLAGS = 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x00020000;

/** A boolean BPF expression: the bytes at w0,w1,w2 start with `prefix`. */
export function prefixCondition(prefix: string, words = ['$w0', '$w1', '$w2']): string {
  const bytes = Buffer.from(prefix, 'utf8').subarray(0, MAX_PREFIX_BYTES);
  const parts: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += 8) {
    const chunk = bytes.subarray(offset, offset + 8);
    const padded = Buffer.alloc(8);
    chunk.copy(padded);
    const value = padded.readBigUInt64LE(0);
    const word = words[offset / 8]!;
    if (chunk.length === 8) {
      parts.push(`${word} == 0x${value.toString(16)}`);
    } else {
      const mask = (1n << BigInt(chunk.length * 8)) - 1n;
      parts.push(`(${word} & 0x${mask.toString(16)}) == 0x${value.toString(16)}`);
    }
  }
  return parts.length === 0 ? '0' : `(${parts.join(' && ')})`;
}

/**
 * A boolean BPF expression: `needle` occurs anywhere within the first 24 bytes
 * held in w0,w1,w2, or the path starts with the needle minus its first byte
 * (a relative `../`). Each offset is a masked compare of one word or of two
 * words spliced with shifts: no loop, no string copy.
 */
export function containsCondition(needle: string, words = ['$w0', '$w1', '$w2']): string {
  const bytes = Buffer.from(needle, 'utf8');
  const n = bytes.length;
  if (n === 0 || n > 8) throw new Error(`containsCondition: needle of 1 to 8 bytes (actual: ${n})`);
  const padded = Buffer.alloc(8);
  bytes.copy(padded);
  const value = padded.readBigUInt64LE(0);
  const mask = n === 8 ? 0xffffffffffffffffn : (1n << BigInt(n * 8)) - 1n;
  const hex = (v: bigint): string => `0x${v.toString(16)}`;
  const parts: string[] = [];
  const total = words.length * 8;
  for (let offset = 0; offset + n <= total; offset++) {
    const index = Math.floor(offset / 8);
    const shift = (offset % 8) * 8;
    const low = shift === 0 ? words[index]! : `(${words[index]!} >> ${shift})`;
    // Bytes past this word come from the next one, shifted in from the top.
    const spans = shift / 8 + n > 8;
    const window = spans ? `(${low} | (${words[index + 1]!} << ${64 - shift}))` : low;
    parts.push(`(${window} & ${hex(mask)}) == ${hex(value)}`);
  }
  parts.push(prefixCondition(needle.slice(1), words));
  return `(${parts.join(' || ')})`;
}

function anyPrefix(prefixes: readonly string[]): string {
  return prefixes.length === 0 ? '0' : prefixes.map((p) => prefixCondition(p)).join(' || ');
}

function readWords(pointer: string): string {
  return `$w0 = *(uint64 *)(${pointer}); $w1 = *(uint64 *)(${pointer} + 8); $w2 = *(uint64 *)(${pointer} + 16);`;
}

const HEAD_FORMAT = '%d\\t%d\\t%d\\t%d\\t%d\\t%d\\t%llu';
const HEAD_ARGS = 'tid, pid, curtask->real_parent->tgid, uid, gid, curtask->cred->euid.val, cgroup';

function head(tag: string): string {
  return `${tag}\\t${HEAD_FORMAT}`;
}

/**
 * bpftrace runs with full output buffering (-B full): a write per line cost it and
 * the collector more than formatting. Each record arms a countdown that the flush
 * probe (see buildScript) turns into up to FLUSH_TICKS flushes, the later ones for
 * records that reached user space from another CPU's ring after the first.
 */
const FLUSH_TICKS = 3;
const FLUSH_MS = 5;

/** How often the per-cgroup syscall sets are read. */
export const SYSCALL_SET_MS = 2000;

/** A record's printf, which also arms the flush. `format` and `args` follow the head's. */
function record(tag: string, format: string, args: string): string {
  return `printf("${head(tag)}${format}\\n", ${HEAD_ARGS}${args}); @P = ${FLUSH_TICKS};`;
}

/** What the probes of one script share: its predicates, the tracepoints the kernel has, and the lines written. */
class ScriptWriter {
  readonly lines: string[] = [];
  /** Not the collector itself, nor (when set) the host's root cgroup. */
  readonly base: string;
  /** Not the container runtime setting a container up. */
  readonly runtimeSetup: string;
  readonly syscallFilter: string;
  readonly execFilter: string;
  /** Path conditions over the words readWords() loaded. */
  readonly sensitive: string;
  readonly watched: string;
  readonly modifying: string;
  readonly linkTargets: string;

  constructor(
    readonly options: ScriptOptions,
    private readonly available: ReadonlySet<string>,
  ) {
    const filters = [...options.excludePids.map((p) => `pid != ${p}`)];
    if (options.excludeCgroupId !== undefined) filters.push(`cgroup != ${options.excludeCgroupId}`);
    this.base = filters.length ? filters.join(' && ') : '1';
    // The container runtime setting a container up (runc:[0:PARENT]…, and "runc init", which newer
    // runc runs under its own name inside the container's cgroup) is not the workload. Exact names:
    // strncmp over the length plus the NUL.
    this.runtimeSetup = RUNTIME_SETUP_COMMS.map((c) => `strncmp(comm, "${c}", ${c.endsWith('[') ? c.length : c.length + 1}) != 0`).join(' && ');
    this.syscallFilter = `/${this.base} && ${this.runtimeSetup}/`;
    this.execFilter = `/${this.base}/`;
    const { filter } = options;
    this.sensitive = `${anyPrefix(filter.read_paths)} || ${containsCondition(TRAVERSAL_NEEDLE)}`;
    this.watched = anyPrefix(filter.write_paths);
    this.linkTargets = anyPrefix(filter.link_targets);
    this.modifying = `${this.sensitive} || ${this.watched}`;
  }

  /** Whether the kernel has this "category:name" tracepoint. */
  has(tracepoint: string): boolean {
    return this.available.has(tracepoint);
  }

  push(...lines: string[]): void {
    this.lines.push(...lines);
  }

  /** A file record (path in S key p) when `prefixes` holds for the path's first 24 bytes. */
  fileRecord(op: string, pathExpr: string, flagsExpr: string, prefixes: string): void {
    this.push(
      `  ${readWords(pathExpr)}`,
      `  if (${prefixes}) {`,
      `    printf("S\\t%d\\tp\\t%s\\n", tid, str(${pathExpr}));`,
      `    ${record('F', `\\t${op}\\t%d\\t%s`, `, ${flagsExpr}, comm`)}`,
      '  }',
    );
  }

  /** One probe over several tracepoints whose body is one file record. */
  fileProbe(tracepoints: string[], op: string, pathExpr: string, flagsExpr: string, prefixes: string, prelude: string[] = []): void {
    this.push(`${tracepoints.join(',')} ${this.syscallFilter} {`, ...prelude);
    this.fileRecord(op, pathExpr, flagsExpr, prefixes);
    this.push('}');
  }

  /** `tracepoint:syscalls:NAME` for each name the kernel has (the first is required). */
  syscalls(required: string, ...optional: string[]): string[] {
    return [required, ...optional.filter((name) => this.has(`syscalls:${name}`))].map((name) => `tracepoint:syscalls:${name}`);
  }
}

const writeExec = (w: ScriptWriter): void => {
  const { execFilter } = w;
  w.push(`${w.syscalls('sys_enter_execve', 'sys_enter_execveat').join(',')} ${execFilter} { @xeuid[tid] = curtask->cred->euid.val + 1; }`);
  w.push(`${w.syscalls('sys_exit_execve', 'sys_exit_execveat').join(',')} { delete(@xeuid[tid]); }`);
  // An exec through a file descriptor (fexecve: "/dev/fd/N"): the kernel's own name of the file,
  // "memfd:…" for fileless execution, and only then. A program of its own (the BPF stack of the
  // main one is full), attached first, so its line precedes the record of the same exec.
  w.push(
    `tracepoint:sched:sched_process_exec ${execFilter} {`,
    '  $fn = str(args->filename);',
    '  if (strncmp($fn, "/dev/fd/", 8) == 0 || strncmp($fn, "/proc/self/fd/", 14) == 0) {',
    '    printf("S\\t%d\\tx\\t%s\\n", tid, str(curtask->mm->exe_file->f_path.dentry->d_name.name));',
    '  }',
    '}',
  );
  // The main program: argv, the file name and the exec record, which carries the stdio (mode
  // and rdev of fds 0–2). Each perf record costs the exec about 5 µs in the kernel (12 µs when
  // it wakes the reader) and bpftrace about 10 µs to format, so records are kept few.
  w.push(
    `tracepoint:sched:sched_process_exec ${execFilter} {`,
    '  $t = curtask;',
    '  $s = $t->mm->arg_start;',
    '  $len = $t->mm->arg_end - $s;',
    '  $n = $len; if ($n > 200) { $n = 200; }',
    '  printf("S\\t%d\\ta\\t%r\\n", tid, buf(uptr($s), $n));',
    '  if ($len > 200) { $m = $len - 200; if ($m > 200) { $m = 200; }',
    '    printf("S\\t%d\\tb\\t%r\\n", tid, buf(uptr($s + 200), $m)); }',
    '  printf("S\\t%d\\tf\\t%s\\n", tid, str(args->filename));',
    '  $pe = @xeuid[args->old_pid]; delete(@xeuid[args->old_pid]);',
    '  $fd = $t->files->fdt->fd;',
    '  $i0 = (*($fd + 0))->f_inode; $i1 = (*($fd + 1))->f_inode; $i2 = (*($fd + 2))->f_inode;',
    `  ${record('E', `\\t%d\\t%llx\\t%d\\t%d\\t%u\\t%d\\t%d\\t%d\\t%d\\t%d\\t%d\\t%s`, `, $pe, $t->cred->cap_effective.val, $t->signal->tty != 0, $len, $t->loginuid.val, $i0->i_mode, $i0->i_rdev, $i1->i_mode, $i1->i_rdev, $i2->i_mode, $i2->i_rdev, comm`)}`,
    '}',
  );
};

const writeOpen = (w: ScriptWriter): void => {
  const opens = `${w.sensitive} || (($fl & ${WRITE_FLAGS}) != 0 && (${w.watched}))`;
  w.fileProbe(w.syscalls('sys_enter_openat', 'sys_enter_open'), 'open', 'args->filename', '$fl', opens, ['  $fl = args->flags;']);
  if (w.has('syscalls:sys_enter_openat2')) {
    w.fileProbe(['tracepoint:syscalls:sys_enter_openat2'], 'open', 'args->filename', '$fl', opens, ['  $fl = args->how->flags;']);
  }
};

/** A modifying file call: its probe, and the older call's own probe when the kernel has it. */
const modifyingCall =
  (op: string, pathExpr: string, flagsExpr: string, names: [string, ...string[]], older?: string) =>
  (w: ScriptWriter): void => {
    w.fileProbe(w.syscalls(...names), op, pathExpr, flagsExpr, w.modifying);
    if (older !== undefined && w.has(`syscalls:${older}`)) w.fileProbe([`tracepoint:syscalls:${older}`], op, pathExpr, flagsExpr, w.modifying);
  };

const sockOf = (fdExpr: string): string =>
  `$file = *(curtask->files->fdt->fd + ${fdExpr}); $sock = (struct socket *)$file->private_data; $sk = $sock->sk;`;
const netLine = (dir: string, fam: string, laddr: string, lport: string, raddr: string, rport: string): string =>
  `${record('N', `\\t${dir}\\t${fam}\\t%d\\t%d\\t%s\\t%d\\t%s\\t%d\\t%s`, `, $sock->type, $sk->sk_protocol, ${laddr}, ${lport}, ${raddr}, ${rport}, comm`)}`;
/** A socket being created: no addresses yet, only family, type and protocol. */
const netLineRaw = (dir: string, fam: string, type: string, proto: string): string =>
  `${record('N', `\\t${dir}\\t%d\\t%d\\t%d\\t-\\t0\\t-\\t0\\t%s`, `, ${fam}, ${type}, ${proto}, comm`)}`;
const V4_LOCAL = 'ntop(2, $sk->__sk_common.skc_rcv_saddr)';
const V6_LOCAL = 'ntop(10, $sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8)';
const V4_REMOTE = 'ntop(2, $sk->__sk_common.skc_daddr)';
const V6_REMOTE = 'ntop(10, $sk->__sk_common.skc_v6_daddr.in6_u.u6_addr8)';
const LOCAL_PORT = '$sk->__sk_common.skc_num';

const writeConnect = (w: ScriptWriter): void => {
  w.push(
    `tracepoint:syscalls:sys_enter_connect ${w.syscallFilter} {`,
    '  $sa = (struct sockaddr *)args->uservaddr;',
    '  $fam = $sa->sa_family;',
    `  ${sockOf('args->fd')}`,
    '  if ($fam == 2) {',
    '    $in = (struct sockaddr_in *)args->uservaddr;',
    `    ${netLine('o', '2', V4_LOCAL, LOCAL_PORT, 'ntop(2, $in->sin_addr.s_addr)', '$in->sin_port')}`,
    '  } else if ($fam == 10) {',
    '    $in6 = (struct sockaddr_in6 *)args->uservaddr;',
    `    ${netLine('o', '10', V6_LOCAL, LOCAL_PORT, 'ntop(10, $in6->sin6_addr.in6_u.u6_addr8)', '$in6->sin6_port')}`,
  );
  const socketPaths = w.options.filter.socket_paths;
  if (socketPaths.length > 0) {
    w.push('  } else if ($fam == 1) {', '    $up = (uint8 *)args->uservaddr + 2;');
    w.fileRecord('connect', '$up', '2', anyPrefix(socketPaths));
  }
  w.push('  }', '}');
};

const writeAccept = (w: ScriptWriter): void => {
  w.push(
    `${w.syscalls('sys_exit_accept4', 'sys_exit_accept').join(',')} ${w.syscallFilter} {`,
    '  if (args->ret >= 0) {',
    `    ${sockOf('args->ret')}`,
    '    $fam = $sk->__sk_common.skc_family;',
    `    if ($fam == 2) { ${netLine('i', '2', V4_LOCAL, LOCAL_PORT, V4_REMOTE, '$sk->__sk_common.skc_dport')} }`,
    `    else if ($fam == 10) { ${netLine('i', '10', V6_LOCAL, LOCAL_PORT, V6_REMOTE, '$sk->__sk_common.skc_dport')} }`,
    '  }',
    '}',
  );
};

const writeListen = (w: ScriptWriter): void => {
  w.push(
    `tracepoint:syscalls:sys_enter_listen ${w.syscallFilter} {`,
    `  ${sockOf('args->fd')}`,
    '  $fam = $sk->__sk_common.skc_family;',
    `  if ($fam == 2) { ${netLine('l', '2', V4_LOCAL, LOCAL_PORT, '"0.0.0.0"', '0')} }`,
    `  else if ($fam == 10) { ${netLine('l', '10', V6_LOCAL, LOCAL_PORT, '"::"', '0')} }`,
    '}',
  );
};

const priv = (change: string, a1: string, a2: string, a3: string): string =>
  `${record('P', `\\t${change}\\t%lld\\t%lld\\t%lld\\t%s`, `, ${a1}, ${a2}, ${a3}, comm`)}`;

/** A one-line privilege probe: `tracepoint:syscalls:NAME FILTER { BODY }`. */
const privilegeProbe = (w: ScriptWriter, name: string, body: string): void => {
  w.push(`tracepoint:syscalls:${name} ${w.syscallFilter} { ${body} }`);
};

const writeSetuid = (w: ScriptWriter): void => {
  privilegeProbe(w, 'sys_enter_setuid', priv('setuid', 'args->uid', '-1', '-1'));
  privilegeProbe(w, 'sys_enter_setreuid', priv('setreuid', 'args->ruid', 'args->euid', '-1'));
  privilegeProbe(w, 'sys_enter_setresuid', priv('setresuid', 'args->ruid', 'args->euid', 'args->suid'));
};

const writeCapset = (w: ScriptWriter): void => {
  w.push(
    `tracepoint:syscalls:sys_enter_capset ${w.syscallFilter} {`,
    '  $d = (struct __user_cap_data_struct *)args->data;',
    '  $new = (uint64)$d->effective | ((uint64)($d + 1)->effective << 32);',
    '  $old = curtask->cred->cap_effective.val;',
    `  if (($new & ~$old) != 0) { ${priv('capset', '$new', '$old', '0')} }`,
    '}',
  );
};

const writeMount = (w: ScriptWriter): void => {
  w.push(
    `tracepoint:syscalls:sys_enter_mount ${w.syscallFilter} {`,
    '  printf("S\\t%d\\td\\t%s\\n", tid, str(args->dir_name));',
    '  printf("S\\t%d\\tt\\t%s\\n", tid, str(args->type));',
    '  printf("S\\t%d\\ts\\t%s\\n", tid, str(args->dev_name));',
    `  ${priv('mount', 'args->flags', '0', '0')}`,
    '}',
  );
};

const writeModule = (w: ScriptWriter): void => {
  privilegeProbe(w, 'sys_enter_finit_module', priv('module_load', 'args->fd', '0', '0'));
  if (w.has('syscalls:sys_enter_init_module')) privilegeProbe(w, 'sys_enter_init_module', priv('module_load', '-1', '0', '0'));
};

const writeLink = (w: ScriptWriter): void => {
  // The link's target in S key t, the new name as the path: reported when either matters.
  const linkProbe = (tp: string, op: string): void => {
    const [target, name] = ['args->oldname', 'args->newname'];
    w.push(
      `tracepoint:syscalls:${tp} ${w.syscallFilter} {`,
      `  ${readWords(target)}`,
      `  $tm = ${w.linkTargets};`,
      `  ${readWords(name)}`,
      `  if ($tm || ${w.modifying}) {`,
      `    printf("S\\t%d\\tt\\t%s\\n", tid, str(${target}));`,
      `    printf("S\\t%d\\tp\\t%s\\n", tid, str(${name}));`,
      `    ${record('F', `\\t${op}\\t0\\t%s`, `, comm`)}`,
      '  }',
      '}',
    );
  };
  linkProbe('sys_enter_symlinkat', 'symlink');
  linkProbe('sys_enter_linkat', 'link');
  if (w.has('syscalls:sys_enter_symlink')) linkProbe('sys_enter_symlink', 'symlink');
  if (w.has('syscalls:sys_enter_link')) linkProbe('sys_enter_link', 'link');
};

const writeMemfd = (w: ScriptWriter): void => {
  // Rare in normal workloads, the first step of fileless execution: always reported.
  w.push(
    `tracepoint:syscalls:sys_enter_memfd_create ${w.syscallFilter} {`,
    '  printf("S\\t%d\\tp\\t%s\\n", tid, str(args->uname));',
    `  ${record('F', `\\tmemfd_create\\t%d\\t%s`, `, args->flags, comm`)}`,
    '}',
  );
};

const writeSyscallSets = (w: ScriptWriter): void => {
  const root = w.options.rootCgroupId ?? w.options.excludeCgroupId;
  if (root === undefined) return;
  // Which system calls each container's cgroup makes, for learned profiles: one map lookup per
  // call, an update only the first time a cgroup makes a call in an interval. The runtime's
  // own start-up (runc init) is left out. Read and cleared every SYSCALL_SET_MS; the parser
  // reports each (cgroup, call) pair once per SYSCALL_REPORT_TTL_MS.
  // Also left out: "exe", runc re-executing itself through /proc/self/exe during `docker exec`
  // (its mount calls would otherwise enter the workload's profile and its seccomp profile).
  // A workload binary named "exe" adds no calls to its profile; exec drift still reports it.
  w.push(
    `tracepoint:raw_syscalls:sys_enter /${w.base} && cgroup != ${root}/ {`,
    `  if (@sc[cgroup, args->id] == 0) { if (${w.runtimeSetup} && strncmp(comm, "exe", 4) != 0) { @sc[cgroup, args->id] = 1; } }`,
    '}',
    `interval:ms:${SYSCALL_SET_MS} { print(@sc); clear(@sc); }`,
  );
};

/** Each probe's part of the program, written in PROBE_NAMES order. */
const PROBE_WRITERS: Record<ProbeName, (w: ScriptWriter) => void> = {
  exec: writeExec,
  open: writeOpen,
  unlink: modifyingCall('unlink', 'args->pathname', '0', ['sys_enter_unlinkat'], 'sys_enter_unlink'),
  rename: modifyingCall('rename', 'args->newname', '0', ['sys_enter_renameat2', 'sys_enter_renameat'], 'sys_enter_rename'),
  chmod: modifyingCall('chmod', 'args->filename', 'args->mode', ['sys_enter_fchmodat', 'sys_enter_chmod']),
  connect: writeConnect,
  accept: writeAccept,
  listen: writeListen,
  setuid: writeSetuid,
  capset: writeCapset,
  ptrace: (w) =>
    privilegeProbe(
      w,
      'sys_enter_ptrace',
      `if (args->request == 0 || args->request == 16 || args->request == 0x4206 || args->request == 4 || args->request == 5 || args->request == 6) { ${priv('ptrace', 'args->request', 'args->pid', '0')} }`,
    ),
  mount: writeMount,
  unshare: (w) =>
    privilegeProbe(w, 'sys_enter_unshare', `if ((args->unshare_flags & ${NAMESPACE_FLAGS}) != 0) { ${priv('unshare', 'args->unshare_flags', '0', '0')} }`),
  setns: (w) => privilegeProbe(w, 'sys_enter_setns', priv('setns', 'args->flags', 'args->fd', '0')),
  module: writeModule,
  link: writeLink,
  truncate: modifyingCall('truncate', 'args->path', '0', ['sys_enter_truncate']),
  memfd: writeMemfd,
  socket: (w) =>
    privilegeProbe(
      w,
      'sys_enter_socket',
      `if (args->family == ${AF_PACKET} || (args->type & 0xf) == ${SOCK_RAW}) { ${netLineRaw('s', 'args->family', 'args->type', 'args->protocol')} }`,
    ),
  syscalls: writeSyscallSets,
};

/** Builds the complete bpftrace program. `available` lists "category:name" tracepoints that exist. */
export function buildScript(options: ScriptOptions, available: ReadonlySet<string>): string {
  const w = new ScriptWriter(options, available);
  w.push('BEGIN { @F = 0; @P = 0; }');
  for (const name of PROBE_NAMES) if (options.probes.has(name)) PROBE_WRITERS[name](w);
  // print() of a map flushes bpftrace's output ("@F: 0", ignored by the parser): every
  // FLUSH_MS while records are pending, so a record waits at most that long at low rates.
  w.push(`interval:ms:${FLUSH_MS} { if (@P > 0) { @P = @P - 1; print(@F); } }`);
  // Last: its first firing proves every probe above is attached.
  w.push(`interval:ms:${options.heartbeatMs} { printf("H\\n"); print(@F); }`);
  return `${w.lines.join('\n')}\n`;
}
