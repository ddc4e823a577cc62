import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseAllDocuments, parseDocument, type Document } from 'yaml';
import type { FindingJSON } from '../proto/src/index.js';

/**
 * Vigil's own deployment files, judged by Vigil's default policies: nothing
 * HIGH or CRITICAL may stand, and what the collector genuinely needs is
 * declared, with its reason, in the manifests themselves (vigil.dev/exceptions).
 */
const run = promisify(execFile);
const VIGIL = path.resolve('bin', 'vigil.js');
const DEPLOY = path.resolve('deploy');
const K8S = path.join(DEPLOY, 'k8s');
const COLLECTOR = path.join(K8S, 'base', 'collector', 'daemonset.yaml');
const COLLECTOR_NAME = 'vigil-collector/DaemonSet/vigil-collector:collector';
const ANNOTATION = 'vigil.dev/exceptions';

interface Excepted extends FindingJSON {
  exception: { justification: string; expires: string };
}

interface Report {
  findings: FindingJSON[];
  excepted: Excepted[];
  errors: { source: string; error: string }[];
}

async function scan(...targets: string[]): Promise<{ code: number; report: Report; stderr: string }> {
  const args = [VIGIL, 'scan', '--format', 'json', '--fail-on', 'high', ...targets];
  let code = 0;
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await run(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 }));
  } catch (error) {
    ({ code, stdout, stderr } = error as { code: number; stdout: string; stderr: string });
  }
  try {
    return { code, report: JSON.parse(stdout) as Report, stderr };
  } catch {
    throw new Error(`vigil scan exited ${code} without a JSON report (is the bundle built? bash scripts/build.sh)\n${stderr}`);
  }
}

/** The collector manifest with its DaemonSet changed by edit, as YAML text. */
function editedCollector(edit: (daemonSet: Document) => void): string {
  const documents = parseAllDocuments(readFileSync(COLLECTOR, 'utf8'));
  const daemonSet = documents.find((d) => d.get('kind') === 'DaemonSet');
  if (!daemonSet || daemonSet instanceof Array) throw new Error(`${COLLECTOR} has no DaemonSet`);
  edit(daemonSet as Document);
  return documents.map((d) => d.toString()).join('\n---\n');
}

const ANNOTATION_PATH = ['spec', 'template', 'metadata', 'annotations', ANNOTATION];

const highOrCritical = (findings: readonly FindingJSON[]): string[] =>
  findings.filter((f) => f.severity === 'HIGH' || f.severity === 'CRITICAL').map((f) => `${f.rule_id} ${f.subject.name}`);

const collectorRules = (findings: readonly FindingJSON[], name = COLLECTOR_NAME): string[] =>
  [...new Set(findings.filter((f) => f.subject.name === name).map((f) => f.rule_id))].sort();

/** What the collector needs and the default policies report (docs/operations.md says why). */
const COLLECTOR_NEEDS = ['VGL-CTR-002', 'VGL-CTR-003', 'VGL-CTR-005', 'VGL-CTR-030', 'VGL-CTR-036', 'VGL-CTR-037', 'VGL-CTR-039'];

describe('dogfood - vigil scan deploy/ with the default policies', () => {
  let report: Report;
  let code: number;
  let stderr: string;
  let dir: string;

  beforeAll(async () => {
    ({ report, code, stderr } = await scan(DEPLOY));
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-dogfood-'));
  }, 60_000);

  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('dogfood - Vigil\'s own manifests have nothing HIGH or CRITICAL and --fail-on high exits 0', () => {
    expect(report.errors).toEqual([]);
    expect(highOrCritical(report.findings)).toEqual([]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    // The scan did read the manifests: the collector, the engine and NATS are all there.
    const subjects = new Set([...report.findings, ...report.excepted].map((f) => f.subject.name));
    for (const name of [COLLECTOR_NAME, 'vigil/Deployment/vigil-engine:engine', 'vigil/StatefulSet/nats:nats']) {
      expect(subjects.has(name)).toBe(true);
    }
    // The images' Dockerfile is judged too; the collector stage's root is its declared exception.
    const dockerfile = (f: { subject: { kind: string } }): boolean => f.subject.kind === 'dockerfile';
    expect(report.findings.filter(dockerfile).map((f) => f.rule_id)).toEqual(['VGL-DKF-002']);
    expect(report.excepted.filter(dockerfile).map((f) => [f.rule_id, f.exception.justification !== ''])).toEqual([['VGL-DKF-001', true]]);
  });

  it('dogfood - the collector\'s privileges are declared exceptions, each with a justification', () => {
    const excepted = report.excepted.filter((f) => f.subject.name === COLLECTOR_NAME || f.subject.name === 'collector');
    expect(collectorRules(excepted)).toEqual(expect.arrayContaining(COLLECTOR_NEEDS));
    expect(highOrCritical(excepted).length).toBeGreaterThanOrEqual(4);
    for (const f of excepted) {
      expect(f.exception.justification.length).toBeGreaterThan(30);
      expect([path.join(DEPLOY, 'k8s', 'base', 'collector', 'daemonset.yaml'), path.join(DEPLOY, 'compose', 'docker-compose.yml')]).toContain(f.subject.source);
    }
    // The host-level waivers belong to the collectors (the DaemonSet and the compose
    // service): the engines and NATS get no capability, host mount or host namespace.
    const composeFile = path.join(DEPLOY, 'compose', 'docker-compose.yml');
    const composeCollector = report.excepted.filter((f) => f.subject.source === composeFile && f.subject.name === 'collector');
    expect(collectorRules(composeCollector, 'collector')).toEqual(expect.arrayContaining(['VGL-CTR-002', 'VGL-CTR-003', 'VGL-CTR-005']));
    const others = report.excepted.filter((f) => f.subject.name !== COLLECTOR_NAME && f.subject.name !== 'collector');
    const hostLevel = ['VGL-CTR-002', 'VGL-CTR-003', 'VGL-CTR-005', 'VGL-CTR-030', 'VGL-CTR-039'];
    expect(others.filter((f) => hostLevel.includes(f.rule_id)).map((f) => `${f.subject.name} ${f.rule_id}`)).toEqual([]);
  });

  it('dogfood - without the annotation the collector manifest fails the scan', async () => {
    let removed = false;
    const text = editedCollector((daemonSet) => {
      removed = daemonSet.deleteIn(ANNOTATION_PATH);
    });
    expect(removed).toBe(true);
    expect(text).not.toMatch(/^\s+vigil\.dev\/exceptions:/m);
    const file = path.join(dir, 'collector-undeclared.yaml');
    await fs.writeFile(file, text);

    const bare = await scan(file);
    expect(bare.report.errors).toEqual([]);
    expect(bare.report.excepted).toEqual([]);
    expect(collectorRules(bare.report.findings)).toEqual(expect.arrayContaining(COLLECTOR_NEEDS));
    expect(highOrCritical(bare.report.findings)).toEqual(
      expect.arrayContaining([`VGL-CTR-002 ${COLLECTOR_NAME}`, `VGL-CTR-003 ${COLLECTOR_NAME}`, `VGL-CTR-005 ${COLLECTOR_NAME}`]),
    );
    expect(bare.code).toBe(1);
  });

  it('dogfood - the same exceptions without justifications waive nothing and are reported', async () => {
    let unjustified = '';
    const text = editedCollector((daemonSet) => {
      unjustified = String(daemonSet.getIn(ANNOTATION_PATH))
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => `${line.slice(0, line.indexOf(':'))}:`)
        .join('\n');
      daemonSet.setIn(ANNOTATION_PATH, unjustified);
    });
    expect(unjustified).toMatch(/^VGL-CTR-002, VGL-CTR-039:$/m);
    const file = path.join(dir, 'collector-unjustified.yaml');
    await fs.writeFile(file, text);

    const result = await scan(file);
    expect(result.report.excepted).toEqual([]);
    expect(collectorRules(result.report.findings)).toEqual(expect.arrayContaining(COLLECTOR_NEEDS));
    expect(result.report.errors.length).toBe(unjustified.split('\n').length);
    for (const e of result.report.errors) expect(e.error).toMatch(/^VIGIL_ERR_MANIFEST_EXCEPTION: .* has no justification: it waives nothing$/);
    expect(result.code).toBe(2);
  });
});

/** Every kustomization's resources and components, resolved like kustomize does for local paths. */
function kustomizations(root: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) out.push(...kustomizations(full));
    else if (entry.name === 'kustomization.yaml') out.push(full);
  }
  return out.sort();
}

function yamlFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => path.join(root, name))
    .sort();
}

interface KubeObject {
  kind: string;
  metadata: { name: string };
  automountServiceAccountToken?: boolean;
  spec: { template: { spec: { automountServiceAccountToken?: boolean; serviceAccountName?: string } } };
}

describe('dogfood - deploy/k8s is well-formed kustomize', () => {
  it('dogfood - every YAML file under deploy/k8s parses, every object has apiVersion and kind', () => {
    const files = yamlFiles(K8S);
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) {
      const documents = parseAllDocuments(readFileSync(file, 'utf8'));
      for (const document of documents) {
        expect([file, document.errors.map((e) => e.message)]).toEqual([file, []]);
        const value = document.toJS() as { apiVersion?: unknown; kind?: unknown } | null;
        expect([file, typeof value?.apiVersion, typeof value?.kind]).toEqual([file, 'string', 'string']);
      }
    }
  });

  it('dogfood - kustomization resources and components exist, and base lists every manifest beside it', () => {
    const found = kustomizations(K8S);
    expect(found.map((file) => path.relative(K8S, file))).toEqual(
      expect.arrayContaining(['base/kustomization.yaml', 'components/keda-autoscaling/kustomization.yaml', 'overlays/example/kustomization.yaml']),
    );
    for (const file of found) {
      const k = parseDocument(readFileSync(file, 'utf8')).toJS() as { kind: string; resources?: string[]; components?: string[] };
      expect(['Kustomization', 'Component']).toContain(k.kind);
      for (const entry of [...(k.resources ?? []), ...(k.components ?? [])]) {
        const target = path.resolve(path.dirname(file), entry);
        const ok = existsSync(target) && (statSync(target).isFile() || existsSync(path.join(target, 'kustomization.yaml')));
        expect([path.relative(K8S, file), entry, ok]).toEqual([path.relative(K8S, file), entry, true]);
      }
    }
    const base = path.join(K8S, 'base');
    const listed = (parseDocument(readFileSync(path.join(base, 'kustomization.yaml'), 'utf8')).toJS() as { resources: string[] }).resources;
    const present = yamlFiles(base)
      .map((file) => path.relative(base, file))
      .filter((file) => file !== 'kustomization.yaml');
    expect([...listed].sort()).toEqual(present);
  });

  it('dogfood - no pod gets a Kubernetes API token, and every ServiceAccount refuses to mount one', () => {
    const objects = yamlFiles(path.join(K8S, 'base')).flatMap((file) =>
      parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as KubeObject),
    );
    const accounts = objects.filter((o) => o.kind === 'ServiceAccount');
    expect(accounts.map((a) => a.metadata.name).sort()).toEqual(['nats', 'vigil-collector', 'vigil-engine']);
    for (const account of accounts) expect([account.metadata.name, account.automountServiceAccountToken]).toEqual([account.metadata.name, false]);
    const workloads = objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind));
    expect(workloads).toHaveLength(3);
    for (const w of workloads) {
      const spec = w.spec.template.spec;
      expect([w.metadata.name, spec.automountServiceAccountToken]).toEqual([w.metadata.name, false]);
      expect(accounts.map((a) => a.metadata.name)).toContain(spec.serviceAccountName);
    }
    // No RBAC: nothing in Vigil reads the Kubernetes API.
    expect(objects.filter((o) => /Role/.test(o.kind))).toEqual([]);
  });
});

describe('dogfood - Vigil\'s own images', () => {
  const IMAGES = ['vigil/engine:dev', 'vigil/collector:dev'];
  let dir: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-dogfood-images-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it.each(IMAGES)('dogfood - %s scans with nothing above LOW', async (image) => {
    const tar = path.join(dir, `${image.replace(/[/:]/g, '_')}.tar`);
    try {
      await run('docker', ['save', image, '-o', tar], { maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      throw new Error(`${image} is not built here (scripts/setup.sh --test builds it): ${(error as Error).message}`);
    }
    const { report } = await scan(tar);
    expect(report.errors).toEqual([]);
    // The image itself is judged: a tarball with no image fact would pass vacuously.
    expect(report.findings.some((f) => f.subject.kind === 'image')).toBe(true);
    const aboveLow = report.findings.filter((f) => f.severity !== 'LOW').map((f) => `${f.severity} ${f.rule_id}: ${f.message}`);
    expect(aboveLow).toEqual([]);
    // What the image waives for itself (its vigil.dev/exceptions label) says why.
    expect(report.excepted.filter((f) => f.exception.justification.trim() === '')).toEqual([]);
    if (image === 'vigil/collector:dev') expect(report.excepted.map((f) => f.rule_id)).toEqual(['VGL-IMG-001']);
  }, 180_000);
});
