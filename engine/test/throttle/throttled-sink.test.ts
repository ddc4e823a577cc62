import { describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { decodeAlert, encodeAlert, severityValue, subjects, type FactInit } from '../../../proto/src/index.js';
import { alertsFrom } from '../../src/findings.js';
import { throttleKey } from '../../src/throttle/key.js';
import { MemoryAlertLedger } from '../../src/throttle/memory-ledger.js';
import { throttledSink, type ThrottledSink } from '../../src/throttle/throttled-sink.js';
import { MemorySink } from '../../src/transport/memory-sink.js';
import type { Publication } from '../../src/transport/result-sink.js';

const logger = pino({ level: 'silent' });

/** An alert publication as a worker encodes it: rule VGL-RUN-001 on container c1 of host h1. */
function alertPublication(fact: string, observedAtMs: number): Publication {
  const finding = {
    rule_id: 'VGL-RUN-001',
    severity: severityValue('HIGH'),
    title: 'Shell in container',
    message: `shell ${fact}`,
    subject: { kind: 'process_exec', name: 'web', id: 'c1', image: 'busybox', source: 'h1' },
  };
  const factInit: FactInit = { id: fact, source: { host: 'h1', collector: 'runtime', version: '0' }, observed_at_ms: observedAtMs };
  const [alert] = alertsFrom(factInit, [finding], observedAtMs + 1);
  return { subject: subjects.alerts('HIGH', 'process_exec', 'h1'), payload: encodeAlert(alert!), msgId: alert!.id ?? undefined, throttleKey: throttleKey(alert!), observedAtMs };
}

/** Publishes one group and waits for its settlement. */
function send(sink: ThrottledSink, ...publications: Publication[]): Promise<boolean> {
  const group = sink.group();
  for (const p of publications) group.publish(p);
  return new Promise((resolve) => group.seal(resolve));
}

const alertsOf = (sink: MemorySink) => sink.stored.map((p) => decodeAlert(p.payload));

describe('throttled sink', () => {
  it('throttled sink - a storm straddling an aligned window edge on two replicas yields one first alert between them', async () => {
    const ledger = new MemoryAlertLedger('a');
    const [outA, outB] = [new MemorySink(), new MemorySink()];
    const a = throttledSink(outA, { windowMs: 60_000, maxKeys: 10, ledger, logger });
    const b = throttledSink(outB, { windowMs: 60_000, maxKeys: 10, ledger: ledger.replica('b'), logger });
    expect(await send(a, alertPublication('f1', 59_999))).toBe(true);
    expect(await send(b, alertPublication('f2', 60_001))).toBe(true);
    expect([outA.stored.length, outB.stored.length]).toEqual([1, 0]);
    await Promise.all([a.close(1_000), b.close(1_000)]);
    expect(alertsOf(outB).map((x) => x.count)).toEqual([1]);
  });

  it('throttled sink - an engine that dies inside a window: another publishes the checkpointed aggregate once the window is over', async () => {
    const ledger = new MemoryAlertLedger('dead');
    const outDead = new MemorySink();
    const dead = throttledSink(outDead, { windowMs: 50, maxKeys: 10, ledger, logger, checkpointEveryMs: 1, recoverEveryMs: 60_000, autoFlush: false });
    // Each group settles only after its repeats are checkpointed: that is when their facts are acked.
    for (let i = 0; i < 5; i++) expect(await send(dead, alertPublication(`f${i}`, 1_000 + i))).toBe(true);
    expect(alertsOf(outDead).map((x) => x.count)).toEqual([1]);
    // Crash: `dead` never closes its window.
    const out = new MemorySink();
    const survivor = throttledSink(out, { windowMs: 50, maxKeys: 10, ledger: ledger.replica('survivor'), logger, orphanAfterMs: 0, recoverEveryMs: 60_000 });
    expect(await survivor.recover()).toBe(0);
    await new Promise((r) => setTimeout(r, 80));
    expect(await survivor.recover()).toBe(1);
    expect(alertsOf(out).map((x) => [x.count, Number(x.first_seen_ms), Number(x.last_seen_ms)])).toEqual([[4, 1_001, 1_004]]);
    expect(ledger.checkpoints.size).toBe(0);
    expect(await survivor.recover()).toBe(0);
    await survivor.close(1_000);
  });

  it('throttled sink - a checkpoint that cannot be written fails its group, so its facts are redelivered', async () => {
    const ledger = new MemoryAlertLedger();
    ledger.save = async () => {
      throw new Error('no KV leader');
    };
    const sink = throttledSink(new MemorySink(), { windowMs: 60_000, maxKeys: 10, ledger, logger, checkpointEveryMs: 1 });
    expect(await send(sink, alertPublication('f1', 1_000))).toBe(true);
    expect(await send(sink, alertPublication('f2', 1_001))).toBe(false);
    await sink.close(1_000);
  });

  it('throttled sink - a ledger that cannot be read never costs a first alert', async () => {
    const ledger = new MemoryAlertLedger();
    ledger.claim = async () => {
      throw new Error('no KV leader');
    };
    const out = new MemorySink();
    const sink = throttledSink(out, { windowMs: 60_000, maxKeys: 10, ledger, logger });
    expect(await send(sink, alertPublication('f1', 1_000))).toBe(true);
    expect(alertsOf(out).map((x) => x.id)).toEqual([decodeAlert(alertPublication('f1', 1_000).payload).id]);
    await sink.close(1_000);
  });
});
