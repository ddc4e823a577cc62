import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildBundle, inspectRules, PolicyEvaluator, readBundleFile, resolveTool } from '../engine/src/index.js';
import { factKindOf, toPolicyInput, type FactInit, type PolicyInput } from '../proto/src/index.js';
import { ContextCache, contextKeyOf, contextValueOf, type ContextPart } from '../engine/src/index.js';
import { rulesMarkdown } from '../cli/src/commands/policy.js';

/**
 * Rules that judge against learned profiles in data.vigil.profiles, which the bundle ships empty
 * (test/profiles.test.ts and test/hardening.test.ts drive them end to end).
 */
const LEARNED_PROFILE_RULES = ['VGL-CTR-040', 'VGL-RUN-047', 'VGL-RUN-048', 'VGL-RUN-049', 'VGL-RUN-050', 'VGL-RUN-051', 'VGL-RUN-052', 'VGL-RUN-053'];

const POLICIES = path.resolve('policies');

interface Example {
  file: string;
  description: string;
  input: FactInit;
  /** Facts the engine holds about the example's subject (container, image, host), joined as input.context. */
  context?: FactInit[];
  expect: string[];
}

/** The example's policy input, with its context joined the way an engine worker joins it. */
function inputOf(example: Example): PolicyInput {
  const input = toPolicyInput(example.input);
  const kind = factKindOf(example.input);
  if (!example.context || !kind) return input;
  const cache = new ContextCache();
  cache.apply(example.context.map((fact) => [contextKeyOf(factKindOf(fact)!, fact)!, contextValueOf(fact)]));
  const parts = new Set(example.context.map((fact) => factKindOf(fact) as ContextPart));
  const missing = cache.attach(kind, input, parts);
  if (missing.length > 0) throw new Error(`${example.file}: its context facts are not its subject's (${missing.join(', ')} not joined)`);
  return input;
}

async function loadExamples(): Promise<Example[]> {
  const root = path.join(POLICIES, 'examples');
  const files = (await fs.readdir(root, { recursive: true })).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => ({ file, ...(JSON.parse(await fs.readFile(path.join(root, file), 'utf8')) as Omit<Example, 'file'>) })),
  );
}

describe('default policy library', () => {
  let dir: string;
  let evaluator: PolicyEvaluator;
  let examples: Example[];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-policies-test-'));
    const outFile = path.join(dir, 'all.tar.gz');
    // Incubating rules too: examples show every rule, whether on by default or not.
    await buildBundle({ policyDir: POLICIES, outFile, includeIncubating: true });
    evaluator = await PolicyEvaluator.load(await readBundleFile(outFile));
    examples = await loadExamples();
  }, 120_000);

  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('policies - every rule has complete metadata and a unique id', async () => {
    // inspectRules throws VIGIL_ERR_POLICY_METADATA listing every problem.
    const { rules } = await inspectRules(resolveTool('opa'), POLICIES);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    expect(rules.length).toBeGreaterThanOrEqual(100);
  });

  it('policies - every example fact gives exactly its expected rules through the compiled WASM bundle', () => {
    expect(examples.length).toBeGreaterThan(50);
    const mismatches = [];
    for (const example of examples) {
      const kind = factKindOf(example.input);
      const fired = kind ? evaluator.evaluate(inputOf(example), kind).map((h) => h.rule.id).sort() : ['<no kind>'];
      const expected = [...example.expect].sort();
      if (JSON.stringify(fired) !== JSON.stringify(expected)) mismatches.push({ file: example.file, fired, expected });
    }
    expect(mismatches).toEqual([]);
  });

  it('policies - docs/policies.md lists the rules as they are', async () => {
    const docs = await fs.readFile(path.resolve('docs', 'policies.md'), 'utf8');
    expect(docs).toBe(rulesMarkdown(evaluator.rules));
  });

  it('policies - every rule fires on at least one example unless it needs user data', () => {
    const exercised = new Set(examples.flatMap((e) => e.expect));
    const silent = evaluator.rules.filter((r) => !exercised.has(r.id)).map((r) => r.id);
    // These need user data to fire (a policy switch, a vulnerability feed, workload profiles).
    const needData = ['VGL-HST-018', 'VGL-IMG-016', 'VGL-RUN-058', 'VGL-RUN-024', 'VGL-RUN-025', ...LEARNED_PROFILE_RULES];
    expect(silent.filter((id) => !needData.includes(id))).toEqual([]);
  });
});
