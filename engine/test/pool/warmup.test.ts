import { describe, expect, it } from '@jest/globals';
import { defaultBundlePath, PolicyEvaluator, readBundleFile } from '../../src/index.js';
import { PolicySet } from '../../src/policy/policy-set.js';
import { judgeMessages } from '../../src/pool/judge.js';
import { exemplarFacts, exemplarMessages, warmUp } from '../../src/pool/warmup.js';
import { FACT_KINDS, factKindOf, toPolicyInput } from '../../../proto/src/index.js';

describe('policy worker warm-up', () => {
  it('warm-up - one exemplar fact per kind, with every scalar, list and map of the schema filled', () => {
    const facts = exemplarFacts();
    expect(facts.map((f) => factKindOf(f))).toEqual([...FACT_KINDS]);
    const container = toPolicyInput(facts.find((f) => factKindOf(f) === 'container')!).container as Record<string, unknown>;
    expect(container.name).toBe('name-1');
    expect(container.privileged).toBe(true);
    expect(container.capabilities).toEqual(['capabilities-1', 'capabilities-2-1']);
    expect(Object.keys(container.labels as object)).toHaveLength(2);
  });

  it('warm-up - a missing schema gives no exemplars and warming up does nothing', async () => {
    expect(exemplarFacts('/nonexistent/fact.json')).toEqual([]);
    const policies = PolicySet.single(await PolicyEvaluator.load(await readBundleFile(defaultBundlePath())));
    expect(warmUp(policies, exemplarMessages([]), 1_000)).toBe(0);
  });

  it('warm-up - exemplars are judged like real facts (verdicts and alerts, no dead letters) within the budget', async () => {
    const policies = PolicySet.single(await PolicyEvaluator.load(await readBundleFile(defaultBundlePath())));
    const messages = exemplarMessages(exemplarFacts());
    const { counts } = judgeMessages(policies, messages);
    expect(counts.deadLetters).toBe(0);
    expect(counts.verdicts).toBe(counts.facts);
    expect(counts.alerts).toBeGreaterThan(0);
    const start = performance.now();
    const judged = warmUp(policies, messages, 200);
    expect(judged).toBeGreaterThanOrEqual(counts.facts);
    // One round past the budget at most (a cold round takes well under a second).
    expect(performance.now() - start).toBeLessThan(200 + 2_000);
  });
});
