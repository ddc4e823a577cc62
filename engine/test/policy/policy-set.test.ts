import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeAlert, decodeDeadLetter, decodeVerdict, encodeFactBatch, subjects, toPolicyInput, type FactInit } from '../../../proto/src/index.js';
import { buildBundle, readBundleFile, VigilEngineError, type Bundle } from '../../src/index.js';
import { PolicyEvaluator } from '../../src/policy/evaluator.js';
import { checkPolicySet, PolicySet } from '../../src/policy/policy-set.js';
import { isSubjectFilter, subjectMatches } from '../../src/policy/subject-filter.js';
import { judgeMessages } from '../../src/pool/judge.js';
import { ruleText as rule } from '../../../test/harness/rule-text.js';


const container = (name: string, host: string, extra: Partial<NonNullable<FactInit['container']>> = {}): FactInit => ({
  id: `${host}-${name}`,
  source: { host, collector: 'test', version: '0' },
  container: { id: `c-${name}`, name, image: 'busybox', privileged: true, ...extra },
});

describe('policy sets - several bundles, each triggered by the facts its manifest names', () => {
  let dir: string;
  let base: Bundle;
  let web: Bundle;
  let images: Bundle;
  let clash: Bundle;
  let bloat: Bundle;

  const build = async (name: string, files: Record<string, string>, options: { kinds?: string[]; subjects?: string[] } = {}): Promise<Bundle> => {
    const src = path.join(dir, `src-${name}`);
    for (const [file, text] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(src, file)), { recursive: true });
      await fs.writeFile(path.join(src, file), text);
    }
    const outFile = path.join(dir, `${name}.tar.gz`);
    await buildBundle({ policyDir: src, outFile, name, ...options });
    return readBundleFile(outFile);
  };

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-policy-set-'));
    const privileged = rule('B-PRIV', 'container', 'vigil.container.priv', 'deny contains sprintf("%s is privileged", [input.container.name]) if input.container.privileged');
    base = await build('base', { 'container/priv.rego': privileged });
    web = await build(
      'web',
      { 'container/root.rego': rule('W-ROOT', 'container', 'vigil.web.root', 'deny contains "runs as root" if input.container.user == ""') },
      { subjects: ['vigil.facts.container.web-1', 'vigil.facts.*.web-2'] },
    );
    images = await build('images', {
      'image/latest.rego': rule('I-LATEST', 'image', 'vigil.image.latest', 'deny contains "latest tag" if endswith(input.image.reference, ":latest")'),
      'container/any.rego': rule('I-ANY', 'container', 'vigil.image.any', 'deny contains "never routed" if input.container.name'),
    }, { kinds: ['image'] });
    clash = await build('clash', { 'container/priv.rego': privileged });
    bloat = await build('bloat', {
      'container/bloat.rego': rule('X-BLOAT', 'container', 'vigil.x.bloat', 'deny contains "huge" if {\n\tinput.container.name == "bloat"\n\tcount(numbers.range(1, 100000000)) > 0\n}'),
    });
  }, 120_000);

  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  const load = async (...bundles: Bundle[]): Promise<PolicySet> =>
    new PolicySet(await Promise.all(bundles.map(async (bundle) => ({ name: bundle.manifest.name ?? 'default', evaluator: await PolicyEvaluator.load(bundle, {}, { maxMemoryPages: 256 }) }))));

  it('subject filters - tokens, * for one token, > for the rest', () => {
    for (const ok of ['vigil.facts.>', 'vigil.facts.*.web-1', 'a', '*', '>', 'vigil.facts.container.*']) expect([ok, isSubjectFilter(ok)]).toEqual([ok, true]);
    for (const bad of ['', 'a..b', 'a.>.b', 'a.b*', 'a b', '.a', 'a.']) expect([bad, isSubjectFilter(bad)]).toEqual([bad, false]);
    expect(subjectMatches('vigil.facts.*.web-1', 'vigil.facts.container.web-1')).toBe(true);
    expect(subjectMatches('vigil.facts.*.web-1', 'vigil.facts.container.web-10')).toBe(false);
    expect(subjectMatches('vigil.facts.>', 'vigil.facts.image.h')).toBe(true);
    expect(subjectMatches('vigil.facts.>', 'vigil.facts')).toBe(false);
    expect(subjectMatches('vigil.facts.*', 'vigil.facts.image.h')).toBe(false);
  });

  it('policy build - the manifest carries the name and triggers given, or the kinds of the enabled rules', () => {
    expect(base.manifest.name).toBe('base');
    expect(base.manifest.triggers).toEqual({ kinds: ['container'], subjects: [] });
    expect(web.manifest.triggers).toEqual({ kinds: ['container'], subjects: ['vigil.facts.container.web-1', 'vigil.facts.*.web-2'] });
    expect(images.manifest.triggers).toEqual({ kinds: ['image'], subjects: [] });
    // Same policies, another name: another revision, since engines tell bundles apart by it.
    expect(clash.revision).not.toBe(base.revision);
  });

  it('policy build - unknown kinds, bad subject filters and bad names are refused before opa runs', async () => {
    const out = path.join(dir, 'never.tar.gz');
    const policyDir = path.join(dir, 'src-base');
    await expect(buildBundle({ policyDir, outFile: out, kinds: ['containers'] })).rejects.toThrow(/fact kinds .*containers/);
    await expect(buildBundle({ policyDir, outFile: out, subjects: ['vigil.>.x'] })).rejects.toThrow(/subject filters.*vigil\.>\.x/);
    await expect(buildBundle({ policyDir, outFile: out, name: 'no/slash' })).rejects.toThrow(/bundle name/);
  });

  it('policy sets - a fact is judged by every bundle its kind and subject trigger, and by no other', async () => {
    const set = await load(base, web, images);
    expect(set.route('container', subjects.facts('container', 'web-1'))).toEqual(['base', 'web']);
    expect(set.route('container', subjects.facts('container', 'web-2'))).toEqual(['base', 'web']);
    expect(set.route('container', subjects.facts('container', 'db-1'))).toEqual(['base']);
    expect(set.route('image', subjects.facts('image', 'web-1'))).toEqual(['images']);
    expect(set.route('process_exec', subjects.facts('process_exec', 'web-1'))).toEqual([]);

    const facts = [container('a', 'web-1'), container('b', 'db-1'), container('c', 'web-2')];
    const outcomes = set.judge('container', facts.map((f) => ({ input: toPolicyInput(f), subject: subjects.facts('container', f.source!.host!) })));
    const summary = outcomes.map((o) => o.hits.map((h) => `${h.bundle}:${h.rule.id}`).sort());
    expect(summary).toEqual([['base:B-PRIV', 'web:W-ROOT'], ['base:B-PRIV'], ['base:B-PRIV', 'web:W-ROOT']]);
    expect(outcomes.every((o) => o.errors.length === 0)).toBe(true);
    expect(set.revision).toBe(`base@${base.revision},images@${images.revision},web@${web.revision}`);
  });

  it('policy sets - a rule enabled in two bundles, two bundles of one name or none at all cannot be served', async () => {
    const meta = (b: Bundle, name = b.manifest.name ?? 'default') => ({ name, bundle: b });
    expect(() => checkPolicySet([meta(base), meta(clash)])).toThrow(/rule B-PRIV is enabled in both base and clash/);
    expect(() => checkPolicySet([meta(base), meta(web, 'base')])).toThrow(/two bundles are named base/);
    expect(() => checkPolicySet([])).toThrow(VigilEngineError);
    expect(checkPolicySet([meta(base)])).toBe(base.revision);
  });

  it('policy sets - one bundle failing on a fact loses nothing of the others: their alerts go out, the verdict and a dead letter name the failure', async () => {
    const set = await load(base, bloat);
    const message = { subject: subjects.facts('container', 'db-1'), data: encodeFactBatch({ facts: [container('bloat', 'db-1'), container('fine', 'db-1')] }) };
    const judgement = judgeMessages(set, [message]);
    const verdicts = judgement.publications.filter((p) => p.subject.startsWith('vigil.verdicts.')).map((p) => decodeVerdict(p.payload));
    const alerts = judgement.publications.filter((p) => p.subject.startsWith('vigil.alerts.')).map((p) => decodeAlert(p.payload));
    const deadLetters = judgement.publications.filter((p) => p.subject.startsWith('vigil.dlq.')).map((p) => decodeDeadLetter(p.payload));

    expect(verdicts.map((v) => [v.fact_id, v.findings.map((f) => `${f.bundle}:${f.rule_id}`)])).toEqual([
      ['db-1-bloat', ['base:B-PRIV']],
      ['db-1-fine', ['base:B-PRIV']],
    ]);
    expect(verdicts[0]!.error).toMatch(/bundle bloat:/);
    expect(verdicts[1]!.error).toBe('');
    expect(alerts.map((a) => a.fact_id).sort()).toEqual(['db-1-bloat', 'db-1-fine']);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({ reason: 'evaluation', fact_id: 'db-1-bloat' });
    expect(deadLetters[0]!.error).toMatch(/bundle bloat:/);
  }, 60_000);
});
