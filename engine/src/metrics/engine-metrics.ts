import type { AlertGate } from '../throttle/throttle.js';
import { Registry, type Counter, type Gauge, type Histogram } from './registry.js';

/** Buckets for policy evaluation, in seconds: 100 µs to 2.5 s. */
export const EVALUATION_BUCKETS: readonly number[] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The engine's metrics, registered once at start-up. */
export interface EngineMetrics {
  readonly registry: Registry;
  /** vigil_engine_facts_total{kind}: facts taken off the consumer. */
  readonly facts: Counter<'kind'>;
  /** vigil_engine_evaluation_seconds{kind}: time to evaluate one batch of facts of a kind. */
  readonly evaluationSeconds: Histogram<'kind'>;
  /** vigil_engine_alerts_total{severity}: alerts published (aggregates included). */
  readonly alerts: Counter<'severity'>;
  /** vigil_engine_alerts_suppressed_total: alerts the throttle held back. */
  readonly alertsSuppressed: Counter;
  /** vigil_engine_alert_aggregates_total: aggregate alerts the throttle produced. */
  readonly alertAggregates: Counter;
  /** vigil_engine_alert_throttle_evictions_total: throttle windows closed early at maxKeys. */
  readonly throttleEvictions: Counter;
  /** vigil_engine_alert_throttle_keys: throttle windows open now. */
  readonly throttleKeys: Gauge;
  /** vigil_engine_dead_letters_total{reason}. */
  readonly deadLetters: Counter<'reason'>;
  /** vigil_engine_consumer_pending: facts not yet delivered plus delivered and not acked. */
  readonly consumerPending: Gauge;
  /** vigil_engine_bundle_info{name,revision} = 1 for each bundle served. */
  readonly bundleInfo: Gauge<'name' | 'revision'>;
  /** vigil_engine_worker_restarts_total: evaluation workers replaced after a crash. */
  readonly workerRestarts: Counter;
  /** Marks these bundles as the ones served (and no other). */
  setBundles(bundles: readonly { name: string; revision: string }[]): void;
}

export function engineMetrics(registry: Registry = new Registry()): EngineMetrics {
  const bundleInfo = registry.gauge({ name: 'vigil_engine_bundle_info', help: 'Policy bundles served, by name and revision; the value is always 1.', labelNames: ['name', 'revision'] });
  return {
    registry,
    facts: registry.counter({ name: 'vigil_engine_facts_total', help: 'Facts taken off the fact consumer, by kind.', labelNames: ['kind'] }),
    evaluationSeconds: registry.histogram({
      name: 'vigil_engine_evaluation_seconds',
      help: 'Policy evaluation time of one batch of facts of one kind, in seconds.',
      labelNames: ['kind'],
      buckets: EVALUATION_BUCKETS,
    }),
    alerts: registry.counter({ name: 'vigil_engine_alerts_total', help: 'Alerts published, aggregates included, by severity.', labelNames: ['severity'] }),
    alertsSuppressed: registry.counter({ name: 'vigil_engine_alerts_suppressed_total', help: 'Alerts held back by the throttle and counted into an aggregate.' }),
    alertAggregates: registry.counter({ name: 'vigil_engine_alert_aggregates_total', help: 'Aggregate alerts published by the throttle.' }),
    throttleEvictions: registry.counter({ name: 'vigil_engine_alert_throttle_evictions_total', help: 'Throttle windows closed early because the key limit was reached.' }),
    throttleKeys: registry.gauge({ name: 'vigil_engine_alert_throttle_keys', help: 'Throttle windows open now.' }),
    deadLetters: registry.counter({ name: 'vigil_engine_dead_letters_total', help: 'Messages sent to the dead-letter stream, by reason.', labelNames: ['reason'] }),
    consumerPending: registry.gauge({ name: 'vigil_engine_consumer_pending', help: 'Fact batches (messages) waiting for the engine: not yet delivered plus delivered and not acked.' }),
    bundleInfo,
    workerRestarts: registry.counter({ name: 'vigil_engine_worker_restarts_total', help: 'Evaluation workers replaced after a crash, a deadline or a refused data update.' }),
    setBundles(bundles): void {
      bundleInfo.reset();
      for (const { name, revision } of bundles) bundleInfo.set({ name, revision }, 1);
    },
  };
}

/**
 * Feeds the throttle's own counts into the metrics at each scrape
 * (suppressed, aggregates, evictions, open keys): the engine only asks the
 * gate whether to publish, and must not count suppressed alerts itself. Returns a
 * function that stops it. Binding a new gate later is fine.
 */
export function bindThrottleMetrics(metrics: EngineMetrics, gate: AlertGate): () => void {
  const seen = { suppressed: 0, aggregates: 0, evictions: 0 };
  const delta = (name: keyof typeof seen, now: number): number => {
    const added = Math.max(0, now - seen[name]);
    seen[name] = now;
    return added;
  };
  const collect = (): void => {
    const stats = gate.stats();
    metrics.alertsSuppressed.inc(delta('suppressed', stats.suppressed));
    metrics.alertAggregates.inc(delta('aggregates', stats.aggregates));
    metrics.throttleEvictions.inc(delta('evictions', stats.evictions));
    metrics.throttleKeys.set(stats.keys);
  };
  const remove = metrics.registry.addCollector(collect);
  return () => {
    collect();
    remove();
  };
}
