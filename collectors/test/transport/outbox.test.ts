import { afterAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { decodeFactBatch, ensureStreams, factKindOf, streams, type FactInit } from '../../../proto/src/index.js';
import { startLocalNats, type LocalNats } from '../../../test/harness/index.js';
import { createFactSink } from '../../src/internal.js';

const servers: LocalNats[] = [];
const connections: NatsConnection[] = [];
const dirs: string[] = [];

afterAll(async () => {
  await Promise.allSettled(connections.map((nc) => nc.close()));
  await Promise.allSettled(servers.map((s) => s.stop()));
  await Promise.allSettled(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

async function setup(): Promise<{ nats: LocalNats; nc: NatsConnection; dir: string }> {
  const nats = await startLocalNats();
  servers.push(nats);
  const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  connections.push(nc);
  await ensureStreams(nc);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-outbox-test-'));
  dirs.push(dir);
  return { nats, nc, dir };
}

const SOURCE = { host: 'outbox-test', collector: 'test', version: '0' };

function fact(i: number): FactInit {
  return i % 3 === 0
    ? { id: `fact-${i}`, container: { id: `c${i}`, name: `n${i}` } }
    : { id: `fact-${i}`, process_exec: { process: { pid: i }, source: 'test' } };
}

/** Every fact id in VIGIL_FACTS, in stream order, with repeats kept. */
async function storedFacts(nc: NatsConnection): Promise<FactInit[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(streams.facts.name);
  const facts: FactInit[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const msg = await jsm.streams.getMessage(streams.facts.name, { seq });
    if (msg) facts.push(...decodeFactBatch(msg.data).facts);
  }
  return facts;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function expectExactlyOnce(stored: FactInit[], expected: number): void {
  const ids = stored.map((f) => f.id);
  const unique = new Set(ids);
  expect(unique.size).toBe(expected);
  expect(ids.length).toBe(expected);
  for (let i = 0; i < expected; i++) expect(unique.has(`fact-${i}`)).toBe(true);
}

describe('collectors transport - on-disk outbox', () => {
  it('outbox - a burst across a frozen and a restarted NATS arrives exactly once, in order per kind', async () => {
    const { nats, nc, dir } = await setup();
    const sink = createFactSink({ nc, source: SOURCE, dir, maxBatch: 50, publishTimeoutMs: 300, backoffMs: { min: 50, max: 500 } });
    for (let i = 0; i < 1000; i++) await sink.publish(fact(i));
    await pause(50);
    // Frozen: the TCP connection stays up, requests pile up unanswered, acks time out and are retried.
    process.kill(nats.pid, 'SIGSTOP');
    try {
      for (let i = 1000; i < 2000; i++) await sink.publish(fact(i));
      await pause(2_000);
    } finally {
      process.kill(nats.pid, 'SIGCONT');
    }
    // Gone: the server stops and comes back on the same port with its store.
    const restarting = nats.restart();
    for (let i = 2000; i < 3000; i++) await sink.publish(fact(i));
    await restarting;
    await sink.flush(30_000);
    const stats = sink.stats();
    await sink.close();

    expect(stats.retries).toBeGreaterThan(0);
    expect(stats).toMatchObject({ queuedBatches: 0, queuedBytes: 0, published: 3000, dropped: 0 });
    const stored = await storedFacts(nc);
    expectExactlyOnce(stored, 3000);
    for (const kind of ['container', 'process_exec'] as const) {
      const order = stored.filter((f) => factKindOf(f) === kind).map((f) => Number(String(f.id).slice(5)));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  }, 60_000);

  it('outbox - a sink reopened on the same directory mid-stream loses and repeats nothing', async () => {
    const { nats, nc, dir } = await setup();
    const options = { nc, source: SOURCE, dir, maxBatch: 50, publishTimeoutMs: 300, backoffMs: { min: 50, max: 300 }, closeTimeoutMs: 300 };
    const first = createFactSink(options);
    for (let i = 0; i < 500; i++) await first.publish(fact(i));
    await first.flush(10_000);
    process.kill(nats.pid, 'SIGSTOP');
    let left: number;
    try {
      for (let i = 500; i < 1500; i++) await first.publish(fact(i));
      await first.close();
      left = first.stats().queuedBatches;
    } finally {
      process.kill(nats.pid, 'SIGCONT');
    }
    expect(left).toBeGreaterThan(0);
    expect((await fs.readdir(dir)).some((name) => name.endsWith('.log'))).toBe(true);

    const second = createFactSink(options);
    expect(second.stats().queuedBatches).toBe(left);
    for (let i = 1500; i < 2000; i++) await second.publish(fact(i));
    await second.flush(30_000);
    await second.close();

    expectExactlyOnce(await storedFacts(nc), 2000);
    expect(second.stats().queuedBatches).toBe(0);
  }, 60_000);

  it('outbox - when full, low-value facts go first and are counted', async () => {
    const { nats, nc, dir } = await setup();
    const sink = createFactSink({ nc, source: SOURCE, dir, maxBatch: 10, maxBytes: 12_000, publishTimeoutMs: 300, backoffMs: { min: 50, max: 300 } });
    process.kill(nats.pid, 'SIGSTOP');
    const runtime: FactInit[] = [];
    try {
      let n = 0;
      const exec = (): FactInit => ({ id: `exec-${n++}`, process_exec: { process: { pid: n }, source: 'test' } });
      for (let i = 0; i < 30; i++) runtime.push(exec());
      for (const f of runtime.slice(0, 30)) await sink.publish(f);
      await sink.flush(0).catch(() => undefined);
      for (let i = 0; i < 300; i++) await sink.publish({ id: `container-${i}`, container: { id: `c${i}`, name: `name-${i}` } });
      await sink.flush(0).catch(() => undefined);
      const more: FactInit[] = [];
      for (let i = 0; i < 30; i++) more.push(exec());
      for (const f of more) await sink.publish(f);
      runtime.push(...more);
      await sink.flush(0).catch(() => undefined);
    } finally {
      process.kill(nats.pid, 'SIGCONT');
    }
    const full = sink.stats();
    expect(full.queuedBytes).toBeLessThanOrEqual(12_000);
    expect(full.dropped).toBeGreaterThan(0);
    await sink.flush(30_000);
    await sink.close();

    const stored = await storedFacts(nc);
    const storedIds = new Set(stored.map((f) => f.id));
    for (const f of runtime) expect(storedIds.has(f.id)).toBe(true);
    const containers = stored.filter((f) => f.container);
    expect(containers.length).toBe(300 - full.dropped);
    expect(sink.stats().published + sink.stats().dropped).toBe(360);
    // The oldest container facts went first: what arrived is the newest.
    expect(containers.map((f) => f.id)).toContain('container-299');
  }, 60_000);
});

describe('collectors transport - outbox batches of an unknown kind', () => {
  it('outbox - a batch whose kind this version does not know is refused and counted, never sent as another kind', async () => {
    const { nc, dir } = await setup();
    // What a newer collector would leave behind: a batch of a kind this one has no subject for.
    const { Outbox } = await import('../../src/transport/outbox.js');
    const { encodeFactBatch } = await import('../../../proto/src/index.js');
    const outbox = Outbox.open({ dir, maxBytes: 1024 * 1024, lowValueKinds: new Set() });
    outbox.append({ id: 'future-batch', kind: 'gpu_event', count: 2, bytes: encodeFactBatch({ id: 'future-batch', facts: [{ id: 'f-1' }, { id: 'f-2' }] }) });
    outbox.close();
    const refused: string[] = [];
    const sink = createFactSink({ nc, source: SOURCE, dir, onRefused: (e) => refused.push(e.code) });
    await sink.publish(fact(1));
    await sink.flush(10_000);
    await sink.close();
    expect(refused).toEqual(['VIGIL_ERR_OUTBOX_UNKNOWN_KIND']);
    expect(sink.stats()).toMatchObject({ refused: 2, published: 1, queuedBatches: 0 });
    expect((await storedFacts(nc)).map((f) => f.id)).toEqual(['fact-1']);
  }, 30_000);
});
