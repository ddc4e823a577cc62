import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import YAML from 'yaml';
import { podSecurityAllows } from '../cli/src/scan/pod-security.js';
import { scan } from '../cli/src/scan/scan.js';
import type { FindingJSON } from '../proto/src/index.js';
import { vigilBinDir } from './harness/index.js';
import { generatePods, type GeneratedPod } from './pss/pods.js';

/**
 * Pod Security Standards exactly as Kubernetes decides them: thousands of
 * generated pods judged by the reference (k8s.io/pod-security-admission, built
 * by the set-up into pss-reference) and by `vigil scan`, level by level, as
 * podSecurityAllows decides a level from a pod's findings.
 */

/** Every version where a control changed, and the newest with the most pods. */
const VERSIONS: Array<{ minor: number; combinations: number }> = [
  { minor: 25, combinations: 600 },
  { minor: 27, combinations: 300 },
  { minor: 29, combinations: 300 },
  { minor: 31, combinations: 300 },
  { minor: 32, combinations: 300 },
  { minor: 34, combinations: 600 },
  { minor: 35, combinations: 600 },
  { minor: 37, combinations: 5000 },
];

interface Verdict {
  baseline: boolean;
  restricted: boolean;
  why: string[];
}

async function reference(pods: readonly GeneratedPod[], minor: number): Promise<Map<string, Verdict>> {
  const binary = path.join(vigilBinDir(), 'pss-reference');
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run 'bash scripts/setup.sh --test' (it builds test/pss/reference with Go)`);
  const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const out = new Map<string, Verdict>();
  const done = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const a = JSON.parse(line) as { id: string; baseline: string[]; restricted: string[]; error?: string };
      if (a.error) reject(new Error(`pss-reference: ${a.id}: ${a.error}`));
      out.set(a.id, { baseline: a.baseline.length === 0, restricted: a.restricted.length === 0, why: a.restricted });
    });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pss-reference exited ${code}`))));
  });
  for (const p of pods) child.stdin.write(`${JSON.stringify({ id: p.id, version: `v1.${minor}`, pod: p.pod })}\n`);
  child.stdin.end();
  await done;
  return out;
}

async function vigil(pods: readonly GeneratedPod[], minor: number): Promise<Map<string, Verdict>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-pss-'));
  try {
    const files = new Map<string, string>();
    await Promise.all(
      pods.map(async (p, i) => {
        const file = path.join(dir, `pod-${i}.yaml`);
        files.set(file, p.id);
        await fs.writeFile(file, YAML.stringify(p.pod));
      }),
    );
    const report = await scan({ targets: [dir], pssVersion: minor });
    expect(report.errors).toEqual([]);
    const byPod = new Map<string, FindingJSON[]>(pods.map((p) => [p.id, []]));
    for (const f of report.findings) {
      const id = files.get(f.subject.source);
      if (id !== undefined && (f.frameworks['pss'] ?? []).length > 0) byPod.get(id)!.push(f);
    }
    const out = new Map<string, Verdict>();
    for (const [id, findings] of byPod) {
      out.set(id, {
        baseline: podSecurityAllows(findings, 'baseline'),
        restricted: podSecurityAllows(findings, 'restricted'),
        why: findings.map((f) => `${f.rule_id} ${(f.frameworks['pss'] ?? []).join(',')}`),
      });
    }
    return out;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

describe('pod security standards - vigil scan against the Kubernetes reference', () => {
  it.each(VERSIONS)('pss - every generated pod gets the reference\'s decision at both levels (Kubernetes v1.$minor)', async ({ minor, combinations }) => {
    const pods = generatePods(combinations, minor);
    const [want, got] = await Promise.all([reference(pods, minor), vigil(pods, minor)]);
    const disagreements: string[] = [];
    let agree = 0;
    for (const p of pods) {
      const w = want.get(p.id)!;
      const g = got.get(p.id)!;
      for (const level of ['baseline', 'restricted'] as const) {
        if (w[level] === g[level]) agree++;
        else disagreements.push(`${level} ${p.id}: reference ${w[level] ? 'allows' : 'refuses'} (${w.why.join('; ') || '-'}), vigil ${g[level] ? 'allows' : 'refuses'} (${g.why.join('; ') || '-'})`);
      }
    }
    if (process.env['VIGIL_PSS_DISAGREEMENTS']) await fs.appendFile(process.env['VIGIL_PSS_DISAGREEMENTS'], disagreements.map((d) => `v1.${minor} ${d}\n`).join(''));
    process.stdout.write(`pss v1.${minor}: ${pods.length} pods, ${agree} of ${pods.length * 2} level decisions agree\n`);
    expect(disagreements.slice(0, 40)).toEqual([]);
  }, 300_000);
});
