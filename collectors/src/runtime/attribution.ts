import { containerFromProcCgroup, type CgroupAttribution } from './cgroup.js';
import type { CgroupIndex } from './cgroup-index.js';
import type { ProcReader } from './procfs/proc.js';
import type { AncestorInfo } from './events.js';

/**
 * Which container a process belongs to: the eBPF cgroup id when the host has a
 * unified hierarchy, else /proc/<pid>/cgroup, else the parent's. Results per
 * pid are cached briefly (a pid keeps its cgroup for its life; a short TTL
 * bounds the damage of pid reuse).
 */
export class Attributor {
  private readonly byPid = new Map<number, { value: CgroupAttribution | null; at: number }>();

  constructor(
    private readonly proc: ProcReader,
    private readonly index: CgroupIndex | undefined,
    private readonly ttlMs = 5_000,
  ) {}

  /** null: a host process; undefined: unknown (process and parent gone, id unknown). */
  async attribute(pid: number, ppid: number | undefined, cgroupId: string | undefined): Promise<CgroupAttribution | null | undefined> {
    if (cgroupId !== undefined && this.index?.unifiedRoot) {
      const found = await this.index.lookup(cgroupId);
      // On a hybrid v1 host a runtime may not create v2 cgroups at all, so "host"
      // from the unified tree is confirmed from /proc while the process lives.
      if (found) return found;
      if (found === null && !this.index.hybrid) return null;
      if (found === null) return (await this.byProc(pid)) ?? null;
    }
    const own = await this.byProc(pid);
    if (own !== undefined) return own;
    if (ppid !== undefined && ppid > 0) return this.byProc(ppid);
    return undefined;
  }

  async byProc(pid: number): Promise<CgroupAttribution | null | undefined> {
    const cached = this.byPid.get(pid);
    if (cached && Date.now() - cached.at < this.ttlMs) return cached.value;
    const text = await this.proc.cgroup(pid);
    if (text === undefined) return undefined;
    const value = containerFromProcCgroup(text) ?? null;
    if (this.byPid.size > 20_000) this.byPid.clear();
    this.byPid.set(pid, { value, at: Date.now() });
    return value;
  }
}


/**
 * Process ancestry from /proc, parent first, up to the container's init (the
 * last ancestor in the same container) or the host's init for host processes.
 * Cached per (pid, start time); a gone ancestor ends the chain.
 */
export class AncestryReader {
  private readonly cache = new Map<number, { startTime: number; comm: string; exe: string; ppid: number; at: number }>();

  constructor(
    private readonly proc: ProcReader,
    private readonly attributor: Attributor,
    private readonly maxDepth = 10,
    private readonly ttlMs = 30_000,
  ) {}

  async ancestry(ppid: number | undefined, containerId: string | undefined): Promise<AncestorInfo[]> {
    const chain: AncestorInfo[] = [];
    let pid = ppid ?? 0;
    while (pid > 0 && chain.length < this.maxDepth) {
      if (containerId !== undefined) {
        const owner = await this.attributor.byProc(pid);
        if (!owner || owner.id !== containerId) break;
      }
      const info = await this.info(pid);
      if (!info) break;
      chain.push({ pid, comm: info.comm, exe: info.exe });
      if (pid === 1) break;
      pid = info.ppid;
    }
    return chain;
  }

  private async info(pid: number): Promise<{ comm: string; exe: string; ppid: number } | undefined> {
    const stat = await this.proc.stat(pid);
    if (!stat) return undefined;
    const cached = this.cache.get(pid);
    if (cached && cached.startTime === stat.startTime && Date.now() - cached.at < this.ttlMs) return cached;
    const exe = (await this.proc.exe(pid)) ?? '';
    const entry = { startTime: stat.startTime, comm: stat.comm, exe, ppid: stat.ppid, at: Date.now() };
    if (this.cache.size > 20_000) this.cache.clear();
    this.cache.set(pid, entry);
    return entry;
  }
}
