import { createHash } from 'node:crypto';
import path from 'node:path';
import type { RuleMeta } from '../../../engine/src/index.js';
import type { ScanFinding, ScanReport } from './scan.js';

/** GitHub code scanning's scale: ≥ 9 critical, ≥ 7 high, ≥ 4 medium, else low. */
const SECURITY_SEVERITY: Record<string, string> = { CRITICAL: '9.5', HIGH: '8.0', MEDIUM: '5.5', LOW: '3.0' };
const LEVEL: Record<string, 'error' | 'warning' | 'note'> = { CRITICAL: 'error', HIGH: 'error', MEDIUM: 'warning', LOW: 'note' };
const ROOT = '%SRCROOT%';

export interface SarifOptions {
  /** What artifact URIs are relative to (default: the working directory). */
  root: string;
  toolVersion: string;
}

/**
 * A scan as a SARIF 2.1.0 log that GitHub code scanning accepts: one run, the
 * rules that fired as `tool.driver.rules` (with help and security-severity),
 * each finding at its file (relative to the root) and line (a Dockerfile
 * instruction's; for manifests, the field that causes it), with
 * a fingerprint that stays the same when lines move.
 */
export function sarifLog(report: ScanReport, rules: readonly RuleMeta[], options: SarifOptions): Record<string, unknown> {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const fired = [...new Set(report.findings.map((f) => f.rule_id))].sort();
  const index = new Map(fired.map((id, i) => [id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Vigil',
            semanticVersion: options.toolVersion,
            rules: fired.map((id) => ruleDescriptor(id, byId.get(id), report.findings.find((f) => f.rule_id === id)!)),
          },
        },
        originalUriBaseIds: { [ROOT]: { uri: pathToFileUri(path.resolve(options.root)) } },
        results: report.findings.map((f) => result(f, index.get(f.rule_id)!, options.root)),
        invocations: [
          {
            executionSuccessful: report.errors.length === 0,
            toolExecutionNotifications: report.errors.map((e) => ({ level: 'error', message: { text: `${e.source}: ${e.error}` } })),
          },
        ],
      },
    ],
  };
}

function ruleDescriptor(id: string, rule: RuleMeta | undefined, sample: ScanFinding): Record<string, unknown> {
  const title = rule?.title ?? sample.title;
  const description = rule?.description || title;
  const action = rule?.recommended_action ?? sample.recommended_action;
  const frameworks = Object.entries(rule?.frameworks ?? sample.frameworks).flatMap(([name, ids]) => ids.map((x) => `${name}:${x}`));
  const severity = rule?.severity ?? sample.severity;
  return {
    id,
    name: title,
    shortDescription: { text: title },
    fullDescription: { text: description },
    help: {
      text: `${action}${frameworks.length ? `\n\nFrameworks: ${frameworks.join(', ')}` : ''}`,
      markdown: `**${title}** (${severity})\n\n${description}\n\n**What to do:** ${action}${frameworks.length ? `\n\n**Frameworks:** ${frameworks.join(', ')}` : ''}`,
    },
    defaultConfiguration: { level: LEVEL[severity] ?? 'warning' },
    properties: { 'security-severity': SECURITY_SEVERITY[severity] ?? '5.5', tags: ['security', ...frameworks], precision: 'high' },
  };
}

function result(f: ScanFinding, ruleIndex: number, root: string): Record<string, unknown> {
  const uri = artifactUri(f.subject.source, root);
  return {
    ruleId: f.rule_id,
    ruleIndex,
    level: LEVEL[f.severity] ?? 'warning',
    message: { text: f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri, uriBaseId: ROOT },
          ...(f.line !== undefined ? { region: { startLine: f.line } } : {}),
        },
        logicalLocations: [{ name: f.subject.name, kind: f.subject.kind === 'image' ? 'module' : 'object' }],
      },
    ],
    // The same finding on the same subject of the same file, wherever its line moves.
    partialFingerprints: { 'vigilFinding/v1': fingerprint(f.rule_id, uri, f.subject.name, f.message) },
  };
}

/** A file under the root as a relative URI; anything else (the Docker socket, a host root) by its name. */
function artifactUri(source: string, root: string): string {
  const relative = path.relative(path.resolve(root), path.resolve(source));
  const clean = relative.startsWith('..') || path.isAbsolute(relative) ? source : relative;
  return clean.split(path.sep).map(encodeURIComponent).join('/').replace(/%3A/g, ':');
}

function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

function pathToFileUri(absolute: string): string {
  return `file://${absolute.split(path.sep).map(encodeURIComponent).join('/')}/`;
}
