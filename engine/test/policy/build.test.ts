import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildBundle, PolicyEvaluator, readBundleFile, VigilEngineError } from '../../src/index.js';
import { toPolicyInput } from '../../../proto/src/index.js';
import { ruleText } from './rule-text.js';


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
});
