import type { Bundle } from './bundle.js';

/**
 * Rules enabled in both bundles with the same digest, when both bundles carry
 * the same data: they find the same on every fact. Bundles built before rule
 * digests share nothing.
 */
export function unchangedRules(baseline: Pick<Bundle, 'manifest' | 'data'>, candidate: Pick<Bundle, 'manifest' | 'data'>): string[] {
  if (JSON.stringify(baseline.data) !== JSON.stringify(candidate.data)) return [];
  const digests = (bundle: Pick<Bundle, 'manifest'>): Map<string, string> => {
    const enabled = new Set(bundle.manifest.enabled);
    return new Map(bundle.manifest.rules.filter((r) => enabled.has(r.id) && r.digest).map((r) => [r.id, r.digest!]));
  };
  const before = digests(baseline);
  return [...digests(candidate)].filter(([id, digest]) => before.get(id) === digest).map(([id]) => id);
}
