import { describe, expect, it } from '@jest/globals';
import { VigilEngineError } from '../../src/errors.js';
import { bindShadowMetrics, bindThrottleMetrics, engineMetrics } from '../../src/metrics/engine-metrics.js';
import type { ShadowStats } from '../../src/shadow/shadow.js';
import { Registry } from '../../src/metrics/registry.js';
import { AlertThrottle } from '../../src/throttle/throttle.js';
import { parseExposition, valueOf } from './parse.js';

describe('metrics registry', () => {
  it('metrics - counters by label render as one sample per series, unlabelled ones start at 0', () => {
    const registry = new Registry();
    const facts = registry.counter({ name: 'facts_total', help: 'Facts.', labelNames: ['kind'] });
    const restarts = registry.counter({ name: 'restarts_total', help: 'Restarts.' });
    facts.inc({ kind: 'container' });
    facts.inc({ kind: 'container' }, 4);
    const image = facts.labels({ kind: 'image' });
    image.inc();
    image.inc(2.5);
    const parsed = parseExposition(registry.render());
    expect(parsed.type.get('facts_total')).toBe('counter');
    expect(parsed.help.get('facts_total')).toBe('Facts.');
    expect(valueOf(parsed, 'facts_total', { kind: 'container' })).toBe(5);
    expect(valueOf(parsed, 'facts_total', { kind: 'image' })).toBe(3.5);
    expect(valueOf(parsed, 'restarts_total')).toBe(0);
    restarts.inc();
    expect(valueOf(parseExposition(registry.render()), 'restarts_total')).toBe(1);
    expect(facts.get({ kind: 'container' })).toBe(5);
  });

  it('metrics - gauges go up and down, and reset drops every series', () => {
    const registry = new Registry();
    const pending = registry.gauge({ name: 'pending', help: 'Pending.' });
    const info = registry.gauge({ name: 'bundle_info', help: 'Bundle.', labelNames: ['revision'] });
    pending.set(10);
    pending.inc(5);
    pending.dec();
    info.set({ revision: 'a' }, 1);
    info.reset();
    info.set({ revision: 'b' }, 1);
    const parsed = parseExposition(registry.render());
    expect(parsed.type.get('pending')).toBe('gauge');
    expect(valueOf(parsed, 'pending')).toBe(14);
    expect(parsed.samples.filter((s) => s.name === 'bundle_info')).toEqual([{ name: 'bundle_info', labels: { revision: 'b' }, value: 1 }]);
    pending.set(Number.NaN);
    expect(valueOf(parseExposition(registry.render()), 'pending')).toBeNaN();
  });

  it('metrics - histogram buckets are cumulative, inclusive, with +Inf, _sum and _count per series', () => {
    const registry = new Registry();
    const seconds = registry.histogram({ name: 'eval_seconds', help: 'Eval.', labelNames: ['kind'], buckets: [0.01, 0.1, 1] });
    for (const v of [0.003, 0.01, 0.05, 0.1, 0.5, 7]) seconds.observe({ kind: 'container' }, v);
    seconds.observe({ kind: 'image' }, 2);
    const parsed = parseExposition(registry.render());
    expect(parsed.type.get('eval_seconds')).toBe('histogram');
    const bucket = (kind: string, le: string): number | undefined => valueOf(parsed, 'eval_seconds_bucket', { kind, le });
    expect([bucket('container', '0.01'), bucket('container', '0.1'), bucket('container', '1'), bucket('container', '+Inf')]).toEqual([2, 4, 5, 6]);
    expect(valueOf(parsed, 'eval_seconds_sum', { kind: 'container' })).toBeCloseTo(7.663, 10);
    expect(valueOf(parsed, 'eval_seconds_count', { kind: 'container' })).toBe(6);
    expect([bucket('image', '0.01'), bucket('image', '1'), bucket('image', '+Inf')]).toEqual([0, 0, 1]);
    expect(valueOf(parsed, 'eval_seconds_count', { kind: 'image' })).toBe(1);
    // +Inf equals _count, and buckets never decrease, for every series.
    for (const kind of ['container', 'image']) {
      const values = parsed.samples.filter((s) => s.name === 'eval_seconds_bucket' && s.labels.kind === kind).map((s) => s.value);
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect(values.at(-1)).toBe(valueOf(parsed, 'eval_seconds_count', { kind }));
    }
  });

  it('metrics - an unlabelled histogram with default buckets, and a timer that observes elapsed seconds', async () => {
    const registry = new Registry();
    const h = registry.histogram({ name: 'op_seconds', help: 'Op.' });
    const end = h.startTimer();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const elapsed = end();
    expect(elapsed).toBeGreaterThanOrEqual(0.015);
    const parsed = parseExposition(registry.render());
    expect(valueOf(parsed, 'op_seconds_count')).toBe(1);
    expect(valueOf(parsed, 'op_seconds_sum')).toBe(elapsed);
    expect(valueOf(parsed, 'op_seconds_bucket', { le: '0.005' })).toBe(0);
    expect(valueOf(parsed, 'op_seconds_bucket', { le: '10' })).toBe(1);
    expect(parsed.samples.filter((s) => s.name === 'op_seconds_bucket')).toHaveLength(12);
  });

  it('metrics - label values and help text are escaped and read back intact', () => {
    const registry = new Registry();
    const hostile = 'a"b\\c\nd}{,e="f"';
    const c = registry.counter({ name: 'odd_total', help: 'Back\\slash and\nnew line.', labelNames: ['path', 'other'] });
    c.inc({ path: hostile, other: 'plain' }, 2);
    const h = registry.histogram({ name: 'odd_seconds', help: 'H.', labelNames: ['path'], buckets: [1] });
    h.observe({ path: hostile }, 0.5);
    const text = registry.render();
    expect(text.split('\n').filter((line) => line.startsWith('odd_total'))).toHaveLength(1);
    const parsed = parseExposition(text);
    expect(parsed.help.get('odd_total')).toBe('Back\\slash and\nnew line.');
    expect(valueOf(parsed, 'odd_total', { path: hostile, other: 'plain' })).toBe(2);
    expect(valueOf(parsed, 'odd_seconds_bucket', { path: hostile, le: '1' })).toBe(1);
  });

  it('metrics - collectors run before each render', () => {
    const registry = new Registry();
    const g = registry.gauge({ name: 'sampled', help: 'Sampled.' });
    let n = 0;
    const remove = registry.addCollector(() => g.set(++n));
    expect(valueOf(parseExposition(registry.render()), 'sampled')).toBe(1);
    expect(valueOf(parseExposition(registry.render()), 'sampled')).toBe(2);
    remove();
    expect(valueOf(parseExposition(registry.render()), 'sampled')).toBe(2);
  });

  it.each([
    ['a bad metric name', (r: Registry) => r.counter({ name: '9lives', help: '' })],
    ['a bad label name', (r: Registry) => r.counter({ name: 'ok_total', help: '', labelNames: ['bad-label'] })],
    ['a reserved label name', (r: Registry) => r.gauge({ name: 'ok', help: '', labelNames: ['__name'] })],
    ['le on a histogram', (r: Registry) => r.histogram({ name: 'ok_seconds', help: '', labelNames: ['le'] })],
    ['buckets out of order', (r: Registry) => r.histogram({ name: 'ok_seconds', help: '', buckets: [1, 0.5] })],
    ['the same name twice', (r: Registry) => [r.gauge({ name: 'twice', help: '' }), r.counter({ name: 'twice', help: '' })]],
    ['a missing label', (r: Registry) => r.counter({ name: 'l_total', help: '', labelNames: ['a', 'b'] }).inc({ a: 1 } as never)],
    ['an extra label', (r: Registry) => r.counter({ name: 'l_total', help: '', labelNames: ['a'] }).inc({ a: 1, b: 2 } as never)],
    ['a negative counter increment', (r: Registry) => r.counter({ name: 'n_total', help: '' }).inc(-1)],
  ])('metrics - %s is rejected', (_what, act) => {
    expect(() => act(new Registry())).toThrow(VigilEngineError);
  });
});

describe('engine metrics', () => {
  it('engine metrics - every metric of the engine is registered with its type', () => {
    const metrics = engineMetrics();
    metrics.facts.inc({ kind: 'container' });
    metrics.evaluationSeconds.observe({ kind: 'container' }, 0.0003);
    metrics.alerts.inc({ severity: 'HIGH' });
    metrics.deadLetters.inc({ reason: 'decode' });
    metrics.consumerPending.set(42);
    metrics.workerRestarts.inc();
    metrics.setBundles([{ name: 'default', revision: 'rev-1' }]);
    metrics.setBundles([{ name: 'default', revision: 'rev-2' }, { name: 'web', revision: 'rev-w' }]);
    const parsed = parseExposition(metrics.registry.render());
    expect(Object.fromEntries(parsed.type)).toEqual({
      vigil_engine_bundle_info: 'gauge',
      vigil_engine_facts_total: 'counter',
      vigil_engine_evaluation_seconds: 'histogram',
      vigil_engine_alerts_total: 'counter',
      vigil_engine_alerts_suppressed_total: 'counter',
      vigil_engine_alert_aggregates_total: 'counter',
      vigil_engine_alert_throttle_evictions_total: 'counter',
      vigil_engine_alert_throttle_keys: 'gauge',
      vigil_engine_dead_letters_total: 'counter',
      vigil_engine_consumer_pending: 'gauge',
      vigil_engine_worker_restarts_total: 'counter',
      vigil_engine_context_missing_total: 'counter',
      vigil_shadow_info: 'gauge',
      vigil_shadow_facts_total: 'counter',
      vigil_shadow_findings_total: 'counter',
      vigil_shadow_new_findings_total: 'counter',
      vigil_shadow_gone_findings_total: 'counter',
      vigil_shadow_skipped_total: 'counter',
      vigil_shadow_errors_total: 'counter',
    });
    expect(valueOf(parsed, 'vigil_engine_facts_total', { kind: 'container' })).toBe(1);
    expect(valueOf(parsed, 'vigil_engine_evaluation_seconds_bucket', { kind: 'container', le: '0.0005' })).toBe(1);
    expect(valueOf(parsed, 'vigil_engine_evaluation_seconds_bucket', { kind: 'container', le: '0.00025' })).toBe(0);
    expect(valueOf(parsed, 'vigil_engine_alerts_total', { severity: 'HIGH' })).toBe(1);
    expect(valueOf(parsed, 'vigil_engine_dead_letters_total', { reason: 'decode' })).toBe(1);
    expect(valueOf(parsed, 'vigil_engine_consumer_pending')).toBe(42);
    expect(valueOf(parsed, 'vigil_engine_worker_restarts_total')).toBe(1);
    expect(parsed.samples.filter((s) => s.name === 'vigil_engine_bundle_info')).toEqual([
      { name: 'vigil_engine_bundle_info', labels: { name: 'default', revision: 'rev-2' }, value: 1 },
      { name: 'vigil_engine_bundle_info', labels: { name: 'web', revision: 'rev-w' }, value: 1 },
    ]);
  });

  it('engine metrics - shadow counts are added as they grow, and a shadow started again counts from its own zero', () => {
    const metrics = engineMetrics();
    const stats = (since: string, facts: number, added: number): ShadowStats => ({
      bundle: 'default',
      revision: 'cand-1',
      since,
      facts,
      findings: { served: facts, candidate: facts + added },
      new: added,
      gone: 0,
      skipped: 1,
      errors: 0,
    });
    let current: ShadowStats[] = [stats('t1', 10, 2)];
    bindShadowMetrics(metrics, () => current);
    const scrape = (): ReturnType<typeof parseExposition> => parseExposition(metrics.registry.render());
    expect(valueOf(scrape(), 'vigil_shadow_facts_total', { bundle: 'default' })).toBe(10);
    current = [stats('t1', 25, 5)];
    let parsed = scrape();
    expect(valueOf(parsed, 'vigil_shadow_facts_total', { bundle: 'default' })).toBe(25);
    expect(valueOf(parsed, 'vigil_shadow_new_findings_total', { bundle: 'default' })).toBe(5);
    expect(valueOf(parsed, 'vigil_shadow_findings_total', { bundle: 'default', side: 'shadow' })).toBe(30);
    expect(valueOf(parsed, 'vigil_shadow_skipped_total', { bundle: 'default' })).toBe(1);
    current = [stats('t2', 4, 1)];
    parsed = scrape();
    expect(valueOf(parsed, 'vigil_shadow_facts_total', { bundle: 'default' })).toBe(29);
    expect(valueOf(parsed, 'vigil_shadow_info', { bundle: 'default', revision: 'cand-1' })).toBe(1);
    current = [];
    expect(scrape().samples.filter((s) => s.name === 'vigil_shadow_info')).toEqual([]);
  });

  it('engine metrics - the throttle feeds suppressed, aggregates, evictions and open keys at each scrape', () => {
    const metrics = engineMetrics();
    const clock = { t: 0 };
    const throttle = new AlertThrottle({ windowMs: 100, maxKeys: 1, now: () => clock.t, autoFlush: false, onFlush: () => undefined });
    const unbind = bindThrottleMetrics(metrics, throttle);
    let fact = 0;
    // Each occurrence from its own fact: the throttle does not count one alert id twice.
    const alert = (rule: string) => ({ id: `${rule}-${fact++}`, finding: { rule_id: rule, subject: { kind: 'container', id: 'c' } } });
    throttle.admit(alert('A'));
    throttle.admit(alert('A'));
    throttle.admit(alert('A'));
    let parsed = parseExposition(metrics.registry.render());
    expect(valueOf(parsed, 'vigil_engine_alerts_suppressed_total')).toBe(2);
    expect(valueOf(parsed, 'vigil_engine_alert_throttle_keys')).toBe(1);
    throttle.admit(alert('B')); // evicts A's window, which flushes its aggregate
    throttle.admit(alert('B'));
    parsed = parseExposition(metrics.registry.render());
    expect(valueOf(parsed, 'vigil_engine_alerts_suppressed_total')).toBe(3);
    expect(valueOf(parsed, 'vigil_engine_alert_aggregates_total')).toBe(1);
    expect(valueOf(parsed, 'vigil_engine_alert_throttle_evictions_total')).toBe(1);
    throttle.close();
    unbind();
    throttle.admit(alert('B'));
    parsed = parseExposition(metrics.registry.render());
    expect(valueOf(parsed, 'vigil_engine_alert_aggregates_total')).toBe(2);
    expect(valueOf(parsed, 'vigil_engine_alert_throttle_keys')).toBe(0);
  });
});
