import { severityRank, type AlertJSON, type FindingJSON } from '../../proto/src/index.js';

const COLOURS: Record<string, string> = { CRITICAL: '\x1b[1;31m', HIGH: '\x1b[31m', MEDIUM: '\x1b[33m', LOW: '\x1b[36m' };
const RESET = '\x1b[0m';

export function sortFindings<T extends FindingJSON>(findings: T[]): T[] {
  return findings.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      a.subject.source.localeCompare(b.subject.source) ||
      a.subject.name.localeCompare(b.subject.name) ||
      a.rule_id.localeCompare(b.rule_id, 'en', { numeric: true }),
  );
}

function frameworksText(frameworks: Record<string, string[]>): string {
  return Object.entries(frameworks)
    .map(([name, ids]) => `${name} ${ids.join(',')}`)
    .join('; ');
}

/** A plain-text table, grouped by source, the way a CI log reads best. */
export function findingsTable(findings: FindingJSON[], colour: boolean): string {
  if (findings.length === 0) return 'No findings.\n';
  const lines: string[] = [];
  let source: string | undefined;
  for (const f of sortFindings([...findings])) {
    if (f.subject.source !== source) {
      source = f.subject.source;
      lines.push('', `${source || '(unknown source)'}`, '-'.repeat(Math.min(80, Math.max(10, source.length))));
    }
    const severity = colour ? `${COLOURS[f.severity] ?? ''}${f.severity.padEnd(8)}${RESET}` : f.severity.padEnd(8);
    lines.push(`${severity} ${f.rule_id.padEnd(12)} ${f.subject.kind}/${f.subject.name}: ${f.message}`);
    lines.push(`${' '.repeat(22)}${f.title} [${frameworksText(f.frameworks)}]`);
    lines.push(`${' '.repeat(22)}fix: ${f.recommended_action}`);
  }
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  const summary = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'].map((s) => `${s}: ${counts.get(s) ?? 0}`).join(', ');
  lines.push('', `Total: ${findings.length} (${summary})`);
  return lines.join('\n') + '\n';
}

/** Findings waived by manifest-declared exceptions, each with its justification; "" when there are none. */
export function exceptedTable(excepted: readonly (FindingJSON & { exception: { justification: string; expires: string } })[]): string {
  if (excepted.length === 0) return '';
  const lines = ['', `Excepted by the manifests' own declarations (vigil.dev/exceptions): ${excepted.length}`];
  for (const f of sortFindings([...excepted])) {
    lines.push(`${f.severity.padEnd(8)} ${f.rule_id.padEnd(12)} ${f.subject.kind}/${f.subject.name}: ${f.message}`);
    const until = f.exception.expires === '' ? '' : ` (until ${f.exception.expires})`;
    lines.push(`${' '.repeat(22)}because${until}: ${f.exception.justification}`);
  }
  return lines.join('\n') + '\n';
}

export function alertLine(alert: AlertJSON, colour: boolean): string {
  const severity = colour ? `${COLOURS[alert.severity] ?? ''}${alert.severity.padEnd(8)}${RESET}` : alert.severity.padEnd(8);
  const { kind, name, id } = alert.subject;
  // Each thing once: an id that is only the name again, or a host subject that is the alert's host, is not repeated.
  const showId = kind !== 'container' && id !== '' && id !== name;
  const where = showId ? `${name || id.slice(0, 12)}${name ? ` (${id.slice(0, 12)})` : ''}` : name;
  const location = kind === 'host' && (name === alert.host || name === '') ? `host/${alert.host}` : `${alert.host} ${kind}/${where}`;
  const tags = alert.tags?.length ? ` [${alert.tags.join(', ')}]` : '';
  return `${alert.raised_at} ${severity} ${alert.rule_id}${tags} ${location}: ${alert.message}`;
}
