import { capabilityNames } from '../capabilities.js';
import { syscallName } from '../syscall-names.js';
import type { FileEvent, NetworkEvent, PrivilegeChange, ProcessSnapshot, RuntimeEvent, StdioKind } from '../events.js';

/**
 * Turns the lines of the generated bpftrace program (see script.ts for the
 * format) into runtime events. Stateful only for the string lines that precede
 * a record, kept per tid and bounded.
 */
export class BpftraceLineParser {
  private readonly pending = new Map<number, Pending>();
  /** Lines that did not parse. */
  malformed = 0;
  /** Events the kernel dropped, as bpftrace reports them ("Lost N events"). */
  lost = 0;
  /** Heartbeats seen. */
  heartbeats = 0;

  constructor(
    private readonly source = 'ebpf',
    private readonly now: () => number = Date.now,
    private readonly maxPending = 4096,
  ) {}

  /** Capability names per CapEff mask: a host runs few distinct masks, decoding one costs 64 BigInt shifts. */
  private capabilities(hex: string): string[] {
    let names = this.capNames.get(hex);
    if (!names) {
      if (this.capNames.size >= 256) this.capNames.clear();
      names = capabilityNames(hex);
      this.capNames.set(hex, names);
    }
    return names;
  }

  private readonly capNames = new Map<string, string[]>();

  /** One line of bpftrace output, without the newline. */
  parse(line: string): RuntimeEvent | undefined {
    const tag = line.charAt(0);
    if (line.length === 1 && tag === 'H') {
      this.heartbeats++;
      return undefined;
    }
    if (line.charAt(1) !== '\t') return this.other(line);
    switch (tag) {
      case 'S':
        return this.string(line);
      case 'E':
      case 'F':
      case 'N':
      case 'P':
        return this.record(tag, line);
      default:
        return this.other(line);
    }
  }

  private other(line: string): undefined {
    const lost = /^Lost (\d+) events/.exec(line);
    if (lost) this.lost += Number(lost[1]);
    else if (line.startsWith('@sc[')) this.syscall(line);
    // "@F: 0" flushes the output; other maps print only at exit.
    else if (line.trim() !== '' && !line.startsWith('Attaching ') && !line.startsWith('@')) this.malformed++;
    return undefined;
  }

  /** "@sc[<cgroup>, <nr>]: 1": a cgroup made a system call (see the syscalls probe). */
  private syscall(line: string): void {
    const match = /^@sc\[(\d+), (\d+)\]: \d+$/.exec(line);
    if (!match) {
      this.malformed++;
      return;
    }
    const [, cgroup, nr] = match as unknown as [string, string, string];
    const now = this.now();
    let reported = this.reportedSyscalls.get(cgroup);
    if (!reported) {
      if (this.reportedSyscalls.size >= 4096) this.reportedSyscalls.clear();
      this.reportedSyscalls.set(cgroup, (reported = new Map()));
    }
    const at = reported.get(nr);
    if (at !== undefined && now - at < SYSCALL_REPORT_TTL_MS) return;
    reported.set(nr, now);
    const names = this.newSyscalls.get(cgroup) ?? [];
    names.push(syscallName(Number(nr)));
    this.newSyscalls.set(cgroup, names);
  }

  /** Per cgroup, the system calls not reported in the last SYSCALL_REPORT_TTL_MS, once; then forgotten. */
  takeSyscallSets(): RuntimeEvent[] {
    if (this.newSyscalls.size === 0) return [];
    const now = this.now();
    const events: RuntimeEvent[] = [...this.newSyscalls].map(([cgroupId, names]) => ({
      kind: 'syscalls',
      source: this.source,
      observedAtMs: now,
      process: { pid: 0 },
      cgroupId,
      syscalls: names.sort(),
    }));
    this.newSyscalls.clear();
    return events;
  }

  private readonly reportedSyscalls = new Map<string, Map<string, number>>();
  private readonly newSyscalls = new Map<string, string[]>();

  private slot(tid: number): Pending {
    let slot = this.pending.get(tid);
    if (!slot) {
      if (this.pending.size >= this.maxPending) {
        const oldest = this.pending.keys().next().value;
        if (oldest !== undefined) this.pending.delete(oldest);
        this.malformed++;
      }
      slot = { strings: {} };
      this.pending.set(tid, slot);
    }
    return slot;
  }

  private string(line: string): undefined {
    const second = line.indexOf('\t', 2);
    const third = second < 0 ? -1 : line.indexOf('\t', second + 1);
    if (third < 0) {
      this.malformed++;
      return undefined;
    }
    const tid = Number(line.slice(2, second));
    const key = line.slice(second + 1, third);
    this.slot(tid).strings[key] = line.slice(third + 1);
    return undefined;
  }

  private record(tag: string, line: string): RuntimeEvent | undefined {
    const fixed = FIXED_FIELDS[tag as keyof typeof FIXED_FIELDS];
    // The last field, comm, may itself hold tabs: split only the fixed part.
    const fields: string[] = [];
    let start = 0;
    for (let i = 0; i < fixed; i++) {
      const end = line.indexOf('\t', start);
      if (end < 0) {
        this.malformed++;
        return undefined;
      }
      fields.push(line.slice(start, end));
      start = end + 1;
    }
    const comm = line.slice(start);
    const tid = Number(fields[1]);
    const slot = this.pending.get(tid);
    this.pending.delete(tid);
    const strings = slot?.strings ?? {};
    const process: ProcessSnapshot = {
      pid: Number(fields[2]),
      tid,
      ppid: Number(fields[3]),
      uid: Number(fields[4]),
      gid: Number(fields[5]),
      euid: Number(fields[6]),
      comm,
    };
    if ([process.pid, process.ppid, process.uid].some((v) => !Number.isFinite(v))) {
      this.malformed++;
      return undefined;
    }
    const base = { source: this.source, observedAtMs: this.now(), process, cgroupId: fields[7]! };
    const rest = fields.slice(8);
    switch (tag) {
      case 'E': {
        const [previousEuid1, capHex, tty, argLength, loginUid, m0, r0, m1, r1, m2, r2] = rest;
        const args = splitArgs(`${strings.a ?? ''}${strings.b ?? ''}`);
        if (Number(argLength) > 400 && args.length > 0) args[args.length - 1] += '…';
        process.exe = execPath(strings.f ?? '', strings.x ?? '');
        process.args = args;
        process.tty = tty === '1';
        // (uid_t)-1: no login session (daemons, containers started by a runtime).
        process.loginUid = loginUid === undefined || Number(loginUid) >= 4294967295 ? -1 : Number(loginUid);
        process.capabilities = this.capabilities(capHex ?? '0');
        process.stdio = [stdioKind(Number(m0), Number(r0)), stdioKind(Number(m1), Number(r1)), stdioKind(Number(m2), Number(r2))];
        const pe = Number(previousEuid1);
        return pe > 0 ? { ...base, kind: 'exec', previousEuid: pe - 1 } : { ...base, kind: 'exec' };
      }
      case 'F': {
        const [operation, flagsText] = rest;
        const flags = Number(flagsText);
        const op = operation as FileEvent['operation'];
        const access =
          op === 'open'
            ? { read: (flags & 3) !== 1, write: (flags & 3) !== 0 || (flags & 0x240) !== 0 }
            : op === 'connect'
              ? { read: true, write: true }
              : { read: false, write: op !== 'memfd_create' };
        const raw = strings.p ?? '';
        const path = op === 'memfd_create' ? `memfd:${raw}` : resolveTraversal(raw);
        const event: FileEvent = { ...base, kind: 'file', path, operation: op, ...access };
        if (op === 'truncate' || (op === 'open' && (flags & O_TRUNC) !== 0)) event.truncated = true;
        if (path !== raw && op !== 'memfd_create') event.requestedPath = raw;
        if (strings.t !== undefined) event.target = resolveTraversal(strings.t);
        return event;
      }
      case 'N': {
        const [dir, familyText, sockType, proto, laddr, lport, raddr, rport] = rest;
        if (dir === 's') {
          const family = Number(familyText);
          return {
            ...base,
            kind: 'network',
            direction: 'socket',
            family: familyName(family),
            protocol: family === AF_PACKET ? 'packet' : (Number(sockType) & 0xf) === 3 ? 'raw' : protocolName(Number(proto), Number(sockType) & 0xf),
            localAddress: '',
            localPort: 0,
            remoteAddress: '',
            remotePort: 0,
          };
        }
        const direction: NetworkEvent['direction'] = dir === 'o' ? 'outbound' : dir === 'i' ? 'inbound' : 'listen';
        return {
          ...base,
          kind: 'network',
          direction,
          family: familyName(Number(familyText)),
          protocol: protocolName(Number(proto), Number(sockType)),
          localAddress: unmapV4(laddr ?? ''),
          localPort: Number(lport),
          remoteAddress: unmapV4(raddr ?? ''),
          remotePort: direction === 'listen' ? 0 : swap16(Number(rport)),
        };
      }
      case 'P':
        return this.privilege(base, rest, strings);
      default:
        return undefined;
    }
  }

  private privilege(
    base: { source: string; observedAtMs: number; process: ProcessSnapshot; cgroupId: string },
    rest: string[],
    strings: Record<string, string>,
  ): RuntimeEvent | undefined {
    const [change, a1Text, a2Text, a3Text] = rest;
    const a1 = uidArg(a1Text);
    const a2 = uidArg(a2Text);
    const a3 = uidArg(a3Text);
    const oldUid = base.process.euid;
    const make = (kind: PrivilegeChange, extra: Record<string, unknown>): RuntimeEvent =>
      ({ ...base, kind: 'privilege', change: kind, ...extra }) as RuntimeEvent;
    switch (change) {
      case 'setuid':
        return make('setuid', { oldUid, newUid: a1 });
      case 'setreuid':
        return make('setuid', { oldUid, newUid: a2 !== -1 ? a2 : a1 });
      case 'setresuid':
        return make('setuid', { oldUid, newUid: a2 !== -1 ? a2 : a1 !== -1 ? a1 : a3 });
      case 'capset': {
        const next = BigInt.asUintN(64, BigInt(a1Text ?? '0'));
        const previous = BigInt.asUintN(64, BigInt(a2Text ?? '0'));
        return make('capset', { capabilitiesGained: capabilityNames(next & ~previous) });
      }
      case 'ptrace':
        return make('ptrace', { target: a1 === 0 ? 'TRACEME' : `pid ${a2} (${PTRACE_REQUESTS[a1] ?? `request ${a1}`})` });
      case 'mount':
        return make('mount', {
          target: `${strings.d ?? ''} (${strings.t || 'none'} from ${strings.s || 'none'})`,
        });
      case 'unshare':
        return make('unshare', { target: namespaceFlags(a1) });
      case 'setns':
        return make('setns', { target: a1 === 0 ? `fd ${a2}` : namespaceFlags(a1) });
      case 'module_load':
        return make('module_load', { target: a1 >= 0 ? `fd ${a1}` : 'image' });
      default:
        this.malformed++;
        return undefined;
    }
  }
}

interface Pending {
  strings: Record<string, string>;
}

/** A (cgroup, system call) pair is reported again after this long, so a profile reset relearns it. */
export const SYSCALL_REPORT_TTL_MS = 60_000;

/** Number of tab-separated fields before comm in each record. */
const FIXED_FIELDS = { E: 19, F: 10, N: 16, P: 12 } as const;

const PTRACE_REQUESTS: Record<number, string> = {
  4: 'POKETEXT',
  5: 'POKEDATA',
  6: 'POKEUSER',
  16: 'ATTACH',
  0x4206: 'SEIZE',
};

const NAMESPACES: Array<[number, string]> = [
  [0x00020000, 'mnt'],
  [0x02000000, 'cgroup'],
  [0x04000000, 'uts'],
  [0x08000000, 'ipc'],
  [0x10000000, 'user'],
  [0x20000000, 'pid'],
  [0x40000000, 'net'],
];

function namespaceFlags(flags: number): string {
  return NAMESPACES.filter(([bit]) => (flags & bit) !== 0)
    .map(([, name]) => name)
    .join(',');
}

/** uid_t arguments print as unsigned: 4294967295 is -1 ("unchanged"). */
function uidArg(text: string | undefined): number {
  const value = Number(text);
  if (!Number.isFinite(value)) return -1;
  return value === 4294967295 ? -1 : value;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Decodes bpftrace's %r rendering (non-printable bytes as \xNN) and splits argv on NUL. */
export function splitArgs(rendered: string): string[] {
  if (rendered === '') return [];
  // Fast path, the usual argv: printable ASCII whose only escapes are the NULs between arguments.
  if (PRINTABLE_ASCII.test(rendered)) {
    const parts = rendered.split('\\x00');
    if (!parts.some((part) => part.includes('\\x'))) {
      if (parts[parts.length - 1] === '') parts.pop();
      return parts;
    }
  }
  const bytes: number[] = [];
  for (let i = 0; i < rendered.length; i++) {
    const code = rendered.charCodeAt(i);
    if (code === 0x5c && rendered.charAt(i + 1) === 'x' && /^[0-9a-fA-F]{2}$/.test(rendered.slice(i + 2, i + 4))) {
      bytes.push(parseInt(rendered.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (code < 0x80) {
      bytes.push(code);
    } else {
      for (const b of Buffer.from(rendered.charAt(i), 'utf8')) bytes.push(b);
    }
  }
  const text = Buffer.from(bytes).toString('utf8');
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** What fd 0/1/2 is, from the inode's mode and device number (kernel dev_t: major << 20). */
export function stdioKind(mode: number, rdev: number): StdioKind {
  switch (mode & 0o170000) {
    case 0:
      return 'none';
    case 0o140000:
      return 'socket';
    case 0o010000:
      return 'pipe';
    case 0o100000:
      return 'file';
    case 0o020000: {
      const major = rdev >>> 20;
      if (major === 1) return 'null';
      if (major === 4 || major === 5 || (major >= 136 && major <= 143)) return 'tty';
      return 'char';
    }
    default:
      return 'unknown';
  }
}

const AF_PACKET = 17;
const O_TRUNC = 0x200;

/**
 * The exe of an exec: the path the caller gave, except for an exec through a
 * file descriptor (fexecve, execveat with AT_EMPTY_PATH: "/dev/fd/N") of a
 * memfd, where the kernel's own name for the file ("memfd:<name>") says what
 * ran. No /proc read: the process may be gone.
 */
export function execPath(filename: string, kernelName: string): string {
  const viaFd = filename.startsWith('/dev/fd/') || filename.startsWith('/proc/self/fd/');
  return viaFd && kernelName.startsWith('memfd:') ? kernelName : filename;
}

function familyName(family: number): string {
  return family === 2 ? 'inet' : family === 10 ? 'inet6' : family === AF_PACKET ? 'packet' : family === 1 ? 'unix' : `family-${family}`;
}

/**
 * The path a `..`-bearing name resolves to, lexically: `/tmp/../etc/shadow` is
 * `/etc/shadow`. A relative `../../etc/shadow` is resolved from `/`, the
 * deepest it can climb to, since the kernel side carries no cwd. Other paths
 * are returned as they are.
 */
export function resolveTraversal(path: string): string {
  if (!path.includes('..')) return path;
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  const resolved = `/${parts.join('/')}`;
  return path.startsWith('/') || path.startsWith('..') ? resolved : path;
}

function protocolName(proto: number, sockType: number): string {
  if (proto === 6) return 'tcp';
  if (proto === 17) return 'udp';
  if (proto === 262) return 'mptcp';
  if (sockType === 1) return 'tcp';
  if (sockType === 2) return 'udp';
  return `proto-${proto}`;
}

export function swap16(value: number): number {
  return ((value & 0xff) << 8) | ((value >> 8) & 0xff);
}

/** "::ffff:10.0.0.1" → "10.0.0.1". */
export function unmapV4(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
