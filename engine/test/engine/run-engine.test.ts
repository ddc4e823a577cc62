import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { decodeAlert, decodeDeadLetter, decodeVerdict, encodeFactBatch, subjects, type FactInit } from '../../../proto/src/index.js';
import { MemoryAlertLedger, MemoryFeed, MemorySink, runEngine, type Bundle, type EngineCoreOptions, type RunningEngine } from '../../src/index.js';
import { buildTestBundles, container, tempDir, until } from '../../../test/harness/pool-fixture.js';

const logger = pino({ level: 'silent' });
const SUBJECT = subjects.facts('container', 'memory-host');
const batch = (...facts: FactInit[]): Uint8Array => encodeFactBatch({ facts });
/** A privileged container fact: T-1 fires on it; one container id, so one throttle key. */
const storm = (i: number): FactInit => ({ ...container('storm'), id: `storm-${i}`, observed_at_ms: 1_000 + i });

/** The engine as fastify's inject() tests a route: facts in from memory, results out to memory, no server. */
describe('engine over a memory feed', () => {
  let dir: string;
  let bundle: Bundle;

  beforeAll(async () => {
    dir = await tempDir();
    ({ v1: bundle } = await buildTestBundles(dir));
  }, 60_000);

  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  const start = async (
    feed: MemoryFeed,
    options: Partial<EngineCoreOptions> = {},
    sinkOptions: ConstructorParameters<typeof MemorySink>[0] = {},
  ): Promise<{ engine: RunningEngine; sink: MemorySink }> => {
    let sink: MemorySink | undefined;
    const engine = await runEngine({
      logger,
      bundle,
      workers: 1,
      feed,
      ledger: new MemoryAlertLedger(),
      sink: (onDeadLetter) => (sink = new MemorySink({ ...sinkOptions, onDeadLetter })),
      ...options,
    });
    return { engine, sink: sink! };
  };

  const alertsIn = (sink: MemorySink) => sink.stored.filter((p) => p.subject.startsWith('vigil.alerts.')).map((p) => decodeAlert(p.payload));

  it('engine - every fact gets one verdict, in feed order, and its message is acked once they are delivered', async () => {
    const feed = new MemoryFeed();
    const { engine, sink } = await start(feed, { alertThrottle: { windowMs: 0 } });
    const names = Array.from({ length: 40 }, (_, i) => `c${i}`);
    const settled = await Promise.all(names.map((name, i) => feed.push(SUBJECT, batch(container(name, i % 2 === 0)))));
    await engine.stop();
    expect(settled.every((s) => s === 'ack')).toBe(true);
    const verdicts = sink.published.filter((p) => p.subject.startsWith('vigil.verdicts.')).map((p) => decodeVerdict(p.payload));
    expect(verdicts.map((v) => v.fact_id)).toEqual(names.map((n) => `fact-${n}`));
    expect(verdicts.map((v) => v.findings.length)).toEqual(names.map((_, i) => (i % 2 === 0 ? 1 : 0)));
    expect(alertsIn(sink).map((a) => a.finding?.subject?.name)).toEqual(names.filter((_, i) => i % 2 === 0));
  }, 60_000);

  it('engine - a message that is not a FactBatch becomes a decode dead letter with its bytes, is acked, and the next fact is judged', async () => {
    const feed = new MemoryFeed();
    const { engine, sink } = await start(feed);
    const garbage = new Uint8Array([0xff, 0xff, 0xff, 0x0f, 0x01]);
    const settled = await Promise.all([feed.push(SUBJECT, garbage), feed.push(SUBJECT, batch(container('after')))]);
    await engine.stop();
    expect(settled).toEqual(['ack', 'ack']);
    const letters = sink.stored.filter((p) => p.subject === subjects.deadLetter('decode')).map((p) => decodeDeadLetter(p.payload));
    expect(letters.map((l) => [l.subject, Buffer.from(l.payload).toString('hex')])).toEqual([[SUBJECT, Buffer.from(garbage).toString('hex')]]);
    expect(engine.stats()).toMatchObject({ deadLetters: 1, verdicts: 1 });
  }, 60_000);

  it('engine - a storm on one container: one alert at once, one aggregate counting the rest, checkpointed before its facts are acked', async () => {
    const feed = new MemoryFeed();
    const ledger = new MemoryAlertLedger();
    const { engine, sink } = await start(feed, { ledger, alertThrottle: { windowMs: 60_000 } });
    const settled = await Promise.all(Array.from({ length: 30 }, (_, i) => feed.push(SUBJECT, batch(storm(i)))));
    expect(settled.every((s) => s === 'ack')).toBe(true);
    // Every repeat was acked, so the window's count so far is where a crash cannot lose it.
    const [checkpoint] = [...ledger.checkpoints.values()].map((bytes) => decodeAlert(bytes));
    expect(checkpoint?.count).toBe(29);
    expect(alertsIn(sink).map((a) => a.count)).toEqual([1]);
    await engine.stop();
    const alerts = alertsIn(sink);
    expect(alerts.map((a) => [a.count, Number(a.first_seen_ms ?? 0), Number(a.last_seen_ms ?? 0)])).toEqual([
      [1, 1_000, 1_000],
      [29, 1_001, 1_029],
    ]);
    expect(ledger.checkpoints.size).toBe(0);
    expect(engine.stats().alerts).toBe(2);
  }, 60_000);

  it('engine - replicas sharing the ledger publish one first alert between them; a redelivered fact publishes nothing again', async () => {
    const shared = new MemoryAlertLedger('a');
    const [feedA, feedB] = [new MemoryFeed(), new MemoryFeed()];
    const { engine: a, sink: sinkA } = await start(feedA, { ledger: shared, alertThrottle: { windowMs: 60_000 } });
    const { engine: b, sink: sinkB } = await start(feedB, { ledger: shared.replica('b'), alertThrottle: { windowMs: 60_000 } });
    await feedA.push(SUBJECT, batch(storm(0)));
    await feedB.push(SUBJECT, batch(storm(1)));
    await feedB.push(SUBJECT, batch(storm(2)));
    // The first fact again, as JetStream redelivers it when an ack was lost.
    await feedA.push(SUBJECT, batch(storm(0)));
    expect([alertsIn(sinkA).length, alertsIn(sinkB).length]).toEqual([1, 0]);
    await Promise.all([a.stop(), b.stop()]);
    // A's first alert stands for storm-0 (its redelivery is neither published nor counted again), B's aggregate for the two it absorbed.
    expect([alertsIn(sinkA).map((x) => x.count), alertsIn(sinkB).map((x) => x.count)]).toEqual([[1], [2]]);
  }, 60_000);

  it('engine - an alert the stream does not store fails its message: nak\'ed for redelivery, never acked', async () => {
    const feed = new MemoryFeed();
    const { engine } = await start(feed, { alertThrottle: { windowMs: 0 } }, { answer: (p) => (p.subject.startsWith('vigil.alerts.') ? 'failed' : undefined) });
    const settled = await Promise.all([feed.push(SUBJECT, batch(container('lost'))), feed.push(SUBJECT, batch(container('clean', false)))]);
    await engine.stop();
    expect(settled).toEqual(['nak', 'ack']);
  }, 60_000);

  it('engine - stop() lets the judged messages settle; the pool is not fed after it', async () => {
    const feed = new MemoryFeed();
    const { engine } = await start(feed);
    const pending = Array.from({ length: 20 }, (_, i) => feed.push(SUBJECT, batch(container(`s${i}`, false))));
    await until(() => engine.stats().facts > 0, 20_000, 'the first fact judged');
    await engine.stop();
    expect(() => feed.push(SUBJECT, batch(container('late')))).toThrow(/ended/);
    expect(await Promise.all(pending)).toEqual(pending.map(() => 'ack'));
  }, 60_000);
});
