import type { AncestorInfo, ProcessSnapshot, RuntimeEvent, StdioKind } from './events.js';

export interface RememberedProcess {
  ppid: number;
  comm: string;
  exe: string;
  args: string[];
  cgroupId?: string;
  tty?: boolean;
  capabilities?: string[];
  stdio?: StdioKind[];
  loginUid?: number;
}

/**
 * What the exec events said about each pid, kept in arrival order and bounded.
 * Short-lived processes are gone from /proc before anyone looks; this is how
 * their later events (an open, a connect) and their children's ancestry still
 * get the exe and arguments: from the kernel's own report, not from /proc.
 */
export class ProcessMemory {
  private readonly byPid = new Map<number, RememberedProcess>();

  constructor(private readonly max = 32_768) {}

  /**
   * Called synchronously for every event, in arrival order. Fills what the
   * event lacks from earlier execs and records its ancestry as known now
   * (a parent may exec something else before the event is enriched).
   */
  observe(event: RuntimeEvent): void {
    // A sandbox's pid 5 is not the host's pid 5.
    if (event.sandboxPids) return;
    const p = event.process;
    if (p.ancestry === undefined) this.captureAncestry(event);
    if (event.kind === 'exec') {
      const exe = this.resolveExe(p);
      if (exe !== p.exe) p.exe = exe;
      const entry: RememberedProcess = {
        ppid: p.ppid ?? 0,
        comm: p.comm ?? '',
        exe: exe ?? '',
        args: p.args ?? [],
      };
      if (event.cgroupId !== undefined) entry.cgroupId = event.cgroupId;
      if (p.tty !== undefined) entry.tty = p.tty;
      if (p.capabilities) entry.capabilities = p.capabilities;
      if (p.stdio) entry.stdio = p.stdio;
      if (p.loginUid !== undefined) entry.loginUid = p.loginUid;
      this.byPid.delete(p.pid);
      this.byPid.set(p.pid, entry);
      if (this.byPid.size > this.max) {
        const oldest = this.byPid.keys().next().value;
        if (oldest !== undefined) this.byPid.delete(oldest);
      }
      return;
    }
    const known = this.byPid.get(p.pid);
    if (!known) return;
    if (p.exe === undefined) p.exe = known.exe;
    if (p.args === undefined) p.args = known.args;
    if (p.stdio === undefined && known.stdio) p.stdio = known.stdio;
    if (p.tty === undefined && known.tty !== undefined) p.tty = known.tty;
    if (p.capabilities === undefined && known.capabilities) p.capabilities = known.capabilities;
    if (p.loginUid === undefined && known.loginUid !== undefined) p.loginUid = known.loginUid;
  }

  /** Ancestors known from memory when the event arrived, and the pid where /proc must take over (0: none). */
  ancestryOf(event: RuntimeEvent): { chain: AncestorInfo[]; next: number } | undefined {
    return this.captured.get(event);
  }

  private readonly captured = new WeakMap<RuntimeEvent, { chain: AncestorInfo[]; next: number }>();

  private captureAncestry(event: RuntimeEvent): void {
    const chain: AncestorInfo[] = [];
    let pid = event.process.ppid ?? 0;
    while (pid > 0 && chain.length < 10) {
      const known = this.byPid.get(pid);
      if (!known) break;
      if (event.cgroupId !== undefined && known.cgroupId !== undefined && known.cgroupId !== event.cgroupId) {
        pid = 0; // left the container: the chain is complete
        break;
      }
      chain.push({ pid, comm: known.comm, exe: known.exe, args: known.args });
      pid = chain.length >= 10 ? 0 : known.ppid;
    }
    this.captured.set(event, { chain, next: pid });
  }

  get(pid: number): RememberedProcess | undefined {
    return this.byPid.get(pid);
  }

  /**
   * An exec of /proc/self/exe (busybox applets, runc) runs the caller's binary
   * again: the same pid's previous exe (exec in place), or the parent's (after
   * a fork). Other targets are kept as given.
   */
  private resolveExe(p: ProcessSnapshot): string | undefined {
    if (p.exe !== '/proc/self/exe') return p.exe;
    // Exec in place keeps the pid (its parent may have changed by reparenting);
    // a stale entry of a reused pid is possible but rare with pid_max at 4M.
    const same = this.byPid.get(p.pid);
    if (same) return same.exe;
    return (p.ppid !== undefined ? this.byPid.get(p.ppid)?.exe : undefined) ?? p.exe;
  }
}
