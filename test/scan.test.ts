import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FindingJSON } from '../proto/src/index.js';
import { docker } from './harness/index.js';
import { createRiskySet, RISKY, type RiskySet } from './support/risky-containers.js';

const run = promisify(execFile);
const VIGIL = path.resolve('bin', 'vigil.js');

interface Report {
  findings: FindingJSON[];
  errors: { source: string; error: string }[];
}

async function vigil(args: string[]): Promise<{ code: number; report: Report; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [VIGIL, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, report: JSON.parse(stdout) as Report, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, report: e.stdout ? (JSON.parse(e.stdout) as Report) : { findings: [], errors: [] }, stderr: e.stderr };
  }
}

const rulesOf = (report: Report, name: string): string[] =>
  [...new Set(report.findings.filter((f) => f.subject.name === name).map((f) => f.rule_id))].sort();

describe('vigil scan against the real Docker engine', () => {
  let set: RiskySet;
  let dir: string;

  beforeAll(async () => {
    set = await createRiskySet('scan');
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-scan-test-'));
  }, 120_000);

  afterAll(async () => {
    await set?.remove();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('scan - docker inspect of a privileged container reports CIS 5.5 and exits 1 on --fail-on high', async () => {
    const file = path.join(dir, 'privileged.json');
    await fs.writeFile(file, await docker(['inspect', set.names.privileged]));
    const { code, report } = await vigil(['scan', '--format', 'json', '--fail-on', 'high', file]);
    expect(report.errors).toEqual([]);
    const privileged = report.findings.find((f) => f.rule_id === 'VGL-CTR-001');
    expect(privileged?.frameworks['cis-docker']).toContain('5.5');
    expect(privileged?.severity).toBe('CRITICAL');
    expect(privileged?.subject).toEqual(expect.objectContaining({ kind: 'container', name: set.names.privileged, source: file }));
    expect(code).toBe(1);
  });

  it('scan - a hardened container has nothing high or critical and exits 0', async () => {
    const file = path.join(dir, 'hardened.json');
    await fs.writeFile(file, await docker(['inspect', set.names.hardened]));
    const { code, report } = await vigil(['scan', '--format', 'json', '--fail-on', 'high', file]);
    expect(report.errors).toEqual([]);
    expect(report.findings.filter((f) => f.severity === 'HIGH' || f.severity === 'CRITICAL')).toEqual([]);
    expect(code).toBe(0);
  });

  it('scan - each risky flag is reported through the socket, and the sandboxed twin is not', async () => {
    const { report } = await vigil(['scan', '--format', 'json', '--docker']);
    for (const [key, spec] of Object.entries(RISKY)) {
      expect({ key, rules: rulesOf(report, set.names[key as keyof typeof RISKY]) }).toEqual({ key, rules: expect.arrayContaining([spec.expect]) });
    }
    expect(rulesOf(report, set.names.untrusted_runsc)).not.toContain('VGL-CTR-012');
  });

  it('scan - the socket and the on-disk state give the same findings', async () => {
    const viaSocket = await vigil(['scan', '--format', 'json', '--docker']);
    const viaDisk = await vigil(['scan', '--format', 'json', '--host-root', '/']);
    expect(viaDisk.report.errors).toEqual([]);
    const ours = (r: Report) =>
      r.findings
        .filter((f) => f.subject.name.startsWith(set.prefix))
        .map((f) => `${f.subject.name} ${f.rule_id} ${f.message}`)
        .sort();
    expect(ours(viaSocket.report).length).toBeGreaterThan(10);
    expect(ours(viaDisk.report)).toEqual(ours(viaSocket.report));
  });

  it('scan - unreadable targets are errors with exit 2, and the readable ones are still judged', async () => {
    const broken = path.join(dir, 'broken.json');
    await fs.writeFile(broken, '[{"Id": "x", "HostConfig": {');
    const good = path.join(dir, 'privileged.json');
    const { code, report } = await vigil(['scan', '--format', 'json', broken, good, path.join(dir, 'missing.json')]);
    expect(code).toBe(2);
    expect(report.errors.map((e) => e.source).sort()).toEqual([broken, path.join(dir, 'missing.json')].sort());
    expect(report.findings.some((f) => f.rule_id === 'VGL-CTR-001' && f.subject.source === good)).toBe(true);
  });

  it('scan - a directory of Kubernetes manifests reports PSS controls per file and nothing for a restricted pod', async () => {
    const k8s = path.resolve('collectors', 'test', 'manifests', 'fixtures', 'k8s-dir');
    const { report } = await vigil(['scan', '--format', 'json', k8s]);
    const pssOf = (file: string): string[] =>
      [...new Set(report.findings.filter((f) => f.subject.source === path.join(k8s, file)).flatMap((f) => f.frameworks.pss ?? []))].sort();
    expect(pssOf('privileged-pod.yaml')).toEqual(expect.arrayContaining(['baseline/privileged-containers', 'baseline/host-namespaces', 'baseline/hostpath-volumes']));
    expect(pssOf('cronjob-hostnetwork.yaml')).toEqual(expect.arrayContaining(['baseline/host-namespaces', 'baseline/host-ports']));
    expect(pssOf('restricted-pod.yaml')).toEqual([]);
  });
});
