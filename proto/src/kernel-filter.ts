/**
 * What a policy bundle's runtime rules need the kernel to report beyond what is
 * always reported (every exec, connect, accept, listen and privilege change):
 * path prefixes, each compared in the kernel on its first 24 bytes. Rules
 * declare theirs in METADATA (`custom.kernel_filter`); the policy build puts
 * the union into the bundle's manifest; collectors generate their in-kernel
 * filter from it, so a rule about a new path needs no collector change.
 */
export interface KernelFilter {
  /** Opens of these, for reading or writing. */
  read_paths: string[];
  /** Opens for writing, truncation, unlink, rename and chmod of these. */
  write_paths: string[];
  /** Unix sockets whose connect is reported (as a file access with operation "connect"). */
  socket_paths: string[];
  /** Symbolic and hard links whose target is one of these. */
  link_targets: string[];
}

export const KERNEL_FILTER_KEYS = ['read_paths', 'write_paths', 'socket_paths', 'link_targets'] as const;

export const EMPTY_KERNEL_FILTER: KernelFilter = Object.freeze({ read_paths: [], write_paths: [], socket_paths: [], link_targets: [] }) as KernelFilter;

/** What is wrong with a declared kernel filter, if anything: each key a list of absolute paths. */
export function kernelFilterProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'must map read_paths, write_paths, socket_paths or link_targets to lists of paths';
  for (const [key, list] of Object.entries(value)) {
    if (!(KERNEL_FILTER_KEYS as readonly string[]).includes(key)) return `has unknown key ${key} (known: ${KERNEL_FILTER_KEYS.join(', ')})`;
    if (!Array.isArray(list) || list.length === 0) return `${key} must be a non-empty list`;
    const bad = list.find((p) => typeof p !== 'string' || !p.startsWith('/') || p.length < 2);
    if (bad !== undefined) return `${key} has ${JSON.stringify(bad)}, not an absolute path below /`;
  }
  return undefined;
}

/**
 * The union of several filters, each list sorted, without duplicates and
 * without a prefix that a shorter one in the same list already covers.
 */
export function mergeKernelFilters(filters: readonly Partial<KernelFilter>[]): KernelFilter {
  const merged = {} as KernelFilter;
  for (const key of KERNEL_FILTER_KEYS) {
    const all = [...new Set(filters.flatMap((f) => f[key] ?? []))].sort();
    merged[key] = all.filter((p, i) => !all.some((q, j) => j !== i && q.length < p.length && p.startsWith(q)));
  }
  return merged;
}
