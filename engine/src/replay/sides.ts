import { decodeAlert, SUBJECT_ROOT, type Alert } from '../../../proto/src/index.js';
import type { Judgement, Publication } from '../pool/judge.js';

/** One side's findings in a judgement, by {@link findingKey}. */
export type SideFindings = Map<string, { alert: Alert; publication: Publication }>;

export interface SplitJudgement {
  /** Facts a side could not judge (dead letters of the pool). */
  errors: number;
  baseline: SideFindings;
  candidate: SideFindings;
}

/**
 * Splits the alerts of a judgement made with two versions of a bundle side by
 * side into the baseline's and the candidate's, told apart by the pool member
 * that found them. Verdicts are left out: a comparison never publishes them.
 */
export function splitSides(judgement: Judgement, baselineMember: string): SplitJudgement {
  const split: SplitJudgement = { errors: 0, baseline: new Map(), candidate: new Map() };
  for (const publication of judgement.publications) {
    if (publication.subject.startsWith(`${SUBJECT_ROOT}.dlq.`)) {
      split.errors++;
      continue;
    }
    if (!publication.subject.startsWith(`${SUBJECT_ROOT}.alerts.`)) continue;
    const alert = decodeAlert(publication.payload);
    const side = alert.finding?.bundle === baselineMember ? split.baseline : split.candidate;
    side.set(findingKey(alert), { alert, publication });
  }
  return split;
}

/** A finding is the same on both sides when its fact, rule and message are. */
export function findingKey(alert: Alert): string {
  return `${alert.fact_id}\u0000${alert.finding?.rule_id ?? ''}\u0000${alert.finding?.message ?? ''}`;
}
