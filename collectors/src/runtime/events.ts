/**
 * What a runtime source reports, before attribution and enrichment. Every
 * source (eBPF, procfs, Falco, Tetragon) emits these; the collector turns them
 * into ProcessExec/FileAccess/NetworkConnection/PrivilegeChange facts.
 */

/** Kind of what a process's fd 0, 1 or 2 is. */
export type StdioKind = 'file' | 'pipe' | 'socket' | 'tty' | 'null' | 'char' | 'none' | 'unknown';

export interface ProcessSnapshot {
  pid: number;
  tid?: number;
  ppid?: number;
  uid?: number;
  gid?: number;
  euid?: number;
  comm?: string;
  /** Path of the executable when the source knows it. */
  exe?: string;
  args?: string[];
  cwd?: string;
  tty?: boolean;
  /** Effective capability names (no CAP_ prefix). */
  capabilities?: string[];
  stdio?: StdioKind[];
  /** Ancestors the source already knows (Falco's proc.aname, Tetragon's parent). */
  ancestry?: AncestorInfo[];
  /** Audit login uid: the user who logged in, kept across su and sudo; -1 when unset. */
  loginUid?: number;
}

export interface AncestorInfo {
  pid: number;
  comm: string;
  exe: string;
  /** When its exec was seen. */
  args?: string[];
}

/** Container identity a source may already know (Falco, Tetragon); the rest comes from the resolver. */
export interface ContainerHint {
  id?: string;
  name?: string;
  image?: string;
  image_id?: string;
  runtime?: string;
  pod?: string;
  namespace?: string;
  /** True when the source says the process is on the host. */
  host?: boolean;
}

interface EventBase {
  /** Source name: ebpf, procfs, gvisor, falco, tetragon. */
  source: string;
  /**
   * The process ids are a sandbox's own (gVisor), not the host's: they name
   * nothing in the host's /proc and must not mix with host process history.
   */
  sandboxPids?: boolean;
  observedAtMs: number;
  process: ProcessSnapshot;
  /** Kernel cgroup v2 id (decimal string) from eBPF. */
  cgroupId?: string;
  container?: ContainerHint;
}

export interface ExecEvent extends EventBase {
  kind: 'exec';
  /** Effective uid before the exec, when known: a change means a setuid/setgid binary ran. */
  previousEuid?: number;
}

export interface FileEvent extends EventBase {
  kind: 'file';
  path: string;
  operation: 'open' | 'unlink' | 'rename' | 'chmod' | 'connect' | 'symlink' | 'link' | 'truncate' | 'memfd_create';
  read: boolean;
  write: boolean;
  /** symlink / link: what the new name points at. */
  target?: string;
  /** The name as the process gave it, when `path` is its `..`-resolved form. */
  requestedPath?: string;
  /** The content was cut: open with O_TRUNC, or truncate(2). */
  truncated?: boolean;
}

export interface NetworkEvent extends EventBase {
  kind: 'network';
  /** socket: a packet or raw socket was created (no addresses). */
  direction: 'outbound' | 'inbound' | 'listen' | 'socket';
  /** inet, inet6, packet, unix; '' when the source does not say. */
  family?: string;
  protocol: string;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
}

export type PrivilegeChange = 'setuid' | 'capset' | 'ptrace' | 'mount' | 'module_load' | 'unshare' | 'setns';

export interface PrivilegeEvent extends EventBase {
  kind: 'privilege';
  change: PrivilegeChange;
  oldUid?: number;
  newUid?: number;
  capabilitiesGained?: string[];
  target?: string;
}

/** System calls a container's cgroup made that were not reported for it lately (no process: per cgroup). */
export interface SyscallsEvent extends EventBase {
  kind: 'syscalls';
  syscalls: string[];
}

export type RuntimeEvent = ExecEvent | FileEvent | NetworkEvent | PrivilegeEvent | SyscallsEvent;

export type RuntimeEventHandler = (event: RuntimeEvent) => void;
