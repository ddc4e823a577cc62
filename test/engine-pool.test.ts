import fs from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import pino from 'pino';
import { createFactSink } from '../collectors/src/index.js';
import { startEngine, type Bundle, type RunningEngine } from '../engine/src/index.js';
import { decodeDeadLetter, decodeVerdict, ENGINE_CONSUMER, ensureStreams, streams, subjects } from '../proto/src/index.js';
import { startLocalNats, type LocalNats } from './harness/index.js';
import { buildTestBundles, container, tempDir } from './harness/pool-fixture.js';
import { collectMessages } from './support/collect.js';

const logger = pino({ level: 'silent' });

/** The engine with its policy worker pool, over a real NATS server, with bundles built by `opa build`. */
describe('engine with worker pool over NATS', () => {
  let dir: string;
  let v1: Bundle;
  let v2: Bundle;
  let nats: LocalNats;
  let nc: NatsConnection;
  let engine: RunningEngine | undefined;
  let earlier: RunningEngine | undefined;

  beforeAll(async () => {
    dir = await tempDir();
    ({ v1, v2 } = await buildTestBundles(dir));
  }, 60_000);

  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  // A server per test: the durable consumer starts from the stream's first message.
  beforeEach(async () => {
    nats = await startLocalNats();
    nc = await connect({ servers: nats.url });
    await ensureStreams(nc);
  });

  afterEach(async () => {
    await earlier?.stop();
    await engine?.stop();
    engine = earlier = undefined;
    await nc?.close();
    await nats?.stop();
  });

  const sinkFor = (host: string, maxBatch = 256) => createFactSink({ nc, source: { host, collector: 'test', version: '0' }, maxBatch });

  it('engine - a fact whose policy loops goes to vigil.dlq.timeout; its batch-mates and later facts get verdicts', async () => {
    const verdicts = collectMessages(nc, subjects.verdicts('container', 'loop-host'), decodeVerdict);
    const letters = collectMessages(nc, subjects.allDeadLetters, decodeDeadLetter);
    // The loop allocates too (about 256 MiB, the default cap, in 3 s on an idle core): the deadline comes first.
    engine = await startEngine({ nc, bundle: v1, logger, workers: 1, evaluationTimeoutMs: 500 });
    const sink = sinkFor('loop-host');
    for (const name of ['one', 'loop', 'two']) await sink.publish(container(name));
    await sink.flush();

    const [letter] = await letters.next(1, 20_000);
    expect(letter?.reason).toBe('timeout');
    expect(letter?.fact_id).toBe('fact-loop');
    expect(letter?.error).toMatch(/deadline/);
    await sink.publish(container('three'));
    await sink.flush();
    const got = await verdicts.next(4, 20_000);
    expect(got.map((v) => v.fact_id).sort()).toEqual(['fact-loop', 'fact-one', 'fact-three', 'fact-two']);
    expect(got.find((v) => v.fact_id === 'fact-loop')?.error).toMatch(/deadline/);
    expect(got.find((v) => v.fact_id === 'fact-three')?.findings.map((f) => f.rule_id)).toEqual(['T-1']);
    expect(engine.stats()).toMatchObject({ facts: 4, verdicts: 4, deadLetters: 1, timeouts: 2, workerRestarts: 2 });
    verdicts.stop();
    letters.stop();
  }, 40_000);

  it('engine - a bundle swapped in while facts flow: every fact gets exactly one verdict, from one bundle or the other', async () => {
    const verdicts = collectMessages(nc, subjects.verdicts('container', 'swap-host'), decodeVerdict);
    engine = await startEngine({ nc, bundle: v1, logger, workers: 2 });
    expect(engine.revision).toBe(v1.revision);
    const sink = sinkFor('swap-host', 5);
    let publishing = true;
    let count = 0;
    const producer = (async () => {
      while (publishing) {
        await sink.publish(container(`swap-${count++}`));
        if (count % 5 === 0) {
          await sink.flush();
          await new Promise((r) => setTimeout(r, 2));
        }
      }
      await sink.flush();
    })();
    await verdicts.until((all) => all.length >= 20);
    await engine.replaceBundle(v2);
    expect(engine.revision).toBe(v2.revision);
    await verdicts.until((all) => all.some((v) => v.bundle_revision === v2.revision));
    publishing = false;
    await producer;
    await sink.publish(container('after-swap'));
    await sink.flush();
    const got = await verdicts.until((all) => all.some((v) => v.fact_id === 'fact-after-swap'), 30_000);
    await new Promise((r) => setTimeout(r, 200));
    const all = verdicts.all();
    expect(all).toHaveLength(count + 1);
    expect(new Set(all.map((v) => v.fact_id)).size).toBe(count + 1);
    for (const v of all) {
      const version = v.bundle_revision === v1.revision ? 'v1' : v.bundle_revision === v2.revision ? 'v2' : '?';
      expect(v.findings.map((f) => f.message)).toEqual([`${v.subject?.name} is privileged (${version})`]);
    }
    expect(got.find((v) => v.fact_id === 'fact-after-swap')?.bundle_revision).toBe(v2.revision);
    expect(all.some((v) => v.bundle_revision === v1.revision)).toBe(true);
    verdicts.stop();
  }, 60_000);

  it('engine - operator data swapped in applies to the next facts', async () => {
    const verdicts = collectMessages(nc, subjects.verdicts('container', 'data-host'), decodeVerdict);
    engine = await startEngine({ nc, bundle: v1, logger, workers: 2 });
    const sink = sinkFor('data-host');
    await sink.publish(container('ci-runner'));
    await sink.flush();
    const [before] = await verdicts.next(1);
    expect(before?.findings.map((f) => f.rule_id)).toEqual(['T-1']);
    await engine.replaceData({ vigil: { exceptions: [{ rule: 'T-1', name: 'ci-runner' }] } });
    await sink.publish(container('ci-runner-2'));
    await sink.publish({ ...container('ci-runner'), id: 'fact-ci-runner-again' });
    await sink.flush();
    const got = await verdicts.until((all) => all.length >= 3);
    expect(got.find((v) => v.fact_id === 'fact-ci-runner-again')?.findings).toEqual([]);
    expect(got.find((v) => v.fact_id === 'fact-ci-runner-2')?.findings.map((f) => f.rule_id)).toEqual(['T-1']);
    verdicts.stop();
  });

  it('engine - stop() finishes the batches in flight: what was judged is acked, the rest is judged by the next engine, exactly once', async () => {
    const sink = sinkFor('stop-host', 10);
    const count = 2_000;
    for (let i = 0; i < count; i++) await sink.publish(container(`stop-${i}`, i % 2 === 0));
    await sink.flush();
    const verdicts = collectMessages(nc, subjects.verdicts('container', 'stop-host'), decodeVerdict);
    const samples: { kind: string; facts: number; seconds: number }[] = [];
    const maxMessages = 8;
    const first = (earlier = await startEngine({
      nc,
      bundle: v1,
      logger,
      workers: 1,
      maxMessages,
      ackWaitMs: 2_000,
      onBatchEvaluated: (kind, facts, seconds) => samples.push({ kind, facts, seconds }),
    }));
    await verdicts.until((all) => all.length >= 10);
    await first.stop();
    earlier = undefined;
    const judged = first.stats();
    expect(judged.inFlight).toBe(0);
    expect(judged.verdicts).toBeLessThan(count);
    expect(samples.reduce((n, s) => n + s.facts, 0)).toBe(judged.verdicts);
    expect(samples.every((s) => s.kind === 'container' && s.seconds > 0)).toBe(true);
    // Everything received was judged and acked; at most the messages the server had
    // already sent when the subscription closed wait for redelivery.
    const jsm = await jetstreamManager(nc);
    const info = await jsm.consumers.info(streams.facts.name, ENGINE_CONSUMER);
    expect(info.num_ack_pending).toBeLessThanOrEqual(maxMessages);

    engine = await startEngine({ nc, bundle: v1, logger, workers: 1 });
    await verdicts.until((all) => all.length >= count, 30_000);
    await new Promise((r) => setTimeout(r, 300));
    const all = verdicts.all();
    expect(all).toHaveLength(count);
    expect(new Set(all.map((v) => v.fact_id)).size).toBe(count);
    verdicts.stop();
  }, 60_000);
});
