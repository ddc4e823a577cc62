import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeFactFile } from '../cli/src/facts/fact-file.js';
import { defaultBundlePath, readBundleFile } from '../engine/src/index.js';
import { encodeFactBatch, v1, type FactInit } from '../proto/src/index.js';
import { runVigil } from './support/vigil-process.js';

/**
 * `vigil scan --facts` joins runtime events with the container, image and
 * host facts of the file, as the engine joins them with the ones it holds:
 * the rules that read `input.context` fire offline too. Real CLI, real WASM.
 */

interface Example {
  input: Record<string, unknown>;
  context?: Record<string, unknown>[];
  expect: string[];
}

const EXAMPLES = path.resolve('policies', 'examples', 'runtime');
const asFact = (doc: Record<string, unknown>): FactInit => {
  const { kind: _kind, context: _context, ...rest } = doc;
  return v1.Fact.fromObject(rest) as FactInit;
};

async function* batchesOf(facts: FactInit[]): AsyncGenerator<Uint8Array> {
  for (const fact of facts) yield encodeFactBatch({ id: `batch-${fact.id}`, facts: [fact] });
}

describe('scan - context joins in a fact file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-scan-context-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const scanned = async (name: string, facts: FactInit[]): Promise<Array<{ rule_id: string; subject: { kind: string } }>> => {
    const file = path.join(dir, `${name}.vigil.gz`);
    await writeFactFile(file, batchesOf(facts));
    const result = await runVigil(['scan', '--facts', file, '--format', 'json']);
    if (result.code !== 0 && result.code !== 1) throw new Error(`vigil scan exited ${result.code}: ${result.stderr}`);
    return (JSON.parse(result.stdout) as { findings: Array<{ rule_id: string; subject: { kind: string } }> }).findings;
  };

  it('scan - every context rule of the shipped examples fires from a fact file holding the event after its context, and not without it', async () => {
    const files = (await fs.readdir(EXAMPLES)).filter((f) => f.endsWith('.json'));
    const examples = await Promise.all(files.map(async (f) => ({ name: f, ...(JSON.parse(await fs.readFile(path.join(EXAMPLES, f), 'utf8')) as Example) })));
    const { manifest } = await readBundleFile(defaultBundlePath());
    const contextRules = new Set(manifest.rules.filter((r) => (r.context ?? []).length > 0).map((r) => r.id));
    const withContext = examples.filter((e) => (e.context ?? []).length > 0 && e.expect.some((id) => contextRules.has(id)));
    expect(withContext.length).toBeGreaterThanOrEqual(3);
    for (const example of withContext) {
      const event = asFact(example.input);
      const context = (example.context ?? []).map(asFact);
      const runtime = (findings: Array<{ rule_id: string; subject: { kind: string } }>) => findings.filter((f) => f.subject.kind === example.input.kind).map((f) => f.rule_id).sort();
      expect({ example: example.name, rules: runtime(await scanned(example.name, [...context, event])) }).toEqual({ example: example.name, rules: [...example.expect].sort() });
      // The event alone: rules reading context cannot fire.
      const alone = runtime(await scanned(`${example.name}-alone`, [event]));
      expect({ example: example.name, rules: alone }).toEqual({ example: example.name, rules: example.expect.filter((id) => !contextRules.has(id)).sort() });
    }
  }, 180_000);
});
