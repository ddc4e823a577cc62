import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import AjvDraft04Module from 'ajv-draft-04';

/**
 * `vigil scan --format sarif` as GitHub code scanning takes it: valid against
 * the SARIF 2.1.0 schema (test/schemas), rules with help and
 * security-severity, results at the manifest line of their container or
 * service, fingerprints that survive lines moving.
 */
const run = promisify(execFile);
const VIGIL = path.resolve('bin', 'vigil.js');
// ajv-draft-04 is CommonJS: its class is the module's default export.
const AjvDraft04 = ((AjvDraft04Module as unknown as { default?: typeof AjvDraft04Module }).default ?? AjvDraft04Module) as unknown as new (options: object) => { compile(schema: object): { (data: unknown): boolean; errors?: unknown } };
const SCHEMA = JSON.parse(readFileSync(path.resolve('test', 'schemas', 'sarif-2.1.0-rtm.5.json'), 'utf8')) as Record<string, unknown>;

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region?: { startLine: number } } }>;
  partialFingerprints: Record<string, string>;
}
interface SarifLog {
  version: string;
  runs: Array<{ tool: { driver: { rules: Array<{ id: string; help: { text: string }; shortDescription: { text: string }; fullDescription: { text: string }; properties: Record<string, unknown> }> } }; results: SarifResult[] }>;
}

async function sarif(cwd: string, ...targets: string[]): Promise<SarifLog> {
  const { stdout } = await run(process.execPath, [VIGIL, 'scan', '--format', 'sarif', ...targets], { cwd, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as SarifLog;
}

const POD = `# a pod that fails several controls
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  hostNetwork: true
  containers:
    - name: app
      image: nginx:latest
      securityContext:
        privileged: true
    - name: sidecar
      image: busybox:1
`;

const DOCKERFILE = `# syntax=docker/dockerfile:1
FROM node:22 AS build
RUN apt-get update
RUN curl -fsSL https://get.example.com/setup.sh | bash

FROM node:22-slim
COPY --from=build --chown=node:node /app /app
EXPOSE 80
`;

describe('scan - SARIF 2.1.0 for code scanning', () => {
  const validate = // The schema's language pattern is not valid with the u flag: the RegExp semantics of its time.
  new AjvDraft04({ strict: false, allErrors: true, unicodeRegExp: false }).compile(SCHEMA);
  let dir: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-sarif-'));
    await fs.mkdir(path.join(dir, 'k8s'));
    await fs.writeFile(path.join(dir, 'k8s', 'pod.yaml'), POD);
    await fs.mkdir(path.join(dir, 'web'));
    await fs.writeFile(path.join(dir, 'web', 'Dockerfile'), DOCKERFILE);
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('sarif - the scan of deploy/ validates against the SARIF 2.1.0 schema, every result at a file and line', async () => {
    const log = await sarif(process.cwd(), 'deploy');
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    const run0 = log.runs[0]!;
    expect(run0.results.length).toBeGreaterThan(0);
    for (const r of run0.results) {
      const location = r.locations[0]!.physicalLocation;
      expect(location.artifactLocation.uri).toMatch(/^deploy\//);
      expect(location.region?.startLine).toBeGreaterThan(0);
      expect(run0.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
    }
  }, 120_000);

  it('sarif - rules carry descriptions, help and security-severity; results point at the container\'s line', async () => {
    const log = await sarif(dir, 'k8s');
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    const { rules } = log.runs[0]!.tool.driver;
    const results = log.runs[0]!.results;
    for (const rule of rules) {
      expect(rule.shortDescription.text).not.toBe('');
      expect(rule.fullDescription.text).not.toBe('');
      expect(rule.help.text).not.toBe('');
      expect(Number(rule.properties['security-severity'])).toBeGreaterThan(0);
    }
    const privileged = results.find((r) => r.ruleId === 'VGL-CTR-001');
    expect(privileged?.level).toBe('error');
    // At the field that causes it, kept through normalisation: `privileged: true`.
    expect(privileged?.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'k8s/pod.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 12 } });
    const linesOf = (rule: string): Set<number | undefined> => new Set(results.filter((r) => r.ruleId === rule).map((r) => r.locations[0]!.physicalLocation.region?.startLine));
    // hostNetwork is the pod's: both containers' findings point at it.
    expect(linesOf('VGL-CTR-006')).toEqual(new Set([7]));
    // The app's seccomp finding comes from privileged; the sidecar sets nothing, so its finding sits at its own start.
    expect(linesOf('VGL-CTR-038')).toEqual(new Set([12, 13]));
  }, 60_000);

  it('sarif - compose findings at the key that causes them; what is missing at the service', async () => {
    await fs.writeFile(
      path.join(dir, 'compose.yaml'),
      ['services:', '  web:', '    image: nginx:1.27', '    cap_add:', '      - NET_BIND_SERVICE', '      - SYS_PTRACE', '    volumes:', '      - /var/run/docker.sock:/var/run/docker.sock', ''].join('\n'),
    );
    const log = await sarif(dir, 'compose.yaml');
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    const at = (rule: string): number | undefined => log.runs[0]!.results.find((r) => r.ruleId === rule)?.locations[0]!.physicalLocation.region?.startLine;
    expect(at('VGL-CTR-039')).toBeDefined();
    expect([at('VGL-CTR-004'), at('VGL-CTR-014')]).toEqual([8, 2]);
    const added = log.runs[0]!.results.filter((r) => r.ruleId === 'VGL-CTR-039').map((r) => r.locations[0]!.physicalLocation.region?.startLine);
    expect(added).toEqual(expect.arrayContaining([6]));
  }, 60_000);

  it('sarif - a Dockerfile validates, each result at the line of the instruction that causes it', async () => {
    const log = await sarif(dir, 'web');
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    const at = log.runs[0]!.results.map((r) => [r.ruleId, r.locations[0]!.physicalLocation.artifactLocation.uri, r.locations[0]!.physicalLocation.region?.startLine]);
    expect(at).toEqual(
      expect.arrayContaining([
        ['VGL-DKF-005', 'web/Dockerfile', 3],
        ['VGL-DKF-006', 'web/Dockerfile', 4],
        ['VGL-DKF-001', 'web/Dockerfile', 6],
        ['VGL-DKF-002', 'web/Dockerfile', 6],
        ['VGL-DKF-011', 'web/Dockerfile', 8],
      ]),
    );
    expect(at).toHaveLength(5);
  }, 60_000);

  it('scan - --severity keeps only the named severities and --exit-code sets the status when any remain', async () => {
    const result = await run(process.execPath, [VIGIL, 'scan', '--format', 'json', '--severity', 'critical,high', 'k8s'], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
    const severities = new Set((JSON.parse(result.stdout) as { findings: Array<{ severity: string }> }).findings.map((f) => f.severity));
    expect([...severities].sort()).toEqual(['CRITICAL', 'HIGH'].filter((s) => severities.has(s)));
    expect(severities.size).toBeGreaterThan(0);
    const failed = await run(process.execPath, [VIGIL, 'scan', '--exit-code', '7', '--severity', 'HIGH', 'k8s'], { cwd: dir }).then(() => 0, (e: { code: number }) => e.code);
    expect(failed).toBe(7);
    const none = await run(process.execPath, [VIGIL, 'scan', '--exit-code', '7', '--severity', 'LOW', path.resolve('deploy', 'k8s')], { cwd: dir }).then(() => 0, (e: { code: number }) => e.code);
    expect(none).toBe(0);
  }, 60_000);

  it('junit - a testsuite per source, a failed testcase per finding, special characters escaped', async () => {
    const { stdout } = await run(process.execPath, [VIGIL, 'scan', '--format', 'junit', 'k8s'], { cwd: dir });
    const json = JSON.parse((await run(process.execPath, [VIGIL, 'scan', '--format', 'json', 'k8s'], { cwd: dir })).stdout) as { findings: unknown[] };
    expect(stdout.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="vigil scan"')).toBe(true);
    expect(stdout.match(/<testsuite /g)).toHaveLength(1);
    expect(stdout.match(/<failure /g)).toHaveLength(json.findings.length);
    expect(stdout).toContain(`failures="${json.findings.length}"`);
    // Messages quote names: the quotes are escaped, never raw inside an attribute.
    expect(stdout).toContain('&quot;');
    expect(stdout).not.toMatch(/message="[^"]*<[^"]*"/);
  }, 60_000);

  it('scan - .vigilignore drops a rule (by path, until a date), its YAML form says why, --skip-dirs leaves a directory out', async () => {
    const json = async (...args: string[]) =>
      JSON.parse((await run(process.execPath, [VIGIL, 'scan', '--format', 'json', ...args], { cwd: dir, maxBuffer: 64 * 1024 * 1024 })).stdout) as {
        findings: Array<{ rule_id: string }>;
        ignored?: Array<{ rule_id: string; ignored: { statement: string } }>;
      };
    const all = await json('k8s');
    expect(all.findings.some((f) => f.rule_id === 'VGL-CTR-001')).toBe(true);
    await fs.writeFile(path.join(dir, '.vigilignore'), '# reviewed\nVGL-CTR-001 k8s/** exp:2999-12-31\nVGL-CTR-038 other/** \nVGL-CTR-039 exp:2000-01-01\n');
    const ignored = await json('k8s');
    expect(ignored.findings.some((f) => f.rule_id === 'VGL-CTR-001')).toBe(false);
    // Another path's entry and an expired one ignore nothing.
    expect(ignored.findings.some((f) => f.rule_id === 'VGL-CTR-038')).toBe(true);
    expect(ignored.findings.some((f) => f.rule_id === 'VGL-CTR-039')).toBe(true);
    expect(ignored.ignored?.map((f) => f.rule_id)).toEqual(['VGL-CTR-001']);
    await fs.rm(path.join(dir, '.vigilignore'));
    await fs.writeFile(path.join(dir, 'ignore.yaml'), 'rules:\n  - id: VGL-CTR-001\n    paths: [k8s/pod.yaml]\n    statement: the node agent runs privileged by design\n');
    const yaml = await json('--ignorefile', 'ignore.yaml', 'k8s');
    expect(yaml.ignored?.[0]?.ignored.statement).toBe('the node agent runs privileged by design');
    await fs.mkdir(path.join(dir, 'tree', 'vendor'), { recursive: true });
    await fs.writeFile(path.join(dir, 'tree', 'vendor', 'pod.yaml'), POD);
    expect((await json('tree')).findings.length).toBeGreaterThan(0);
    expect((await json('--skip-dirs', 'tree/vendor', 'tree')).findings).toEqual([]);
    expect((await json('--skip-files', '**/pod.yaml', 'tree')).findings).toEqual([]);
    await expect(run(process.execPath, [VIGIL, 'scan', '--ignorefile', 'missing.txt', 'k8s'], { cwd: dir })).rejects.toMatchObject({ code: 2 });
  }, 60_000);

  it('sarif - fingerprints are stable across runs and when the finding\'s line moves', async () => {
    const fingerprints = (log: SarifLog) => log.runs[0]!.results.map((r) => r.partialFingerprints['vigilFinding/v1']).sort();
    const before = await sarif(dir, 'k8s');
    expect(fingerprints(await sarif(dir, 'k8s'))).toEqual(fingerprints(before));
    await fs.writeFile(path.join(dir, 'k8s', 'pod.yaml'), `# moved down\n\n${POD}`);
    const after = await sarif(dir, 'k8s');
    expect(fingerprints(after)).toEqual(fingerprints(before));
    expect(after.runs[0]!.results.find((r) => r.ruleId === 'VGL-CTR-001')?.locations[0]!.physicalLocation.region?.startLine).toBe(14);
  }, 60_000);
});
