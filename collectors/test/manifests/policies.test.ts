/**
 * Acceptance: manifest facts go through the real container rules, compiled to
 * WebAssembly from policies/ the way `vigil policy build` does, so a rule reads
 * a manifest exactly as it reads a running container. Needs `opa` (scripts/setup.sh).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildBundle, packageRoot, PolicyEvaluator, readBundleFile } from '../../../engine/src/index.js';
import { toPolicyInput } from '../../../proto/src/index.js';
import { scanPath, type ManifestContainer } from '../../src/manifests/index.js';
import { fixturePath } from './fixtures.js';

let evaluator: PolicyEvaluator;
let scratch: string;

beforeAll(async () => {
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-manifests-'));
  const outFile = path.join(scratch, 'bundle.tar.gz');
  try {
    await buildBundle({ policyDir: path.join(packageRoot(), 'policies'), outFile });
  } catch (error) {
    throw new Error(`cannot build the policy bundle (is opa installed? run scripts/setup.sh): ${(error as Error).message}`);
  }
  evaluator = await PolicyEvaluator.load(await readBundleFile(outFile));
});

afterAll(async () => {
  if (scratch) await fs.rm(scratch, { recursive: true, force: true });
});

function hits(container: ManifestContainer) {
  return evaluator.evaluate(toPolicyInput({ container: container.fact }), 'container');
}

function ids(container: ManifestContainer): string[] {
  return hits(container).map((hit) => hit.rule.id).sort();
}

async function scanned(...parts: string[]): Promise<Map<string, ManifestContainer>> {
  const { containers } = await scanPath(fixturePath(...parts));
  return new Map(containers.map((c) => [c.fact.name ?? '', c]));
}

describe('manifests - container rules on manifests', () => {
  it('manifests - the restricted pod breaks no Pod Security Standards rule; only the unexpressible PIDs limit fires', async () => {
    const pod = (await scanned('k8s-dir', 'restricted-pod.yaml')).get('payments/Pod/api:api');
    expect(pod).toBeDefined();
    const found = hits(pod as ManifestContainer);
    expect(found.filter((hit) => hit.rule.frameworks.pss !== undefined).map((hit) => hit.rule.id)).toEqual([]);
    expect(found.map((hit) => hit.rule.id)).toEqual(['VGL-CTR-026']);
  });

  it('manifests - the risky k8s-dir workloads trip the rules their manifests call for', async () => {
    const facts = await scanned('k8s-dir');
    const get = (name: string): ManifestContainer => {
      const found = facts.get(name);
      if (!found) throw new Error(`missing ${name}`);
      return found;
    };
    expect(ids(get('ops/Pod/node-debugger:shell'))).toEqual(
      expect.arrayContaining(['VGL-CTR-001', 'VGL-CTR-004', 'VGL-CTR-005', 'VGL-CTR-009', 'VGL-CTR-030']),
    );
    expect(ids(get('logging/Deployment/log-shipper:shipper'))).toEqual(expect.arrayContaining(['VGL-CTR-030']));
    const hardening = ['VGL-CTR-011', 'VGL-CTR-014', 'VGL-CTR-024', 'VGL-CTR-036', 'VGL-CTR-038', 'VGL-CTR-039'];
    expect(ids(get('logging/Deployment/log-shipper:shipper')).filter((id) => hardening.includes(id))).toEqual([]);
    expect(ids(get('batch/CronJob/nightly-sync:sync'))).toEqual(
      expect.arrayContaining(['VGL-CTR-006', 'VGL-CTR-031', 'VGL-CTR-038', 'VGL-CTR-039', 'VGL-CTR-024']),
    );
    expect(ids(get('data/StatefulSet/db:postgres'))).toEqual(expect.arrayContaining(['VGL-CTR-002', 'VGL-CTR-037']));
    expect(ids(get('monitoring/DaemonSet/node-agent:agent'))).toEqual(
      expect.arrayContaining(['VGL-CTR-007', 'VGL-CTR-009', 'VGL-CTR-033', 'VGL-CTR-034']),
    );
    const message = hits(get('ops/Pod/node-debugger:shell')).find((hit) => hit.rule.id === 'VGL-CTR-004')?.messages[0];
    expect(message).toContain('ops/Pod/node-debugger:shell');
    expect(message).toContain('/var/run/docker.sock');
  });

  it('manifests - compose: the risky services trip CIS rules, the hardened web service none of the risky ones', async () => {
    const risky = await scanned('compose', 'risky');
    expect(ids(risky.get('agent') as ManifestContainer)).toEqual(
      expect.arrayContaining(['VGL-CTR-001', 'VGL-CTR-003', 'VGL-CTR-004', 'VGL-CTR-005', 'VGL-CTR-006', 'VGL-CTR-013', 'VGL-CTR-018']),
    );
    expect(ids(risky.get('debug') as ManifestContainer)).toEqual(
      expect.arrayContaining(['VGL-CTR-002', 'VGL-CTR-009', 'VGL-CTR-010', 'VGL-CTR-020', 'VGL-CTR-025']),
    );
    const web = (await scanned('compose', 'hardened')).get('web') as ManifestContainer;
    expect(web).toBeDefined();
    const risks = ['VGL-CTR-001', 'VGL-CTR-002', 'VGL-CTR-003', 'VGL-CTR-004', 'VGL-CTR-009', 'VGL-CTR-011', 'VGL-CTR-014'];
    expect(ids(web).filter((id) => risks.includes(id) || id === 'VGL-CTR-024' || id === 'VGL-CTR-025')).toEqual([]);
  });
});
