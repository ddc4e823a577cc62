import type { ContainerFactInit } from '../../../proto/src/index.js';

export type DeclaredExceptionInit = NonNullable<ContainerFactInit['declared_exceptions']>[number];

/** The pod annotation (Kubernetes) or service label (compose) that declares exceptions. */
export const EXCEPTIONS_KEY = 'vigil.dev/exceptions';

export interface DeclaredExceptions {
  exceptions: DeclaredExceptionInit[];
  /** What is wrong with a line, e.g. `line 2: "VGL-CTR-005" has no justification: it waives nothing`. */
  problems: string[];
}

const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const UNTIL = /^(.*?)\s+until\s+(\S+)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Reads the exceptions a manifest declares for its own containers, one per line:
 *
 *     RULE-ID[, RULE-ID...] [until YYYY-MM-DD]: justification
 *
 * Blank lines and lines starting with `#` are skipped. Rule ids are exact (a
 * glob such as `VGL-CTR-*` is refused, so a manifest cannot waive a whole
 * domain). A line without a justification is kept with an empty one, which the
 * policy library (`vigil.lib.exceptions`) never honours, and reported; any
 * other malformed line is reported and dropped.
 */
export function parseDeclaredExceptions(value: string): DeclaredExceptions {
  const out: DeclaredExceptions = { exceptions: [], problems: [] };
  value.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `line ${index + 1}`;
    const colon = line.indexOf(':');
    const head = (colon < 0 ? line : line.slice(0, colon)).trim();
    const justification = colon < 0 ? '' : line.slice(colon + 1).trim();
    const until = UNTIL.exec(head);
    const ids = (until ? (until[1] ?? '') : head).split(/[\s,]+/).filter((id) => id !== '');
    const expires = until ? (until[2] ?? '') : '';
    const bad = ids.filter((id) => !RULE_ID.test(id));
    if (ids.length === 0 || bad.length > 0) {
      const shown = bad.length > 0 ? `rule id ${bad.map((id) => JSON.stringify(id)).join(', ')} is not` : 'it names no rule:';
      out.problems.push(`${where}: ${shown} an exact rule id (expected "RULE-ID[, RULE-ID...] [until YYYY-MM-DD]: justification")`);
      return;
    }
    if (expires !== '' && !validDate(expires)) {
      out.problems.push(`${where}: ${JSON.stringify(expires)} is not a date (expected YYYY-MM-DD)`);
      return;
    }
    if (justification === '') {
      out.problems.push(`${where}: ${ids.join(', ')} has no justification: it waives nothing`);
    }
    out.exceptions.push({ rules: ids, justification, expires });
  });
  return out;
}

/** Exceptions declared under EXCEPTIONS_KEY in a label or annotation map; none when the key is absent. */
export function declaredExceptionsIn(map: Readonly<Record<string, string>>): DeclaredExceptions {
  const value = map[EXCEPTIONS_KEY];
  return value === undefined ? { exceptions: [], problems: [] } : parseDeclaredExceptions(value);
}

function validDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
