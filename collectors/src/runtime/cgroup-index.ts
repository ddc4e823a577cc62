import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { containerFromCgroupPath, containerFromProcCgroup, type CgroupAttribution } from './cgroup.js';

/**
 * Maps the kernel's cgroup id (what eBPF's bpf_get_current_cgroup_id and
 * bpftrace's `cgroup` builtin return) to a container.
 *
 * A cgroup v2 id is the inode number of the cgroup's directory in the unified
 * hierarchy. On a pure v2 host that hierarchy is /sys/fs/cgroup; on a hybrid
 * v1 host (like Docker with the cgroupfs driver on cgroup v1) it is
 * /sys/fs/cgroup/unified, where Docker also creates /docker/<id>. On a pure
 * v1 host without a unified mount every process reports the root id and
 * attribution must come from /proc/<pid>/cgroup instead ({@link attributePid}).
 */
export class CgroupIndex {
  private readonly byId = new Map<string, CgroupAttribution | null>();
  private lastScan = 0;
  private scanning: Promise<void> | undefined;
  readonly unifiedRoot: string | undefined;
  /** True when the unified hierarchy sits beside v1 controllers (/sys/fs/cgroup/unified). */
  readonly hybrid: boolean;
  /** cgroup id of the unified root: processes there are host processes. */
  rootId: string | undefined;

  constructor(
    private readonly hostRoot: string,
    unifiedRoot: string | undefined,
    private readonly minRescanMs = 250,
  ) {
    this.unifiedRoot = unifiedRoot;
    this.hybrid = unifiedRoot?.endsWith('/unified') ?? false;
  }

  /** Finds the unified (v2) hierarchy under the host root, if any. */
  static async locate(hostRoot: string): Promise<CgroupIndex> {
    const candidates = ['sys/fs/cgroup/unified', 'sys/fs/cgroup'];
    for (const candidate of candidates) {
      const dir = path.join(hostRoot, candidate);
      try {
        await stat(path.join(dir, 'cgroup.controllers'));
        const index = new CgroupIndex(hostRoot, dir);
        index.rootId = String((await stat(dir)).ino);
        return index;
      } catch {
        // not a v2 hierarchy
      }
    }
    return new CgroupIndex(hostRoot, undefined);
  }

  /** Cached lookup, no I/O. `null`: known host cgroup; undefined: unknown id. */
  peek(cgroupId: string): CgroupAttribution | null | undefined {
    if (cgroupId === this.rootId) return null;
    return this.byId.get(cgroupId);
  }

  /** Lookup that rescans the hierarchy on a miss (at most every minRescanMs). */
  async lookup(cgroupId: string): Promise<CgroupAttribution | null | undefined> {
    const known = this.peek(cgroupId);
    if (known !== undefined) return known;
    await this.rescan();
    return this.byId.get(cgroupId);
  }

  /** Records the cgroup of the container directories present now. */
  async rescan(): Promise<void> {
    if (!this.unifiedRoot) return;
    if (this.scanning) return this.scanning;
    if (Date.now() - this.lastScan < this.minRescanMs) return;
    this.scanning = this.walk(this.unifiedRoot, '', 0).finally(() => {
      this.lastScan = Date.now();
      this.scanning = undefined;
    });
    return this.scanning;
  }

  private async walk(dir: string, cgroupPath: string, depth: number): Promise<void> {
    if (depth > 8) return;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const child = path.join(dir, entry.name);
      const childPath = `${cgroupPath}/${entry.name}`;
      let ino: string;
      try {
        ino = String((await stat(child)).ino);
      } catch {
        continue;
      }
      if (!this.byId.has(ino)) this.byId.set(ino, containerFromCgroupPath(childPath) ?? null);
      await this.walk(child, childPath, depth + 1);
    }
  }

  /** Forgets ids (e.g. when a container is removed); bounded cache hygiene. */
  prune(max = 10_000): void {
    if (this.byId.size <= max) return;
    this.byId.clear();
  }
}

/** Attribution of a running process from its /proc/<pid>/cgroup (best effort). */
export async function attributePid(hostRoot: string, pid: number): Promise<CgroupAttribution | null | undefined> {
  try {
    const text = await readFile(path.join(hostRoot, 'proc', String(pid), 'cgroup'), 'utf8');
    return containerFromProcCgroup(text) ?? null;
  } catch {
    return undefined; // the process is gone
  }
}
