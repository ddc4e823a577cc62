import crypto from 'node:crypto';
import { severityValue, type AlertInit, type FactInit, type FindingInit, type SubjectInit } from '../../proto/src/index.js';
import type { RuleHit } from './policy/evaluator.js';
import { clamp } from './subject.js';

/** A rule's message may quote fact fields of any size; alerts carry at most this much of it. */
export const MAX_FINDING_MESSAGE = 2_048;

/** A rule's frameworks as the Finding message carries them, built once per rule (read-only, shared by its findings). */
const frameworksByRule = new WeakMap<RuleHit['rule'], NonNullable<FindingInit['frameworks']>>();

function frameworksOf(rule: RuleHit['rule']): NonNullable<FindingInit['frameworks']> {
  let frameworks = frameworksByRule.get(rule);
  if (frameworks === undefined) {
    frameworks = Object.fromEntries(Object.entries(rule.frameworks).map(([name, ids]) => [name, { ids }]));
    frameworksByRule.set(rule, frameworks);
  }
  return frameworks;
}

/** One finding per message of every rule that fired. */
export function findingsFrom(hits: readonly RuleHit[], subject: SubjectInit): FindingInit[] {
  const findings: FindingInit[] = [];
  for (const { rule, messages, bundle, frameworks: own, lines } of hits) {
    const ruleFrameworks = frameworksOf(rule);
    for (const [i, message] of messages.entries()) {
      const override = own?.[i];
      // The message's own ids replace the rule's for the frameworks it names; the others stay.
      const frameworks = override ? { ...ruleFrameworks, ...Object.fromEntries(Object.entries(override).map(([name, ids]) => [name, { ids }])) } : ruleFrameworks;
      findings.push({
        rule_id: rule.id,
        severity: severityValue(rule.severity),
        title: rule.title,
        message: clamp(message, MAX_FINDING_MESSAGE),
        recommended_action: rule.recommended_action,
        frameworks,
        subject,
        package: rule.package,
        bundle: bundle ?? '',
        ...(rule.tags ? { tags: rule.tags } : {}),
        ...(lines?.[i] ? { line: lines[i] } : {}),
      });
    }
  }
  return findings;
}

/**
 * Alert ids are derived from the fact and the finding, so evaluating the same
 * fact again (redelivery, a second replica) yields the same id and the alert
 * stream's duplicate window drops the copy.
 */
export function alertId(factId: string, finding: FindingInit): string {
  // One-shot crypto.hash: half the time of createHash().update().digest() on these short strings.
  return crypto.hash('sha256', `${factId}\u0000${finding.rule_id ?? ''}\u0000${finding.message ?? ''}`, 'hex').slice(0, 32);
}

export function alertsFrom(fact: FactInit, findings: readonly FindingInit[], now: number): AlertInit[] {
  const factId = fact.id ?? '';
  return findings.map((finding) => ({
    id: alertId(factId, finding),
    finding,
    fact_id: factId,
    source: fact.source ?? null,
    observed_at_ms: fact.observed_at_ms ?? 0,
    raised_at_ms: now,
    count: 1,
    first_seen_ms: fact.observed_at_ms ?? now,
    last_seen_ms: fact.observed_at_ms ?? now,
  }));
}
