import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildBundle, packageRoot, PolicyEvaluator, readBundleFile, type Bundle } from '../../src/index.js';
import { toPolicyInput, type FactInit, type PolicyInput } from '../../../proto/src/index.js';

/** Every example fact under policies/examples, as policy input. */
async function exampleInputs(): Promise<{ file: string; input: PolicyInput }[]> {
  const root = path.join(packageRoot(), 'policies', 'examples');
  const files = (await fs.readdir(root, { recursive: true })).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => {
      const example = JSON.parse(await fs.readFile(path.join(root, file), 'utf8')) as { input: FactInit };
      return { file, input: toPolicyInput(example.input) };
    }),
  );
}

const asPairs = (hits: ReturnType<PolicyEvaluator['evaluate']>): [string, string[]][] =>
  hits.map((h): [string, string[]] => [h.rule.id, [...h.messages].sort()]).sort((a, b) => a[0].localeCompare(b[0]));

describe('policy batch entrypoint', () => {
  let dir: string;
  let bundle: Bundle;
  let examples: { file: string; input: PolicyInput }[];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-batch-test-'));
    const outFile = path.join(dir, 'all.tar.gz');
    // Incubating rules too, so every rule an example exercises is in the bundle.
    await buildBundle({ policyDir: path.join(packageRoot(), 'policies'), outFile, includeIncubating: true });
    bundle = await readBundleFile(outFile);
    examples = await exampleInputs();
  }, 60_000);

  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  const single = (evaluator: PolicyEvaluator, input: PolicyInput) => asPairs(evaluator.evaluate(input, input.kind as never));

  it('policy batch - every example fact gets the same findings in a mixed batch as alone', async () => {
    // Without the rule index: every fact goes through WASM, so the calls are counted exactly.
    const evaluator = await PolicyEvaluator.load(bundle, {}, { batchSize: 1000, index: false });
    expect(examples.length).toBeGreaterThan(50);
    const alone = examples.map((e) => single(evaluator, e.input));
    expect(alone.filter((hits) => hits.length > 0).length).toBeGreaterThan(40);

    // Kinds interleaved (reverse order), all in one call of vigil/main/batch.
    const reversed = [...examples].reverse();
    const before = evaluator.callCounts();
    const batched = evaluator.evaluateBatch(reversed.map((e) => e.input)).reverse();
    expect(evaluator.callCounts()).toEqual({ batch: before.batch + 1, single: before.single, skipped: 0 });
    const mismatches = examples
      .map((e, i) => ({ file: e.file, alone: alone[i], batched: batched[i] instanceof Error ? String(batched[i]) : asPairs(batched[i] as never) }))
      .filter((m) => JSON.stringify(m.alone) !== JSON.stringify(m.batched));
    expect(mismatches).toEqual([]);
  });

  it('policy batch - batches of every size agree with one call per fact', async () => {
    const evaluator = await PolicyEvaluator.load(bundle, {}, { batchSize: 7, index: false });
    const alone = examples.map((e) => single(evaluator, e.input));
    const before = evaluator.callCounts();
    const batched = evaluator.evaluateBatch(examples.map((e) => e.input));
    // A last chunk of one fact takes the per-kind entrypoint.
    const lastAlone = examples.length % 7 === 1 ? 1 : 0;
    expect(evaluator.callCounts()).toEqual({ batch: before.batch + Math.ceil(examples.length / 7) - lastAlone, single: before.single + lastAlone, skipped: 0 });
    expect(batched.map((b) => (b instanceof Error ? String(b) : asPairs(b)))).toEqual(alone);
  });

  it('policy batch - exceptions from the data overlay apply inside a batch as they do alone', async () => {
    const privileged = examples.find((e) => e.file.endsWith('container/privileged.json'));
    expect(privileged).toBeDefined();
    const overlay = {
      vigil: {
        exceptions: [{ rules: ['VGL-CTR-001'], justification: 'CI runner', scope: { container_name: 'dind' }, expires: '2999-12-31' }],
      },
    };
    const plain = await PolicyEvaluator.load(bundle);
    const excepted = await PolicyEvaluator.load(bundle, overlay);
    const input = privileged!.input;
    expect(single(plain, input).map(([id]) => id)).toContain('VGL-CTR-001');
    expect(single(excepted, input).map(([id]) => id)).not.toContain('VGL-CTR-001');

    const others = examples.slice(0, 5).map((e) => e.input);
    const [first] = excepted.evaluateBatch([input, ...others]);
    expect(asPairs(first as never)).toEqual(single(excepted, input));
  });

  it('policy batch - a fact without a kind gets no findings and does not shift the others', async () => {
    const evaluator = await PolicyEvaluator.load(bundle);
    const privileged = examples.find((e) => e.file.endsWith('container/privileged.json'))!.input;
    const kindless = { id: 'no-kind' } as PolicyInput;
    const outcomes = evaluator.evaluateBatch([kindless, privileged, kindless]);
    expect(outcomes.map((o) => (o instanceof Error ? 'error' : asPairs(o)))).toEqual([[], single(evaluator, privileged), []]);
  });
});
