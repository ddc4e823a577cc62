import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildBundle, PolicyEvaluator, readBundleFile, type Bundle } from '../../src/index.js';
import type { PolicyInput } from '../../../proto/src/index.js';
import { ruleText } from '../../../test/harness/rule-text.js';

// Rules written the ways an author may: unification in either direction, a rule name on
// one side of `=`, a constant rule iterated, a helper with an else chain the index cannot read.
const RULES: Array<[string, string, string]> = [
  ['T-1', 'vigil.runtime.unify_right', 'deny contains "nc" if {\n\tinput.process_exec.process.comm = name\n\tname == "nc"\n}'],
  ['T-2', 'vigil.runtime.rule_on_left', '_names := {"sh", "bash"}\n\ndeny contains "shell" if {\n\tsome n in _names\n\tn = input.process_exec.process.comm\n}'],
  ['T-3', 'vigil.runtime.rule_compared', '_name := "curl"\n\ndeny contains "curl" if {\n\t_name = input.process_exec.process.comm\n}'],
  ['T-4', 'vigil.runtime.unreadable', '_odd(p) := true if {\n\tcount(p.args) > 2\n} else := false\n\ndeny contains "odd" if {\n\t_odd(input.process_exec.process)\n}'],
];

const event = (comm: string, args: string[]): PolicyInput =>
  ({ kind: 'process_exec', process_exec: { process: { pid: 1, comm, exe: `/usr/bin/${comm}`, args }, container: { id: 'c1', name: 'web' } } }) as unknown as PolicyInput;

describe('rule index derivation', () => {
  let dir: string;
  let bundle: Bundle;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-index-derive-'));
    await fs.mkdir(path.join(dir, 'runtime'));
    for (const [id, pkg, body] of RULES) await fs.writeFile(path.join(dir, 'runtime', `${pkg.split('.').pop()}.rego`), ruleText(id, 'process_exec', pkg, body));
    const outFile = path.join(dir, 'bundle.tar.gz');
    await buildBundle({ policyDir: dir, outFile });
    bundle = await readBundleFile(outFile);
  }, 60_000);

  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('rule index - each way of writing a test gives the findings of evaluating every rule', async () => {
    const indexed = await PolicyEvaluator.load(bundle);
    const full = await PolicyEvaluator.load(bundle, {}, { index: false });
    const inputs = ['nc', 'sh', 'bash', 'curl', 'ls'].flatMap((comm) => [event(comm, [comm]), event(comm, [comm, '-a', '-b'])]);
    const ids = (evaluator: PolicyEvaluator): string[][] =>
      evaluator.evaluateBatch(inputs).map((o) => (o instanceof Error ? [o.message] : o.map((h) => h.rule.id).sort()));
    const expected = ids(full);
    expect(expected.flat().sort()).toEqual(['T-1', 'T-1', 'T-2', 'T-2', 'T-2', 'T-2', 'T-3', 'T-3', 'T-4', 'T-4', 'T-4', 'T-4', 'T-4']);
    expect(ids(indexed)).toEqual(expected);
    // The readable rules got conditions; the unreadable one keeps every fact of its kind in WASM.
    expect(Object.keys(bundle.manifest.index!.conditions).sort()).toEqual(['T-1', 'T-2', 'T-3']);
    expect(indexed.callCounts().skipped).toBe(0);
  });
});
