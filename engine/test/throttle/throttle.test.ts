import { describe, expect, it } from '@jest/globals';
import { decodeAlert, encodeAlert, severityValue, type AlertInit, type FactInit } from '../../../proto/src/index.js';
import { alertsFrom } from '../../src/findings.js';
import { VigilEngineError } from '../../src/errors.js';
import { throttleKey } from '../../src/throttle/key.js';
import { AlertThrottle, createAlertThrottle, occurrenceOf } from '../../src/throttle/throttle.js';

interface Occurrence {
  rule?: string;
  container?: string;
  host?: string;
  fact: string;
  at: number;
}

function alert({ rule = 'VGL-RUN-001', container = 'c1', host = 'h1', fact, at }: Occurrence): AlertInit {
  const finding = {
    rule_id: rule,
    severity: severityValue('HIGH'),
    title: 'Shell in container',
    message: `shell ${fact}`,
    subject: { kind: 'process_exec', name: `name-${container}`, id: container, image: 'busybox', source: host },
  };
  const factInit: FactInit = { id: fact, source: { host, collector: 'runtime', version: '0' }, observed_at_ms: at };
  const [made] = alertsFrom(factInit, [finding], at + 1);
  return made!;
}

/** A throttle on a hand-driven clock, collecting what it flushes. */
function harness(windowMs = 1_000, maxKeys = 100) {
  const clock = { t: 10_000 };
  const flushed: AlertInit[] = [];
  const throttle = new AlertThrottle({ windowMs, maxKeys, now: () => clock.t, autoFlush: false, onFlush: (a) => flushed.push(a) });
  return { clock, flushed, throttle };
}

describe('alert throttle', () => {
  it('alert throttle - admitKeyed reads an alert only to build an aggregate, and aggregates as admit() does', () => {
    const { flushed, throttle } = harness();
    const reads: string[] = [];
    const keyed = (o: Occurrence): boolean => {
      const a = alert(o);
      return throttle.admitKeyed(throttleKey(a), { ...occurrenceOf(a), alert: () => (reads.push(o.fact), a) });
    };
    expect([keyed({ fact: 'f1', at: 500 }), keyed({ fact: 'f2', at: 600 }), keyed({ fact: 'f3', at: 700 })]).toEqual([true, false, false]);
    expect(reads).toEqual([]);
    throttle.close();
    expect(reads).toEqual(['f3']);
    expect(flushed.map((a) => [a.count, a.first_seen_ms, a.last_seen_ms])).toEqual([[2, 600, 700]]);
  });

  it('alert throttle - a redelivered alert counts once: the first is admitted again, a repeat is not counted twice', () => {
    const { flushed, throttle } = harness();
    const first = alert({ fact: 'f1', at: 500 });
    const repeat = alert({ fact: 'f2', at: 600 });
    expect([throttle.admit(first), throttle.admit(repeat), throttle.admit(first), throttle.admit(repeat)]).toEqual([true, false, true, false]);
    expect(throttle.stats()).toMatchObject({ admitted: 1, suppressed: 1 });
    throttle.close();
    expect(flushed.map((a) => a.count)).toEqual([1]);
  });

  it('alert throttle - an admitted alert taken back (another replica was first) is counted into the aggregate, open window or not', () => {
    const { clock, flushed, throttle } = harness();
    const other = alert({ container: 'c2', fact: 'g1', at: 550 });
    expect(throttle.admit(other)).toBe(true);
    clock.t += 1_500;
    // Its window closed (no repeats) before the stream's answer came back: one opens again and counts it.
    const first = alert({ fact: 'f1', at: 500 });
    expect(throttle.admit(first)).toBe(true);
    throttle.absorb(throttleKey(other), occurrenceOf(other));
    throttle.absorb(throttleKey(first), occurrenceOf(first));
    expect(throttle.admit(alert({ fact: 'f2', at: 600 }))).toBe(false);
    expect(throttle.stats()).toMatchObject({ admitted: 0, suppressed: 3 });
    throttle.close();
    expect(flushed.map((a) => [a.finding?.subject?.id, a.count, a.first_seen_ms, a.last_seen_ms])).toEqual([
      ['c1', 2, 500, 600],
      ['c2', 1, 550, 550],
    ]);
  });

  it('alert throttle - first occurrence passes, repeats in the window become one aggregate with count and first/last seen', () => {
    const { clock, flushed, throttle } = harness();
    expect(throttle.admit(alert({ fact: 'f1', at: 500 }))).toBe(true);
    clock.t += 100;
    expect(throttle.admit(alert({ fact: 'f2', at: 600 }))).toBe(false);
    clock.t += 100;
    expect(throttle.admit(alert({ fact: 'f3', at: 700 }))).toBe(false);
    clock.t += 100;
    expect(throttle.admit(alert({ fact: 'f4', at: 650 }))).toBe(false);
    throttle.flushDue();
    expect(flushed).toEqual([]);

    clock.t = 11_000; // the window opened at 10_000 closes now
    throttle.flushDue();
    expect(flushed).toHaveLength(1);
    const aggregate = flushed[0]!;
    expect(aggregate.count).toBe(3);
    expect(aggregate.first_seen_ms).toBe(600);
    expect(aggregate.last_seen_ms).toBe(700);
    expect(aggregate.raised_at_ms).toBe(11_000);
    // The latest repeat's finding and fact; a new id of its own.
    expect(aggregate.fact_id).toBe('f4');
    expect(aggregate.finding?.message).toBe('shell f4');
    expect(aggregate.id).toMatch(/^[0-9a-f]{32}$/);
    expect([alert({ fact: 'f2', at: 600 }).id, alert({ fact: 'f4', at: 650 }).id]).not.toContain(aggregate.id);
    expect(throttle.stats()).toEqual({ keys: 1, admitted: 1, suppressed: 3, aggregates: 1, evictions: 0 });
  });

  it('alert throttle - a window without repeats flushes nothing and the next occurrence passes at once', () => {
    const { clock, flushed, throttle } = harness();
    expect(throttle.admit(alert({ fact: 'f1', at: 1 }))).toBe(true);
    clock.t += 1_000;
    throttle.flushDue();
    expect(flushed).toEqual([]);
    expect(throttle.stats().keys).toBe(0);
    expect(throttle.admit(alert({ fact: 'f2', at: 2 }))).toBe(true);
  });

  it('alert throttle - a storm that goes on yields one aggregate per window', () => {
    const { clock, flushed, throttle } = harness();
    let published = 0;
    // 10 occurrences a second for 3.5 windows.
    for (let i = 0; i < 35; i++) {
      if (throttle.admit(alert({ fact: `f${i}`, at: i * 100 }))) published++;
      clock.t += 100;
    }
    throttle.close();
    expect(published).toBe(1);
    expect(flushed.map((a) => a.count)).toEqual([9, 10, 10, 5]);
    // Every occurrence is accounted for exactly once.
    expect(published + flushed.reduce((sum, a) => sum + (a.count ?? 0), 0)).toBe(35);
    expect(flushed[1]!.first_seen_ms).toBe(1_000);
    expect(flushed[1]!.last_seen_ms).toBe(1_900);
    expect(new Set(flushed.map((a) => a.id)).size).toBe(4);
  });

  it('alert throttle - rule, subject and host each make a separate key', () => {
    const { flushed, throttle } = harness();
    expect(throttle.admit(alert({ fact: 'a', at: 1 }))).toBe(true);
    expect(throttle.admit(alert({ fact: 'b', at: 1, rule: 'VGL-RUN-002' }))).toBe(true);
    expect(throttle.admit(alert({ fact: 'c', at: 1, container: 'c2' }))).toBe(true);
    expect(throttle.admit(alert({ fact: 'd', at: 1, host: 'h2' }))).toBe(true);
    // Same rule, subject and host with a different message: the same storm.
    expect(throttle.admit(alert({ fact: 'e', at: 2 }))).toBe(false);
    expect(throttle.stats().keys).toBe(4);
    expect(flushed).toEqual([]);
    expect(throttleKey(alert({ fact: 'x', at: 1 }))).toBe(throttleKey(alert({ fact: 'y', at: 9 })));
  });

  it('alert throttle - when maxKeys is reached the oldest window is flushed early and counted as an eviction', () => {
    const { clock, flushed, throttle } = harness(1_000, 2);
    throttle.admit(alert({ fact: 'a1', at: 1, container: 'a' }));
    throttle.admit(alert({ fact: 'a2', at: 2, container: 'a' }));
    throttle.admit(alert({ fact: 'a3', at: 3, container: 'a' }));
    clock.t += 10;
    throttle.admit(alert({ fact: 'b1', at: 4, container: 'b' }));
    expect(flushed).toEqual([]);
    clock.t += 10;
    expect(throttle.admit(alert({ fact: 'c1', at: 5, container: 'c' }))).toBe(true);
    expect(flushed).toHaveLength(1);
    expect(flushed[0]).toMatchObject({ fact_id: 'a3', count: 2, first_seen_ms: 2, last_seen_ms: 3 });
    expect(throttle.stats()).toMatchObject({ keys: 2, evictions: 1 });
    // 'a' was forgotten: its next occurrence passes at once and evicts 'b' (no repeats: nothing flushed).
    expect(throttle.admit(alert({ fact: 'a4', at: 6, container: 'a' }))).toBe(true);
    expect(flushed).toHaveLength(1);
    expect(throttle.stats()).toMatchObject({ keys: 2, evictions: 2 });
  });

  it('alert throttle - window 0 disables throttling', () => {
    const flushed: AlertInit[] = [];
    for (const gate of [
      createAlertThrottle({ windowMs: 0, maxKeys: 1, onFlush: (a) => flushed.push(a) }),
      new AlertThrottle({ windowMs: 0, maxKeys: 1, onFlush: (a) => flushed.push(a) }),
    ]) {
      for (let i = 0; i < 5; i++) expect(gate.admit(alert({ fact: `f${i}`, at: i }))).toBe(true);
      gate.close();
      expect(gate.stats()).toMatchObject({ admitted: 5, suppressed: 0, keys: 0 });
    }
    expect(flushed).toEqual([]);
    expect(createAlertThrottle({ windowMs: 10, maxKeys: 1, onFlush: () => undefined })).toBeInstanceOf(AlertThrottle);
  });

  it('alert throttle - close flushes pending aggregates, then lets everything pass', () => {
    const { flushed, throttle } = harness();
    throttle.admit(alert({ fact: 'f1', at: 1 }));
    throttle.admit(alert({ fact: 'f2', at: 2 }));
    throttle.admit(alert({ fact: 'g1', at: 1, container: 'g' }));
    throttle.close();
    expect(flushed).toHaveLength(1);
    expect(flushed[0]).toMatchObject({ fact_id: 'f2', count: 1 });
    expect(throttle.admit(alert({ fact: 'f3', at: 3 }))).toBe(true);
    throttle.close();
    expect(flushed).toHaveLength(1);
  });

  it('alert throttle - the same occurrences give the same aggregate id (redelivery is deduplicated)', () => {
    const run = (): AlertInit[] => {
      const { clock, flushed, throttle } = harness();
      for (let i = 0; i < 4; i++) {
        throttle.admit(alert({ fact: `f${i}`, at: i }));
        clock.t += 7 + i; // different timing in each run does not matter
      }
      throttle.close();
      return flushed;
    };
    const [first] = run();
    const [second] = run();
    expect(first?.id).toBeDefined();
    expect(second?.id).toBe(first?.id);
    // Another subject with the same facts gets another id.
    const { flushed, throttle } = harness();
    for (let i = 0; i < 4; i++) throttle.admit(alert({ fact: `f${i}`, at: i, container: 'other' }));
    throttle.close();
    expect(flushed[0]?.id).not.toBe(first?.id);
  });

  it('alert throttle - aggregate fields survive the wire', () => {
    const { flushed, throttle } = harness();
    throttle.admit(alert({ fact: 'f1', at: 1_700_000_000_000 }));
    throttle.admit(alert({ fact: 'f2', at: 1_700_000_000_500 }));
    throttle.admit(alert({ fact: 'f3', at: 1_700_000_000_900 }));
    throttle.close();
    const decoded = decodeAlert(encodeAlert(flushed[0]!));
    expect(Number(decoded.count)).toBe(2);
    expect(Number(decoded.first_seen_ms)).toBe(1_700_000_000_500);
    expect(Number(decoded.last_seen_ms)).toBe(1_700_000_000_900);
    expect(decoded.id).toBe(flushed[0]!.id);
  });

  it('alert throttle - with the real clock the window closes by itself', async () => {
    const flushed: AlertInit[] = [];
    const done = new Promise<AlertInit>((resolve) => {
      const throttle = new AlertThrottle({ windowMs: 40, maxKeys: 10, onFlush: (a) => { flushed.push(a); resolve(a); } });
      throttle.admit(alert({ fact: 'f1', at: 1 }));
      throttle.admit(alert({ fact: 'f2', at: 2 }));
      throttle.admit(alert({ fact: 'f3', at: 3 }));
    });
    const started = Date.now();
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no aggregate within 2 s')), 2_000).unref());
    const aggregate = await Promise.race([done, timeout]);
    expect(aggregate.count).toBe(2);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(flushed).toHaveLength(1);
  });

  it.each([
    [{ windowMs: -1, maxKeys: 1 }, 'windowMs'],
    [{ windowMs: Number.NaN, maxKeys: 1 }, 'windowMs'],
    [{ windowMs: 10, maxKeys: 0 }, 'maxKeys'],
    [{ windowMs: 10, maxKeys: 1.5 }, 'maxKeys'],
  ])('alert throttle - invalid options %j are rejected', (options, field) => {
    const make = (): unknown => createAlertThrottle({ ...options, onFlush: () => undefined });
    expect(make).toThrow(VigilEngineError);
    expect(make).toThrow(field);
  });
});
