import { describe, expect, it } from '@jest/globals';
import type { NatsConnection } from '@nats-io/nats-core';
import { decodeFactBatch, type FactKind } from '../../../proto/src/index.js';
import { createFactSink, MemoryBatchStore, type BatchTransport } from '../../src/internal.js';

const SOURCE = { host: 'unit', collector: 'test', version: '0' };
/** The sink never touches NATS when given its own transport. */
const NO_NATS = {} as NatsConnection;

/** A transport that fails the first `failures` sends, then records what it was sent. */
function flakyTransport(failures: number) {
  const sent: { kind: FactKind; id: string; facts: string[] }[] = [];
  const attempts: string[] = [];
  let left = failures;
  const transport: BatchTransport = {
    async send(kind, bytes, id) {
      attempts.push(id);
      if (left-- > 0) throw new Error('no responders');
      sent.push({ kind, id, facts: decodeFactBatch(bytes).facts.map((f) => f.container?.name ?? f.process_exec?.process?.exe ?? '') });
    },
  };
  return { transport, sent, attempts };
}

describe('collector fact sink', () => {
  it('fact sink - batches per kind up to maxBatch, retries a batch with the same id until it is taken, keeps the order', async () => {
    const { transport, sent, attempts } = flakyTransport(2);
    const sink = createFactSink({ nc: NO_NATS, source: SOURCE, transport, maxBatch: 3, backoffMs: { min: 5, max: 20 } });
    for (let i = 0; i < 7; i++) await sink.publish({ container: { id: `c${i}`, name: `c${i}` } });
    await sink.publish({ process_exec: { process: { exe: '/bin/sh' } } });
    await sink.flush(5_000);
    expect(sent.map((b) => [b.kind, b.facts])).toEqual([
      ['container', ['c0', 'c1', 'c2']],
      ['container', ['c3', 'c4', 'c5']],
      ['container', ['c6']],
      ['process_exec', ['/bin/sh']],
    ]);
    // The first batch was sent three times under one id: the stream's duplicate window keeps one copy.
    expect(attempts.slice(0, 3)).toEqual([sent[0]!.id, sent[0]!.id, sent[0]!.id]);
    expect(sink.stats()).toMatchObject({ published: 8, retries: 2, queuedBatches: 0, dropped: 0 });
    await sink.close();
  });

  it('fact sink - a flush that outlasts its timeout names the last error, and the facts stay queued', async () => {
    const { transport } = flakyTransport(Number.POSITIVE_INFINITY);
    const sink = createFactSink({ nc: NO_NATS, source: SOURCE, transport, backoffMs: { min: 5, max: 10 }, closeTimeoutMs: 50 });
    await sink.publish({ container: { id: 'c', name: 'c' } });
    await expect(sink.flush(200)).rejects.toThrow(/^VIGIL_ERR_OUTBOX_FLUSH_TIMEOUT: outbox memory: 1 batches .*no responders/);
    expect(sink.stats().queuedBatches).toBe(1);
    await sink.close();
    await expect(sink.publish({ container: { id: 'late' } })).rejects.toThrow(/VIGIL_ERR_OUTBOX_CLOSED/);
  });

  it('fact sink - a fact with no kind is refused at publish', async () => {
    const sink = createFactSink({ nc: NO_NATS, source: SOURCE, transport: flakyTransport(0).transport });
    await expect(sink.publish({})).rejects.toThrow(/VIGIL_ERR_OUTBOX_FACT_KIND/);
    await sink.close();
  });

  it('memory batch store - over its bound it drops low-value batches first, never the head', () => {
    const store = new MemoryBatchStore({ maxBytes: 25, lowValueKinds: new Set(['host']) });
    const batch = (id: string, kind: string) => ({ id, kind, count: 2, bytes: new Uint8Array(10) });
    expect(store.append(batch('h0', 'host'))).toBe(0);
    expect(store.append(batch('p1', 'process_exec'))).toBe(0);
    expect(store.append(batch('h2', 'host'))).toBe(2);
    expect(store.append(batch('p3', 'process_exec'))).toBe(2);
    const ids: string[] = [];
    for (let head = store.head(); head !== undefined; head = store.head()) {
      ids.push(head.id);
      store.ack(head);
    }
    // h0 was the head (maybe in flight); h2 went first as low value, then p1 as the oldest.
    expect(ids).toEqual(['h0', 'p3']);
  });
});
