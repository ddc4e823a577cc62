import type { Profile } from '../profiles/model.js';

/** Directories a read-only root file system gets as tmpfs, and AppArmor lets every workload write. */
const SCRATCH_DIRS: readonly string[] = ['/tmp', '/var/tmp', '/run', '/var/run'];

/** The name generated hardening goes by: `vigil-` and the workload, in characters every format accepts. */
export function hardeningName(workload: string): string {
  const slug = workload.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 200);
  return `vigil-${slug || 'workload'}`;
}

/** Where the workload's writable volumes are mounted (from its running replicas). */
export function volumesOf(profile: Profile): string[] {
  return Object.keys(profile.items.volumes ?? {}).sort();
}

/** Directories every workload may write to (AppArmor) and that become tmpfs under a read-only root. */
export function scratchDirs(): readonly string[] {
  return SCRATCH_DIRS;
}

const under = (dir: string, path: string): boolean => path === dir || path.startsWith(`${dir.replace(/\/$/, '')}/`);

/**
 * Whether the root file system can be read-only: every write the profile
 * holds lands in a volume or a scratch directory (which then become tmpfs).
 * Only writes the collector reports are known; `vigil profile verify` runs the
 * workload read-only to prove it.
 */
export function readOnlyRootfs(profile: Profile): { readOnly: boolean; tmpfs: string[]; outside: string[] } {
  const volumes = volumesOf(profile);
  const writes = Object.keys(profile.items.writes);
  const outside = writes.filter((w) => !volumes.some((v) => under(v, w)) && !SCRATCH_DIRS.some((d) => under(d, w)));
  return { readOnly: outside.length === 0, tmpfs: SCRATCH_DIRS.filter((d) => !volumes.includes(d)), outside };
}

/** Capabilities as Docker and Kubernetes name them (no CAP_ prefix, upper case). */
export function capabilitiesOf(profile: Profile): string[] {
  return Object.keys(profile.items.capabilities).map((c) => c.toUpperCase().replace(/^CAP_/, '')).sort();
}

/**
 * Labels every replica carries with one value: what selects the workload.
 * Per-replica labels (a key with more than one value, or one that names the
 * replica, pod-template-hash and the like) are left out.
 */
export function stableLabels(profile: Profile): Record<string, string> {
  const byKey = new Map<string, string[]>();
  for (const entry of Object.keys(profile.items.labels ?? {})) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const key = entry.slice(0, eq);
    byKey.set(key, [...(byKey.get(key) ?? []), entry.slice(eq + 1)]);
  }
  const out: Record<string, string> = {};
  for (const [key, values] of [...byKey].sort(([a], [b]) => a.localeCompare(b))) {
    if (values.length !== 1 || PER_REPLICA.test(key) || !validLabel(key, values[0]!)) continue;
    out[key] = values[0]!;
  }
  return out;
}

const PER_REPLICA = /^(pod-template-hash|controller-revision-hash|pod-template-generation|statefulset\.kubernetes\.io\/pod-name|apps\.kubernetes\.io\/pod-index|batch\.kubernetes\.io\/controller-uid|controller-uid|job-name|io\.kubernetes\.|com\.docker\.compose\.(container-number|config-hash|oneoff|version|image|depends_on|replace)|org\.opencontainers\.image\.)/;

/** Kubernetes label syntax: an optional DNS-subdomain prefix, a name of at most 63, a value of at most 63. */
function validLabel(key: string, value: string): boolean {
  const part = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
  const slash = key.indexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  if (prefix && (prefix.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(prefix))) return false;
  return part.test(name) && (value === '' || part.test(value));
}
