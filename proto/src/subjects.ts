import type { FactKind, SeverityName } from './kinds.js';

/**
 * NATS subject layout. Tokens come last-most-specific so that wildcards select
 * naturally: `vigil.facts.container.>` is every host's container facts,
 * `vigil.alerts.critical.>` every critical alert.
 *
 *   vigil.facts.<kind>.<host>                 FactBatch      collectors → engine
 *   vigil.verdicts.<kind>.<host>              Verdict        engine → anyone
 *   vigil.alerts.<severity>.<kind>.<host>     Alert          engine → anyone
 *   vigil.dlq.<reason>                        DeadLetter     engine → operators
 *   vigil.shadow.<bundle>.<severity>.<kind>.<host>
 *                                             Alert          engine → operators: what a shadow bundle
 *                                                            would have alerted on (never an alert)
 */
export const SUBJECT_ROOT = 'vigil';

export const subjects = {
  facts: (kind: FactKind, host: string): string => `${SUBJECT_ROOT}.facts.${kind}.${subjectToken(host)}`,
  verdicts: (kind: FactKind | string, host: string): string =>
    `${SUBJECT_ROOT}.verdicts.${subjectToken(kind)}.${subjectToken(host)}`,
  alerts: (severity: SeverityName, kind: FactKind | string, host: string): string =>
    `${SUBJECT_ROOT}.alerts.${severity.toLowerCase()}.${subjectToken(kind)}.${subjectToken(host)}`,
  deadLetter: (reason: string): string => `${SUBJECT_ROOT}.dlq.${subjectToken(reason)}`,

  allFacts: `${SUBJECT_ROOT}.facts.>`,
  allVerdicts: `${SUBJECT_ROOT}.verdicts.>`,
  allAlerts: `${SUBJECT_ROOT}.alerts.>`,
  allDeadLetters: `${SUBJECT_ROOT}.dlq.>`,
  allShadow: `${SUBJECT_ROOT}.shadow.>`,
} as const;

/**
 * Makes an arbitrary string safe as one subject token: NATS tokens may not be
 * empty or contain '.', '*', '>' or whitespace.
 */
export function subjectToken(value: string): string {
  const token = value.replace(/[.*>\s]/g, '_');
  return token.length > 0 ? token : '_';
}
