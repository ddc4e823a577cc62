import type { ScanReport } from './scan.js';

/**
 * A scan as JUnit XML, the shape CI servers show as test results (as Trivy's
 * junit template does): one testsuite per scanned source, one failed testcase
 * per finding, scan errors as errored testcases.
 */
export function junitXml(report: ScanReport): string {
  const bySource = new Map<string, ScanReport['findings']>();
  for (const f of report.findings) bySource.set(f.subject.source, [...(bySource.get(f.subject.source) ?? []), f]);
  const errorsBySource = new Map<string, string[]>();
  for (const e of report.errors) errorsBySource.set(e.source, [...(errorsBySource.get(e.source) ?? []), e.error]);
  const sources = [...new Set([...bySource.keys(), ...errorsBySource.keys()])].sort();
  const suites = sources.map((source) => {
    const findings = bySource.get(source) ?? [];
    const errors = errorsBySource.get(source) ?? [];
    const cases = [
      ...findings.map((f) => {
        const where = f.line === undefined ? source : `${source}:${f.line}`;
        return `    <testcase classname="${xml(f.subject.name)}" name="${xml(`[${f.severity}] ${f.rule_id}: ${f.title}`)}" file="${xml(source)}">\n      <failure message="${xml(f.message)}" type="${xml(f.severity)}">${xml(`${where}\n${f.message}\n\n${f.recommended_action}`)}</failure>\n    </testcase>`;
      }),
      ...errors.map((e) => `    <testcase classname="${xml(source)}" name="scan error">\n      <error message="${xml(e)}"/>\n    </testcase>`),
    ];
    return `  <testsuite name="${xml(source)}" tests="${cases.length}" failures="${findings.length}" errors="${errors.length}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="vigil scan" tests="${report.findings.length + report.errors.length}" failures="${report.findings.length}" errors="${report.errors.length}">\n${suites.join('\n')}\n</testsuites>\n`;
}

function xml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
