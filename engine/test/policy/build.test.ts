import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildBundle, PolicyEvaluator, readBundleFile, VigilEngineError } from '../../src/index.js';
import { PolicySet } from '../../src/policy/policy-set.js';
import { unchangedRules } from '../../src/policy/unchanged-rules.js';
import { toPolicyInput } from '../../../proto/src/index.js';
import { ruleText } from '../../../test/harness/rule-text.js';


describe('policy build', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-build-test-'));
    await fs.mkdir(path.join(dir, 'container'));
    await fs.mkdir(path.join(dir, 'lib'));
    await fs.writeFile(
      path.join(dir, 'container', 'privileged.rego'),
      ruleText('T-1', 'container', 'vigil.container.privileged', 'deny contains sprintf("%s is privileged", [input.container.name]) if input.container.privileged'),
    );
    await fs.writeFile(
      path.join(dir, 'container', 'experimental.rego'),
      ruleText('T-2', 'container', 'vigil.container.experimental', 'deny contains "always" if input.container', 'incubating'),
    );
    await fs.writeFile(path.join(dir, 'container', 'privileged_test.rego'), 'package vigil.container.privileged_test\n\ntest_nothing if true\n');
    await fs.writeFile(
      path.join(dir, 'lib', 'exceptions.rego'),
      'package vigil.lib.exceptions\n\nexcepted(rule_id, fact, today) if {\n\tsome e in data.vigil.exceptions\n\te.rule == rule_id\n\te.name == fact.container.name\n\ttoday <= e.expires\n}\n',
    );
    await fs.writeFile(
      path.join(dir, 'data.json'),
      JSON.stringify({ vigil: { exceptions: [{ rule: 'T-1', name: 'excepted', expires: '2999-01-01' }, { rule: 'T-1', name: 'expired', expires: '2000-01-01' }] } }),
    );
  });

  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('policy build - compiles to WASM, routes by kind and applies exceptions', async () => {
    const outFile = path.join(dir, 'out', 'bundle.tar.gz');
    const result = await buildBundle({ policyDir: dir, outFile });
    expect(result.rules.map((r) => r.id)).toEqual(['T-1', 'T-2']);

    const bundle = await readBundleFile(outFile);
    expect(bundle.manifest.enabled).toEqual(['T-1']);
    const evaluator = await PolicyEvaluator.load(bundle);
    const judge = (name: string) =>
      evaluator.evaluate(toPolicyInput({ id: 'f', container: { name, privileged: true } }), 'container').map((h) => [h.rule.id, h.messages]);

    expect(judge('web')).toEqual([['T-1', ['web is privileged']]]);
    expect(judge('excepted')).toEqual([]);
    expect(judge('expired')).toEqual([['T-1', ['expired is privileged']]]);
    expect(evaluator.evaluate(toPolicyInput({ id: 'g', host: { hostname: 'h' } }), 'host')).toEqual([]);
  });

  it('policy build - incubating rules join when asked', async () => {
    const outFile = path.join(dir, 'out', 'all.tar.gz');
    await buildBundle({ policyDir: dir, outFile, includeIncubating: true });
    const evaluator = await PolicyEvaluator.load(await readBundleFile(outFile));
    const hits = evaluator.evaluate(toPolicyInput({ id: 'f', container: { name: 'x' } }), 'container');
    expect(hits.map((h) => h.rule.id)).toEqual(['T-2']);
  });

  it('policy build - a policy that does not compile gives a clear error naming the file', async () => {
    const broken = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-broken-'));
    await fs.writeFile(path.join(broken, 'bad.rego'), ruleText('T-9', 'container', 'vigil.container.bad', 'deny contains x if { x := }'));
    const error = await buildBundle({ policyDir: broken, outFile: path.join(broken, 'b.tar.gz') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VigilEngineError);
    expect((error as VigilEngineError).code).toBe('VIGIL_ERR_POLICY_COMPILE');
    expect((error as Error).message).toContain(path.join(broken, 'bad.rego'));
    await fs.rm(broken, { recursive: true, force: true });
  });

  it('policy build - rule digests: the same sources give the same digests anywhere; a changed rule changes its own, a library or data change every one', async () => {
    const variant = async (name: string, change: (d: string) => Promise<void>): Promise<string> => {
      const copy = path.join(dir, '..', `${path.basename(dir)}-${name}`);
      await fs.cp(dir, copy, { recursive: true, filter: (src) => !src.includes(`${path.sep}out`) });
      await fs.writeFile(path.join(copy, 'container', 'mounts.rego'), ruleText('T-3', 'container', 'vigil.container.mounts', 'deny contains "mounts" if input.container.name == "web"'));
      await change(copy);
      const outFile = path.join(copy, 'bundle.tar.gz');
      await buildBundle({ policyDir: copy, outFile });
      return outFile;
    };
    const digests = async (file: string) => Object.fromEntries((await readBundleFile(file)).manifest.rules.map((r) => [r.id, r.digest]));
    const base = await variant('base', async () => undefined);
    const again = await variant('again', async () => undefined);
    const ruleChanged = await variant('rule', (d) => fs.writeFile(path.join(d, 'container', 'mounts.rego'), ruleText('T-3', 'container', 'vigil.container.mounts', 'deny contains "mounts!" if input.container.name == "web"')));
    const libChanged = await variant('lib', (d) => fs.appendFile(path.join(d, 'lib', 'exceptions.rego'), '\nunused := 1\n'));
    const [b, a, r, l] = (await Promise.all([base, again, ruleChanged, libChanged].map(digests))) as [Record<string, string | undefined>, Record<string, string | undefined>, Record<string, string | undefined>, Record<string, string | undefined>];
    expect(b['T-1']).toMatch(/^[0-9a-f]{32}$/);
    expect(a).toEqual(b);
    expect(r['T-1']).toBe(b['T-1']);
    expect(r['T-3']).not.toBe(b['T-3']);
    for (const id of ['T-1', 'T-2', 'T-3']) expect(l[id]).not.toBe(b[id]);
    const [baseline, candidate] = await Promise.all([readBundleFile(base), readBundleFile(ruleChanged)]);
    expect(unchangedRules(baseline, candidate)).toEqual(['T-1']);

    // Judged side by side, the candidate takes T-1's findings from the baseline and judges T-3 itself: the same as judging both in full.
    const members = async () => [
      { name: 'baseline', evaluator: await PolicyEvaluator.load(baseline) },
      { name: 'candidate', evaluator: await PolicyEvaluator.load(candidate) },
    ];
    const facts = ['web', 'excepted', 'other'].flatMap((name, i) => [
      { subject: 'vigil.facts.container.h', input: toPolicyInput({ id: `p${i}`, container: { name, privileged: true, mounts: [{ source: '/', destination: '/host' }] } }) },
      { subject: 'vigil.facts.container.h', input: toPolicyInput({ id: `q${i}`, container: { name, privileged: false } }) },
      { subject: 'vigil.facts.container.h', input: toPolicyInput({ id: `r${i}`, container: { name, privileged: true } }) },
    ]);
    const hitsOf = (set: PolicySet) => set.judge('container', facts).map((o) => o.hits.map((h) => `${h.bundle} ${h.rule.id} ${h.messages.join('|')}`).sort());
    const full = new PolicySet(await members(), { sideBySide: true });
    const shared = new PolicySet(await members(), { sideBySide: true, shared: { from: 'baseline', to: 'candidate', rules: ['T-1'] } });
    const expected = hitsOf(full);
    expect(expected.flat()).toEqual(expect.arrayContaining(['candidate T-1 web is privileged', 'candidate T-3 mounts!', 'baseline T-3 mounts']));
    expect(hitsOf(shared)).toEqual(expected);
    // The sharing candidate no longer judges T-1 itself: its findings there are the baseline's.
    const privileged = toPolicyInput({ id: 'x', container: { name: 'web', privileged: true } });
    expect(full.evaluators[1]!.evaluate(privileged, 'container').map((h) => h.rule.id).sort()).toEqual(['T-1', 'T-3']);
    expect(shared.evaluators[1]!.evaluate(privileged, 'container').map((h) => h.rule.id)).toEqual(['T-3']);
  }, 120_000);
});
