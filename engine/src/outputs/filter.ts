import type { AlertJSON } from '../../../proto/src/index.js';

const SEVERITY_ORDER = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;

/** Which alerts an output takes. Every condition given must hold; none given takes everything. */
export interface OutputFilter {
  /** At or above this severity. */
  minSeverity?: (typeof SEVERITY_ORDER)[number];
  /** Rule ids, `*` matching any run of characters (VGL-RUN-*). */
  rules?: string[];
  /** NATS subject patterns the alert's subject must match (vigil.alerts.*.container.>). */
  subjects?: string[];
}

export const SEVERITY_NAMES: readonly string[] = SEVERITY_ORDER;

export function compileFilter(filter: OutputFilter): (alert: AlertJSON, subject: string) => boolean {
  const min = filter.minSeverity ? SEVERITY_ORDER.indexOf(filter.minSeverity) : 0;
  const rules = filter.rules?.map((glob) => new RegExp(`^${glob.split('*').map(escape).join('.*')}$`));
  const subjects = filter.subjects?.map((pattern) => pattern.split('.'));
  return (alert, subject) => {
    if (SEVERITY_ORDER.indexOf(alert.severity as (typeof SEVERITY_ORDER)[number]) < min) return false;
    if (rules && !rules.some((r) => r.test(alert.rule_id))) return false;
    if (subjects) {
      const tokens = subject.split('.');
      if (!subjects.some((p) => subjectMatches(p, tokens))) return false;
    }
    return true;
  };
}

function subjectMatches(pattern: readonly string[], tokens: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '>') return tokens.length > i;
    if (i >= tokens.length || (pattern[i] !== '*' && pattern[i] !== tokens[i])) return false;
  }
  return pattern.length === tokens.length;
}

const escape = (text: string): string => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
