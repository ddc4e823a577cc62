import type { AlertInit } from '../../../proto/src/index.js';

/**
 * What makes two alerts "the same" for throttling: the rule, what it fired on
 * (the subject's kind and id, or its name when there is no id) and the host.
 * The finding's message is deliberately not part of it: a rule firing on one
 * container for many different reasons (one exec after another) is one storm.
 */
export function throttleKey(alert: AlertInit): string {
  const finding = alert.finding;
  const subject = finding?.subject;
  const host = alert.source?.host || subject?.source || '';
  const target = subject?.id || subject?.name || subject?.image || '';
  return `${finding?.rule_id ?? ''}\u0000${subject?.kind ?? ''}\u0000${target}\u0000${host}`;
}
