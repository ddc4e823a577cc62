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

/** Builds the complete bpftrace program. `available` lists "category:name" tracepoints that exist. */
export function buildScript(options: ScriptOptions, available: ReadonlySet<string>): string {
  const has = (tp: string): boolean => available.has(tp);
  const filters = [...options.excludePids.map((p) => `pid != ${p}`)];
  if (options.excludeCgroupId !== undefined) filters.push(`cgroup != ${options.excludeCgroupId}`);
  const base = filters.length ? filters.join(' && ') : '1';
  // The container runtime setting a container up (runc:[0:PARENT]…, and "runc init", which newer
  // runc runs under its own name inside the container's cgroup) is not the workload. Exact names:
  // strncmp over the length plus the NUL.
  const runtimeSetup = RUNTIME_SETUP_COMMS.map((c) => `strncmp(comm, "${c}", ${c.endsWith('[') ? c.length : c.length + 1}) != 0`).join(' && ');
  const syscallFilter = `/${base} && ${runtimeSetup}/`;
  const execFilter = `/${base}/`;
  const probes = options.probes;
  const out: string[] = [];
  const emitFile = (op: string, pathExpr: string, flagsExpr: string, prefixes: string): void => {
    out.push(`  ${readWords(pathExpr)}`);
    out.push(`  if (${prefixes}) {`);
    out.push(`    printf("S\\t%d\\tp\\t%s\\n", tid, str(${pathExpr}));`);
    out.push(`    ${record('F', `\\t${op}\\t%d\\t%s`, `, ${flagsExpr}, comm`)}`);
    out.push('  }');
  };

  if (probes.has('exec')) {
    const enter = ['tracepoint:syscalls:sys_enter_execve'];
    const exit = ['tracepoint:syscalls:sys_exit_execve'];
    if (has('syscalls:sys_enter_execveat')) enter.push('tracepoint:syscalls:sys_enter_execveat');
    if (has('syscalls:sys_exit_execveat')) exit.push('tracepoint:syscalls:sys_exit_execveat');
    out.push(`${enter.join(',')} ${execFilter} { @xeuid[tid] = curtask->cred->euid.val + 1; }`);
    out.push(`${exit.join(',')} { delete(@xeuid[tid]); }`);
    // An exec through a file descriptor (fexecve: "/dev/fd/N"): the kernel's own name of the file,
    // "memfd:…" for fileless execution, and only then. A program of its own (the BPF stack of the
    // main one is full), attached first, so its line precedes the record of the same exec.
    out.push(`tracepoint:sched:sched_process_exec ${execFilter} {`);
    out.push('  $fn = str(args->filename);');
    out.push('  if (strncmp($fn, "/dev/fd/", 8) == 0 || strncmp($fn, "/proc/self/fd/", 14) == 0) {');
    out.push('    printf("S\\t%d\\tx\\t%s\\n", tid, str(curtask->mm->exe_file->f_path.dentry->d_name.name));');
    out.push('  }');
    out.push('}');
    // The main program: argv, the file name and the exec record, which carries the stdio (mode
    // and rdev of fds 0–2). Each perf record costs the exec about 5 µs in the kernel (12 µs when
    // it wakes the reader) and bpftrace about 10 µs to format, so records are kept few.
    out.push(`tracepoint:sched:sched_process_exec ${execFilter} {`);
    out.push('  $t = curtask;');
    out.push('  $s = $t->mm->arg_start;');
    out.push('  $len = $t->mm->arg_end - $s;');
    out.push('  $n = $len; if ($n > 200) { $n = 200; }');
    out.push('  printf("S\\t%d\\ta\\t%r\\n", tid, buf(uptr($s), $n));');
    out.push('  if ($len > 200) { $m = $len - 200; if ($m > 200) { $m = 200; }');
    out.push('    printf("S\\t%d\\tb\\t%r\\n", tid, buf(uptr($s + 200), $m)); }');
    out.push('  printf("S\\t%d\\tf\\t%s\\n", tid, str(args->filename));');
    out.push('  $pe = @xeuid[args->old_pid]; delete(@xeuid[args->old_pid]);');
    out.push('  $fd = $t->files->fdt->fd;');
    out.push('  $i0 = (*($fd + 0))->f_inode; $i1 = (*($fd + 1))->f_inode; $i2 = (*($fd + 2))->f_inode;');
    out.push(
      `  ${record('E', `\\t%d\\t%llx\\t%d\\t%d\\t%u\\t%d\\t%d\\t%d\\t%d\\t%d\\t%d\\t%s`, `, $pe, $t->cred->cap_effective.val, $t->signal->tty != 0, $len, $t->loginuid.val, $i0->i_mode, $i0->i_rdev, $i1->i_mode, $i1->i_rdev, $i2->i_mode, $i2->i_rdev, comm`)}`,
    );
    out.push('}');
  }

  const { filter } = options;
  const sensitive = `${anyPrefix(filter.read_paths)} || ${containsCondition(TRAVERSAL_NEEDLE)}`;
  const watched = anyPrefix(filter.write_paths);
  const linkTargets = anyPrefix(filter.link_targets);
  if (probes.has('open')) {
    const names = ['tracepoint:syscalls:sys_enter_openat'];
    if (has('syscalls:sys_enter_open')) names.push('tracepoint:syscalls:sys_enter_open');
    out.push(`${names.join(',')} ${syscallFilter} {`);
    out.push('  $fl = args->flags;');
    emitFile('open', 'args->filename', '$fl', `${sensitive} || (($fl & ${WRITE_FLAGS}) != 0 && (${watched}))`);
    out.push('}');
    if (has('syscalls:sys_enter_openat2')) {
      out.push(`tracepoint:syscalls:sys_enter_openat2 ${syscallFilter} {`);
      out.push('  $fl = args->how->flags;');
      emitFile('open', 'args->filename', '$fl', `${sensitive} || (($fl & ${WRITE_FLAGS}) != 0 && (${watched}))`);
      out.push('}');
    }
  }
  const modifying = `${sensitive} || ${watched}`;
  if (probes.has('unlink')) {
    const names = ['tracepoint:syscalls:sys_enter_unlinkat'];
    out.push(`${names.join(',')} ${syscallFilter} {`);
    emitFile('unlink', 'args->pathname', '0', modifying);
    out.push('}');
    if (has('syscalls:sys_enter_unlink')) {
      out.push(`tracepoint:syscalls:sys_enter_unlink ${syscallFilter} {`);
      emitFile('unlink', 'args->pathname', '0', modifying);
      out.push('}');
    }
  }
  if (probes.has('rename')) {
    const names = ['tracepoint:syscalls:sys_enter_renameat2'];
    if (has('syscalls:sys_enter_renameat')) names.push('tracepoint:syscalls:sys_enter_renameat');
    out.push(`${names.join(',')} ${syscallFilter} {`);
    emitFile('rename', 'args->newname', '0', modifying);
    out.push('}');
    if (has('syscalls:sys_enter_rename')) {
      out.push(`tracepoint:syscalls:sys_enter_rename ${syscallFilter} {`);
      emitFile('rename', 'args->newname', '0', modifying);
      out.push('}');
    }
  }
  if (probes.has('chmod')) {
    const names = ['tracepoint:syscalls:sys_enter_fchmodat'];
    if (has('syscalls:sys_enter_chmod')) names.push('tracepoint:syscalls:sys_enter_chmod');
    out.push(`${names.join(',')} ${syscallFilter} {`);
    emitFile('chmod', 'args->filename', 'args->mode', modifying);
    out.push('}');
  }

  const sockOf = (fdExpr: string): string =>
    `$file = *(curtask->files->fdt->fd + ${fdExpr}); $sock = (struct socket *)$file->private_data; $sk = $sock->sk;`;
  const netLine = (dir: string, fam: string, laddr: string, lport: string, raddr: string, rport: string): string =>
    `${record('N', `\\t${dir}\\t${fam}\\t%d\\t%d\\t%s\\t%d\\t%s\\t%d\\t%s`, `, $sock->type, $sk->sk_protocol, ${laddr}, ${lport}, ${raddr}, ${rport}, comm`)}`;
  /** A socket being created: no addresses yet, only family, type and protocol. */
  const netLineRaw = (dir: string, fam: string, type: string, proto: string): string =>
    `${record('N', `\\t${dir}\\t%d\\t%d\\t%d\\t-\\t0\\t-\\t0\\t%s`, `, ${fam}, ${type}, ${proto}, comm`)}`;
  const v4l = 'ntop(2, $sk->__sk_common.skc_rcv_saddr)';
  const v6l = 'ntop(10, $sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8)';
  const v4r = 'ntop(2, $sk->__sk_common.skc_daddr)';
  const v6r = 'ntop(10, $sk->__sk_common.skc_v6_daddr.in6_u.u6_addr8)';
  const lport = '$sk->__sk_common.skc_num';
  if (probes.has('connect')) {
    out.push(`tracepoint:syscalls:sys_enter_connect ${syscallFilter} {`);
    out.push('  $sa = (struct sockaddr *)args->uservaddr;');
    out.push('  $fam = $sa->sa_family;');
    out.push(`  ${sockOf('args->fd')}`);
    out.push('  if ($fam == 2) {');
    out.push('    $in = (struct sockaddr_in *)args->uservaddr;');
    out.push(`    ${netLine('o', '2', v4l, lport, 'ntop(2, $in->sin_addr.s_addr)', '$in->sin_port')}`);
    out.push('  } else if ($fam == 10) {');
    out.push('    $in6 = (struct sockaddr_in6 *)args->uservaddr;');
    out.push(`    ${netLine('o', '10', v6l, lport, 'ntop(10, $in6->sin6_addr.in6_u.u6_addr8)', '$in6->sin6_port')}`);
    if (filter.socket_paths.length > 0) {
      out.push('  } else if ($fam == 1) {');
      out.push('    $up = (uint8 *)args->uservaddr + 2;');
      emitFile('connect', '$up', '2', anyPrefix(filter.socket_paths));
    }
    out.push('  }');
    out.push('}');
  }
  if (probes.has('accept')) {
    const names = ['tracepoint:syscalls:sys_exit_accept4'];
    if (has('syscalls:sys_exit_accept')) names.push('tracepoint:syscalls:sys_exit_accept');
    out.push(`${names.join(',')} ${syscallFilter} {`);
    out.push('  if (args->ret >= 0) {');
    out.push(`    ${sockOf('args->ret')}`);
    out.push('    $fam = $sk->__sk_common.skc_family;');
    out.push(`    if ($fam == 2) { ${netLine('i', '2', v4l, lport, v4r, '$sk->__sk_common.skc_dport')} }`);
    out.push(`    else if ($fam == 10) { ${netLine('i', '10', v6l, lport, v6r, '$sk->__sk_common.skc_dport')} }`);
    out.push('  }');
    out.push('}');
  }
  if (probes.has('listen')) {
    out.push(`tracepoint:syscalls:sys_enter_listen ${syscallFilter} {`);
    out.push(`  ${sockOf('args->fd')}`);
    out.push('  $fam = $sk->__sk_common.skc_family;');
    out.push(`  if ($fam == 2) { ${netLine('l', '2', v4l, lport, '"0.0.0.0"', '0')} }`);
    out.push(`  else if ($fam == 10) { ${netLine('l', '10', v6l, lport, '"::"', '0')} }`);
    out.push('}');
  }

  const priv = (change: string, a1: string, a2: string, a3: string): string =>
    `${record('P', `\\t${change}\\t%lld\\t%lld\\t%lld\\t%s`, `, ${a1}, ${a2}, ${a3}, comm`)}`;
  if (probes.has('setuid')) {
    out.push(`tracepoint:syscalls:sys_enter_setuid ${syscallFilter} { ${priv('setuid', 'args->uid', '-1', '-1')} }`);
    out.push(
      `tracepoint:syscalls:sys_enter_setreuid ${syscallFilter} { ${priv('setreuid', 'args->ruid', 'args->euid', '-1')} }`,
    );
    out.push(
      `tracepoint:syscalls:sys_enter_setresuid ${syscallFilter} { ${priv('setresuid', 'args->ruid', 'args->euid', 'args->suid')} }`,
    );
  }
  if (probes.has('capset')) {
    out.push(`tracepoint:syscalls:sys_enter_capset ${syscallFilter} {`);
    out.push('  $d = (struct __user_cap_data_struct *)args->data;');
    out.push('  $new = (uint64)$d->effective | ((uint64)($d + 1)->effective << 32);');
    out.push('  $old = curtask->cred->cap_effective.val;');
    out.push(`  if (($new & ~$old) != 0) { ${priv('capset', '$new', '$old', '0')} }`);
    out.push('}');
  }
  if (probes.has('ptrace')) {
    out.push(
      `tracepoint:syscalls:sys_enter_ptrace ${syscallFilter} { if (args->request == 0 || args->request == 16 || args->request == 0x4206 || args->request == 4 || args->request == 5 || args->request == 6) { ${priv('ptrace', 'args->request', 'args->pid', '0')} } }`,
    );
  }
  if (probes.has('mount')) {
    out.push(`tracepoint:syscalls:sys_enter_mount ${syscallFilter} {`);
    out.push('  printf("S\\t%d\\td\\t%s\\n", tid, str(args->dir_name));');
    out.push('  printf("S\\t%d\\tt\\t%s\\n", tid, str(args->type));');
    out.push('  printf("S\\t%d\\ts\\t%s\\n", tid, str(args->dev_name));');
    out.push(`  ${priv('mount', 'args->flags', '0', '0')}`);
    out.push('}');
  }
  if (probes.has('unshare')) {
    out.push(
      `tracepoint:syscalls:sys_enter_unshare ${syscallFilter} { if ((args->unshare_flags & ${NAMESPACE_FLAGS}) != 0) { ${priv('unshare', 'args->unshare_flags', '0', '0')} } }`,
    );
  }
  if (probes.has('setns')) {
    out.push(`tracepoint:syscalls:sys_enter_setns ${syscallFilter} { ${priv('setns', 'args->flags', 'args->fd', '0')} }`);
  }
  if (probes.has('module')) {
    out.push(`tracepoint:syscalls:sys_enter_finit_module ${syscallFilter} { ${priv('module_load', 'args->fd', '0', '0')} }`);
    if (has('syscalls:sys_enter_init_module')) {
      out.push(`tracepoint:syscalls:sys_enter_init_module ${syscallFilter} { ${priv('module_load', '-1', '0', '0')} }`);
    }
  }
  if (probes.has('link')) {
    // The link's target in S key t, the new name as the path: reported when either matters.
    const linkProbe = (tp: string, op: string, target: string, name: string): void => {
      out.push(`tracepoint:syscalls:${tp} ${syscallFilter} {`);
      out.push(`  ${readWords(target)}`);
      out.push(`  $tm = ${linkTargets};`);
      out.push(`  ${readWords(name)}`);
      out.push(`  if ($tm || ${modifying}) {`);
      out.push(`    printf("S\\t%d\\tt\\t%s\\n", tid, str(${target}));`);
      out.push(`    printf("S\\t%d\\tp\\t%s\\n", tid, str(${name}));`);
      out.push(`    ${record('F', `\\t${op}\\t0\\t%s`, `, comm`)}`);
      out.push('  }');
      out.push('}');
    };
    linkProbe('sys_enter_symlinkat', 'symlink', 'args->oldname', 'args->newname');
    linkProbe('sys_enter_linkat', 'link', 'args->oldname', 'args->newname');
    if (has('syscalls:sys_enter_symlink')) linkProbe('sys_enter_symlink', 'symlink', 'args->oldname', 'args->newname');
    if (has('syscalls:sys_enter_link')) linkProbe('sys_enter_link', 'link', 'args->oldname', 'args->newname');
  }
  if (probes.has('truncate')) {
    out.push(`tracepoint:syscalls:sys_enter_truncate ${syscallFilter} {`);
    emitFile('truncate', 'args->path', '0', modifying);
    out.push('}');
  }
  if (probes.has('memfd')) {
    // Rare in normal workloads, the first step of fileless execution: always reported.
    out.push(`tracepoint:syscalls:sys_enter_memfd_create ${syscallFilter} {`);
    out.push('  printf("S\\t%d\\tp\\t%s\\n", tid, str(args->uname));');
    out.push(`  ${record('F', `\\tmemfd_create\\t%d\\t%s`, `, args->flags, comm`)}`);
    out.push('}');
  }
  if (probes.has('socket')) {
    out.push(
      `tracepoint:syscalls:sys_enter_socket ${syscallFilter} { if (args->family == ${AF_PACKET} || (args->type & 0xf) == ${SOCK_RAW}) { ${netLineRaw('s', 'args->family', 'args->type', 'args->protocol')} } }`,
    );
  }
  const root = options.rootCgroupId ?? options.excludeCgroupId;
  if (probes.has('syscalls') && root !== undefined) {
    // Which system calls each container's cgroup makes, for learned profiles: one map lookup per
    // call, an update only the first time a cgroup makes a call in an interval. The runtime's
    // own start-up (runc init) is left out. Read and cleared every SYSCALL_SET_MS; the parser
    // reports each (cgroup, call) pair once per SYSCALL_REPORT_TTL_MS.
    // Also left out: "exe", runc re-executing itself through /proc/self/exe during `docker exec`
    // (its mount calls would otherwise enter the workload's profile and its seccomp profile).
    // A workload binary named "exe" adds no calls to its profile; exec drift still reports it.
    out.push(`tracepoint:raw_syscalls:sys_enter /${base} && cgroup != ${root}/ {`);
    out.push(`  if (@sc[cgroup, args->id] == 0) { if (${runtimeSetup} && strncmp(comm, "exe", 4) != 0) { @sc[cgroup, args->id] = 1; } }`);
    out.push('}');
    out.push(`interval:ms:${SYSCALL_SET_MS} { print(@sc); clear(@sc); }`);
  }
  // print() of a map flushes bpftrace's output ("@F: 0", ignored by the parser): every
  // FLUSH_MS while records are pending, so a record waits at most that long at low rates.
  out.unshift('BEGIN { @F = 0; @P = 0; }');
  out.push(`interval:ms:${FLUSH_MS} { if (@P > 0) { @P = @P - 1; print(@F); } }`);
  // Last: its first firing proves every probe above is attached.
  out.push(`interval:ms:${options.heartbeatMs} { printf("H\\n"); print(@F); }`);
  return `${out.join('\n')}\n`;
}
