import fs from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { PolicyEvaluator, type Bundle } from '../../src/index.js';
import { decodeAlert } from '../../../proto/src/index.js';
import type { Judgement } from '../../src/pool/judge.js';
import { throttleKey } from '../../src/throttle/key.js';
import { WorkerPool, type PoolOptions } from '../../src/pool/pool.js';
import { buildTestBundles, container, decoded, message, tempDir, until } from '../../../test/harness/pool-fixture.js';

const logger = pino({ level: 'silent' });

describe('policy worker pool', () => {
  let dir: string;
  let v1: Bundle;
  let v2: Bundle;
  let pool: WorkerPool<string> | undefined;
  let judged: { tags: string[]; judgement: Judgement }[];

  beforeAll(async () => {
    dir = await tempDir();
    ({ v1, v2 } = await buildTestBundles(dir));
  }, 60_000);

  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  const start = async (bundle: Bundle, options: Partial<PoolOptions<string>> = {}): Promise<WorkerPool<string>> => {
    const evaluator = await PolicyEvaluator.load(bundle);
    judged = [];
    pool = await WorkerPool.start<string>({
      members: [{ name: 'default', module: evaluator.module, bundle: evaluator.bundle }],
      overlay: {},
      size: 2,
      timeoutMs: 10_000,
      maxMemoryPages: 1024,
      maxTasksPerWorker: 2,
      maxTaskMessages: 16,
      maxTaskBytes: 1024 * 1024,
      logger,
      onJudged: (tags, judgement) => judged.push({ tags, judgement }),
      ...options,
    });
    return pool;
  };
  const tags = () => judged.flatMap((j) => j.tags).sort();
  const all = () => decoded(judged.map((j) => j.judgement));

  it('pool - every fact of every message gets one verdict and its alerts, each message is reported once', async () => {
    const p = await start(v1);
    for (let i = 0; i < 20; i++) p.submit(message(container(`web-${i}-a`), container(`web-${i}-b`, false)), `m${i}`);
    await p.idle();
    expect(tags()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
    const { verdicts, alerts, deadLetters } = all();
    expect(verdicts).toHaveLength(40);
    expect(new Set(verdicts.map((v) => v.fact_id)).size).toBe(40);
    expect(verdicts.every((v) => v.bundle_revision === v1.revision)).toBe(true);
    expect(alerts.map((a) => a.finding?.message).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `web-${i}-a is privileged (v1)`).sort());
    expect(deadLetters).toEqual([]);
    // Throttle keys cross from the worker with each alert, so the publishing thread need not decode alerts.
    const alertPublications = judged.flatMap((j) => j.judgement.publications).filter((pub) => pub.subject.startsWith('vigil.alerts.'));
    expect(alertPublications).toHaveLength(20);
    expect(alertPublications.map((pub) => pub.throttleKey)).toEqual(alertPublications.map((pub) => throttleKey(decodeAlert(pub.payload))));
    expect(p.stats()).toMatchObject({ workers: 2, inFlight: 0, restarts: 0, timeouts: 0 });
  });

  it('pool - a policy that loops is stopped at the deadline, only its fact is dead-lettered and the worker is replaced', async () => {
    // The loop allocates too (about 256 MiB in 3 s on an idle core): the deadline comes well before the cap.
    const p = await start(v1, { size: 1, timeoutMs: 500, maxMemoryPages: 4096 });
    p.submit(message(container('before'), container('loop'), container('after')), 'looping');
    await p.idle();
    const { verdicts, deadLetters } = all();
    expect(verdicts.map((v) => v.fact_id).sort()).toEqual(['fact-after', 'fact-before', 'fact-loop']);
    expect(verdicts.find((v) => v.fact_id === 'fact-loop')?.error).toMatch(/deadline/);
    expect(verdicts.find((v) => v.fact_id === 'fact-before')?.findings.map((f) => f.message)).toEqual(['before is privileged (v1)']);
    expect(deadLetters.map((d) => [d.subject, d.letter.fact_id, d.letter.reason])).toEqual([['vigil.dlq.timeout', 'fact-loop', 'timeout']]);
    // The batch, then the fact alone, ran past the deadline; a fresh worker replaced each.
    expect(p.stats()).toMatchObject({ timeouts: 2, restarts: 2 });

    // The pool carries on.
    await until(() => p.stats().workers === 1, 20_000, 'the replacement worker');
    p.submit(message(container('later')), 'later');
    await p.idle();
    expect(all().verdicts.find((v) => v.fact_id === 'fact-later')?.findings).toHaveLength(1);
  }, 30_000);

  it('pool - a policy that exhausts the memory cap fails only its fact, as an evaluation dead letter', async () => {
    const p = await start(v1, { size: 1, maxMemoryPages: 256 });
    p.submit(message(container('small'), container('bloat'), container('tiny')), 'bloating');
    await p.idle();
    const { verdicts, deadLetters } = all();
    expect(verdicts).toHaveLength(3);
    expect(verdicts.find((v) => v.fact_id === 'fact-bloat')?.error).toMatch(/malloc/);
    expect(verdicts.find((v) => v.fact_id === 'fact-tiny')?.findings.map((f) => f.rule_id)).toEqual(['T-1']);
    expect(deadLetters.map((d) => [d.subject, d.letter.fact_id])).toEqual([['vigil.dlq.evaluation', 'fact-bloat']]);
    expect(p.stats().timeouts).toBe(0);
  }, 30_000);

  it('pool - back-pressure: it stops accepting while a task waits for a worker, and catches up', async () => {
    const p = await start(v1, { size: 1, maxTasksPerWorker: 1, maxTaskMessages: 2 });
    let refused = 0;
    for (let i = 0; i < 30; i++) {
      p.submit(message(container(`bp-${i}`)), `bp${i}`);
      if (!p.accepting()) {
        refused++;
        expect(p.stats().inFlight).toBeLessThanOrEqual(4);
        await p.whenAccepting();
      }
    }
    await p.idle();
    expect(refused).toBeGreaterThan(0);
    expect(all().verdicts).toHaveLength(30);
  });

  it('pool - a new bundle takes over once every new worker has loaded it; one that cannot load leaves the old serving', async () => {
    const p = await start(v1, { maxMemoryPages: 256 });
    p.submit(message(container('first')), 'first');
    await p.idle();

    // Data larger than the memory cap: the module compiles but no worker can load it.
    const tooBig = { ...v2, revision: 'too-big', data: { vigil: { exceptions: [], padding: 'x'.repeat(20 * 1024 * 1024) } } };
    const evaluator2 = await PolicyEvaluator.load(v2);
    await expect(p.replacePolicies({ members: [{ name: 'default', module: evaluator2.module, bundle: { ...evaluator2.bundle, ...tooBig } }], overlay: {} })).rejects.toThrow(/too-big/);
    expect(p.revision).toBe(v1.revision);
    p.submit(message(container('still-old')), 'still-old');
    await p.idle();

    // Facts keep flowing while the swap happens; none is lost, each judged by one bundle.
    for (let i = 0; i < 10; i++) p.submit(message(container(`during-${i}`)), `during-${i}`);
    await p.replacePolicies({ members: [{ name: 'default', module: evaluator2.module, bundle: evaluator2.bundle }], overlay: {} });
    expect(p.revision).toBe(v2.revision);
    p.submit(message(container('after')), 'after');
    await p.idle();

    const { verdicts } = all();
    const byId = new Map(verdicts.map((v) => [v.fact_id, v]));
    expect(verdicts).toHaveLength(13);
    expect(byId.get('fact-still-old')?.bundle_revision).toBe(v1.revision);
    expect(byId.get('fact-after')?.bundle_revision).toBe(v2.revision);
    expect(byId.get('fact-after')?.findings.map((f) => f.message)).toEqual(['after is privileged (v2)']);
    for (const v of verdicts) {
      const version = v.bundle_revision === v1.revision ? 'v1' : 'v2';
      expect(v.findings.map((f) => f.message)).toEqual([`${v.subject?.name} is privileged (${version})`]);
    }
    expect(p.stats()).toMatchObject({ workers: 2, restarts: 0 });
  }, 30_000);

  it('pool - new data applies in every worker between tasks; data too big for the memory cap is refused and the old stays', async () => {
    const p = await start(v1, { maxMemoryPages: 256 });
    await p.replaceData({ vigil: { exceptions: [{ rule: 'T-1', name: 'waived' }] } });
    for (let i = 0; i < 6; i++) p.submit(message(container('waived'), container(`kept-${i}`)), `d${i}`);
    await p.idle();
    let { verdicts } = all();
    expect(verdicts.filter((v) => v.subject?.name === 'waived').every((v) => v.findings.length === 0)).toBe(true);
    expect(verdicts.filter((v) => v.subject?.name !== 'waived').every((v) => v.findings.length === 1)).toBe(true);

    await expect(p.replaceData({ vigil: { exceptions: [], padding: 'x'.repeat(20 * 1024 * 1024) } })).rejects.toThrow(/data/);
    await until(() => p.stats().workers === 2, 20_000, 'replacement workers');
    judged = [];
    for (let i = 0; i < 6; i++) p.submit(message(container('waived')), `e${i}`);
    await p.idle();
    ({ verdicts } = all());
    expect(verdicts).toHaveLength(6);
    expect(verdicts.every((v) => v.findings.length === 0 && !v.error)).toBe(true);
  }, 60_000);

  it('pool - close waits for the work in flight', async () => {
    const p = await start(v1, { size: 1 });
    for (let i = 0; i < 10; i++) p.submit(message(container(`c-${i}`), container(`d-${i}`)), `c${i}`);
    await p.close();
    pool = undefined;
    expect(all().verdicts).toHaveLength(20);
    expect(() => p.submit(message(container('late')), 'late')).toThrow(/closed/);
  });
});
