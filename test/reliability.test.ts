import { appendFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { defaultBundlePath, findingsFrom, PolicyEvaluator, readBundleFile, subjectOf } from '../engine/src/index.js';
import { decodeDeadLetter, decodeFactBatch, encodeFactBatch, ensureStreams, streams, subjects, toPolicyInput, unjudgedFacts, v1, type FactInit } from '../proto/src/index.js';
import { mixedFacts, type MixedFact } from '../bench/mix.js';
import { startLocalCluster, type LocalCluster } from './harness/index.js';
import {
  alertIdOf,
  eventually,
  moveStreamLeader,
  publishFacts,
  readStream,
  spawnEngine,
  tapCoreVerdicts,
  VERDICT_STREAM,
  verdictFactId,
  waitForEngines,
  type EngineProcess,
} from './support/engine-fleet.js';
import { useLocalNats } from './support/local-nats.js';

/**
 * The engine fleet under failure, with real processes: `vigil engine` child processes,
 * real nats-server processes with JetStream on disk. The engines keep every verdict in
 * VIGIL_VERDICTS and every alert in VIGIL_ALERTS, each stored before its fact is acked,
 * so what the streams hold afterwards is exactly what the engines delivered.
 * Throttling is off where alerts are counted: the count is exact only when every one
 * is published.
 */

/** Engines as the fault tests run them: every verdict stored, every alert published. */
const STORED = ['--verdict-stream', '--alert-window', '0'];

/** scripts/soak.sh collects what each test counted: one JSON line per check in VIGIL_FAULT_COUNTS. */
function recordCounts(check: string, counts: Record<string, number>): void {
  const file = process.env.VIGIL_FAULT_COUNTS;
  if (file) appendFileSync(file, `${JSON.stringify({ test: expect.getState().currentTestName, check, ...counts })}\n`);
}

/** Every fact has exactly one verdict in VIGIL_VERDICTS. */
async function expectOneVerdictEach(nc: NatsConnection, facts: readonly MixedFact[]): Promise<void> {
  const verdicts = await readStream(nc, VERDICT_STREAM, verdictFactId);
  const missing = facts.map((f) => f.fact.id!).filter((id) => !verdicts.keys.has(id));
  recordCounts('verdicts', { facts: facts.length, withoutVerdict: missing.length, duplicateVerdicts: verdicts.messages - verdicts.keys.size });
  expect({ missing: missing.length, first: missing.slice(0, 5), duplicates: verdicts.messages - verdicts.keys.size }).toEqual({ missing: 0, first: [], duplicates: 0 });
}

/** VIGIL_ALERTS holds each expected alert once. */
async function expectEveryAlertOnce(nc: NatsConnection, facts: readonly MixedFact[]): Promise<void> {
  const alerts = await readStream(nc, streams.alerts.name, alertIdOf);
  const expected = await expectedAlerts(facts);
  recordCounts('alerts', { expected, stored: alerts.messages, duplicateAlerts: alerts.messages - alerts.keys.size });
  expect({ stored: alerts.messages, distinct: alerts.keys.size }).toEqual({ stored: expected, distinct: expected });
}

const connectTo = (servers: string): Promise<NatsConnection> =>
  connect({ servers: servers.split(','), maxReconnectAttempts: -1, reconnectTimeWait: 200 });

const streamMessages = async (jsm: JetStreamManager, stream: string): Promise<number> =>
  (await jsm.streams.info(stream).catch(() => undefined))?.state.messages ?? -1;

/** Findings per fact are the same for every fact of one template: evaluate each template once. */
async function expectedAlerts(facts: readonly MixedFact[]): Promise<number> {
  const evaluator = await PolicyEvaluator.load(await readBundleFile(defaultBundlePath()));
  const perTemplate = new Map<string, number>();
  let total = 0;
  for (const f of facts) {
    let n = perTemplate.get(f.template);
    if (n === undefined) {
      const input = toPolicyInput(f.fact);
      n = findingsFrom(evaluator.evaluate(input, f.kind), subjectOf(input, f.kind, f.fact.source?.host ?? '')).length;
      perTemplate.set(f.template, n);
    }
    total += n;
  }
  return total;
}

let engines: EngineProcess[] = [];
async function stopEngines(): Promise<void> {
  await Promise.all(engines.map((e) => e.stop()));
  engines = [];
}
afterEach(stopEngines);

describe('engine fleet - crash of one engine', () => {
  const server = useLocalNats({ reconnectForever: true });

  it('engine fleet - kill -9 of one of three engines during 100,000 facts: every fact gets a verdict, no alert is stored twice', async () => {
    const { nats, nc } = server;
    const jsm = await ensureStreams(nc, { verdicts: true });
    const facts = mixedFacts(100_000);

    engines = [0, 1, 2].map(() => spawnEngine(nats.url, STORED));
    await waitForEngines(jsm, engines);
    await publishFacts(nc, facts);
    await eventually('30,000 verdicts before the crash', async () => (await streamMessages(jsm, VERDICT_STREAM)) >= 30_000, 120_000);
    engines[0]!.crash();

    await eventually('the fact stream to drain', async () => (await unjudgedFacts(jsm)) === 0, 240_000);
    await expectOneVerdictEach(nc, facts);
    await expectEveryAlertOnce(nc, facts);
  }, 420_000);
});

describe('engine fleet - nats-server restart', () => {
  const server = useLocalNats({ reconnectForever: true });

  it('engine fleet - restarting nats-server (JetStream on disk) in the middle of a stream loses no fact', async () => {
    const { nats, nc } = server;
    await ensureStreams(nc, { verdicts: true });
    const jsm = await jetstreamManager(nc);
    const facts = mixedFacts(20_000);
    engines = [spawnEngine(nats.url, STORED)];
    await waitForEngines(jsm, engines);

    let restarted: Promise<void> | undefined;
    await publishFacts(nc, facts, {
      size: 50,
      onProgress: (sent) => {
        // Restart while facts are still being published and evaluated.
        if (sent >= 8_000 && restarted === undefined) restarted = nats.restart();
      },
    });
    await restarted;
    const jsmAfter = await jetstreamManager(nc);
    await eventually('the fact stream to drain after the restart', async () => (await unjudgedFacts(jsmAfter)) === 0, 180_000);
    await expectOneVerdictEach(nc, facts);
    await expectEveryAlertOnce(nc, facts);
    expect(engines[0]!.child.exitCode).toBeNull();
  }, 300_000);
});

describe('engine fleet - three-node NATS cluster', () => {
  let cluster: LocalCluster;
  let nc: NatsConnection;

  // A fresh cluster per test: each stops a node, and a second stop would take the quorum.
  beforeEach(async () => {
    cluster = await startLocalCluster(3);
    nc = await connectTo(cluster.urls);
  });
  afterEach(async () => {
    await stopEngines();
    await nc?.close();
    await cluster?.stop();
  });

  /**
   * Publishes 20,000 facts to two engines and, after 8,000, stops the node that
   * leads the fact stream, having first moved the alert and verdict streams'
   * leaders there too: every stream the engines write to loses its leader at once.
   */
  async function loseTheLeaders(engineArgs: readonly string[], verdicts: boolean): Promise<{ facts: MixedFact[]; stoppedName: string }> {
    let jsm: JetStreamManager | undefined;
    // JetStream needs its meta leader elected before streams can be added.
    await eventually('the cluster to accept streams', async () => {
      jsm = await ensureStreams(nc, { replicas: 3, verdicts }).catch(() => undefined);
      return jsm !== undefined;
    }, 60_000);
    const leader = (await jsm!.streams.info(streams.facts.name)).cluster?.leader ?? '';
    const index = cluster.nodes.findIndex((n) => n.name === leader);
    expect(index).toBeGreaterThanOrEqual(0);
    for (const stream of [streams.alerts.name, ...(verdicts ? [VERDICT_STREAM] : [])]) await moveStreamLeader(nc, jsm!, stream, leader);

    const facts = mixedFacts(20_000);
    engines = [spawnEngine(cluster.urls, engineArgs), spawnEngine(cluster.urls, engineArgs)];
    await waitForEngines(jsm!, engines);
    let stopped: Promise<void> | undefined;
    await publishFacts(nc, facts, {
      size: 50,
      onProgress: (sent) => {
        if (sent >= 8_000 && stopped === undefined) stopped = cluster.stopNode(index);
      },
    });
    await stopped;
    const jsmAfter = await jetstreamManager(nc);
    await eventually('the fact stream to drain on the remaining nodes', async () => (await unjudgedFacts(jsmAfter)) === 0, 180_000);
    expect(engines.every((e) => e.child.exitCode === null)).toBe(true);
    return { facts, stoppedName: leader };
  }

  it('engine fleet - stopping the node that leads the fact, alert and verdict streams (replicated 3 times): every verdict and alert stored once', async () => {
    const { facts } = await loseTheLeaders(STORED, true);
    await expectOneVerdictEach(nc, facts);
    await expectEveryAlertOnce(nc, facts);
  }, 300_000);

  it('engine fleet - without the verdict stream, every acked fact\'s verdict still reaches a server across the leader loss', async () => {
    const taps = await tapCoreVerdicts(cluster.nodes.map((n) => n.url));
    try {
      const { facts } = await loseTheLeaders(['--alert-window', '0'], false);
      // Acked means published and flushed on one unbroken connection: every fact's verdict reached a node.
      await eventually('the last verdicts to reach the taps', async () => facts.every((f) => taps.ids.has(f.fact.id!)), 10_000).catch(() => undefined);
      const missing = facts.map((f) => f.fact.id!).filter((id) => !taps.ids.has(id));
      recordCounts('core verdicts', { facts: facts.length, withoutVerdict: missing.length });
      expect({ missing: missing.length, first: missing.slice(0, 5) }).toEqual({ missing: 0, first: [] });
      await expectEveryAlertOnce(nc, facts);
    } finally {
      await taps.close();
    }
  }, 300_000);
});

describe('engine fleet - hostile messages', () => {
  const server = useLocalNats({ reconnectForever: true });

  it('engine fleet - random bytes, truncated protobuf, wrong kinds and huge fields go to the dead-letter stream; the engine stays up', async () => {
    const { nats, nc } = server;
    const jsm = await ensureStreams(nc, { verdicts: true });
    engines = [spawnEngine(nats.url, ['--verdict-stream'])];
    await waitForEngines(jsm, engines);

    const random = seededBytes(0x5eed);
    const valid = encodeFactBatch({ facts: mixedFacts(20).map((f) => f.fact) });
    const hostile: { subject: string; payload: Uint8Array }[] = [];
    for (let i = 0; i < 60; i++) hostile.push({ subject: subjects.facts('container', 'fuzz'), payload: random(1 + ((i * 97) % 4_000)) });
    for (const cut of [1, 7, 33, Math.floor(valid.length / 2), valid.length - 1]) hostile.push({ subject: subjects.facts('process_exec', 'fuzz'), payload: valid.slice(0, cut) });
    hostile.push({ subject: 'vigil.facts.nonsense.fuzz', payload: encodeFactBatch({ facts: [{ id: 'no-kind' }] }) });
    const huge: FactInit[] = [
      { id: 'huge-name', container: { id: 'h1', name: 'x'.repeat(600_000), image: 'busybox' } },
      { id: 'huge-list', container: { id: 'h2', name: 'caps', image: 'busybox', capabilities: Array.from({ length: 20_000 }, (_, i) => `CAP_${i}`) } },
      { id: 'huge-map', container: { id: 'h3', name: 'labels', image: 'busybox', labels: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, 'v'])) } },
    ];
    for (const fact of huge) hostile.push({ subject: subjects.facts('container', 'fuzz'), payload: encodeFactBatch({ facts: [fact] }) });

    const undecodable = hostile.filter(({ payload }) => {
      try {
        decodeFactBatch(payload);
        return false;
      } catch {
        return true;
      }
    }).length;
    expect(undecodable).toBeGreaterThan(10);

    const js = jetstream(nc);
    for (const { subject, payload } of hostile) await js.publish(subject, payload);
    const good = v1.Fact.fromObject({ id: 'after-the-storm', container: { id: 'ok', name: 'after', image: 'busybox', privileged: true } });
    await js.publish(subjects.facts('container', 'fuzz'), encodeFactBatch({ facts: [good] }));

    await eventually('the fact stream to drain', async () => (await unjudgedFacts(jsm)) === 0, 120_000);
    const verdicts = await readStream(nc, VERDICT_STREAM, verdictFactId);
    expect(verdicts.keys.has('after-the-storm')).toBe(true);
    for (const fact of huge) expect(verdicts.keys.has(fact.id!)).toBe(true);
    const letters = await readStream(nc, streams.deadLetters.name, (data) => `${decodeDeadLetter(data).reason}:${decodeDeadLetter(data).received_at_ms}:${Math.random()}`);
    const reasons = [...letters.keys].map((k) => k.split(':')[0]);
    expect(reasons.filter((r) => r === 'decode').length).toBe(undecodable);
    expect(reasons).toContain('unknown_kind');
    expect(engines[0]!.child.exitCode).toBeNull();
  }, 180_000);
});

/** Deterministic pseudo-random bytes (xorshift32), so a failure can be replayed. */
function seededBytes(seed: number): (length: number) => Uint8Array {
  let state = seed >>> 0 || 1;
  return (length) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      out[i] = state & 0xff;
    }
    return out;
  };
}
