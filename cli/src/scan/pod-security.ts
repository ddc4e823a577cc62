import type { FindingJSON } from '../../../proto/src/index.js';

export type PodSecurityLevel = 'baseline' | 'restricted';

/**
 * Baseline controls the restricted level judges with a check of its own
 * instead, as Kubernetes' Pod Security admission does (its OverrideCheckIDs):
 * a Windows pod that fails one of these baseline controls may still pass the
 * restricted level, whose replacement exempts Windows pods.
 */
const RESTRICTED_REPLACES: ReadonlySet<string> = new Set(['baseline/capabilities', 'baseline/seccomp', 'baseline/hostpath-volumes', 'baseline/proc-mount-type']);

/**
 * Whether the findings of one pod's containers let it in at a Pod Security
 * level: baseline refuses it for any baseline control; restricted for any
 * restricted control and any baseline control it does not replace.
 */
export function podSecurityAllows(findings: readonly FindingJSON[], level: PodSecurityLevel): boolean {
  for (const finding of findings) {
    for (const control of finding.frameworks['pss'] ?? []) {
      if (control.startsWith('baseline/') && (level === 'baseline' || !RESTRICTED_REPLACES.has(control))) return false;
      if (control.startsWith('restricted/') && level === 'restricted') return false;
    }
  }
  return true;
}
