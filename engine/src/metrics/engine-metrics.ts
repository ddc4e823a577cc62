import type { AlertGate } from '../throttle/throttle.js';
import { Registry, type Counter, type Gauge, type Histogram } from './registry.js';
import type { ShadowStats } from '../shadow/shadow.js';

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
  /** vigil_engine_context_missing_total: facts judged without context their rules read (not held yet). */
  readonly contextMissing: Counter;
  /** vigil_shadow_facts_total{bundle}: facts a shadow bundle judged beside the served set. */
  readonly shadowFacts: Counter<'bundle'>;
  /** vigil_shadow_findings_total{bundle,side}: findings of the served bundle and of its shadow on those facts. */
  readonly shadowFindings: Counter<'bundle' | 'side'>;
  /** vigil_shadow_new_findings_total{bundle}: findings the shadow makes that the served bundle does not. */
  readonly shadowNew: Counter<'bundle'>;
  /** vigil_shadow_gone_findings_total{bundle}: findings of the served bundle the shadow does not make. */
  readonly shadowGone: Counter<'bundle'>;
  /** vigil_shadow_skipped_total{bundle}: fact messages a lagging shadow did not judge. */
  readonly shadowSkipped: Counter<'bundle'>;
  /** vigil_shadow_errors_total{bundle}: facts a shadow could not judge. */
  readonly shadowErrors: Counter<'bundle'>;
  /** vigil_shadow_info{bundle,revision} = 1 for each shadow judging now. */
  readonly shadowInfo: Gauge<'bundle' | 'revision'>;
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
    contextMissing: registry.counter({ name: 'vigil_engine_context_missing_total', help: 'Facts judged without the container, image or host context their rules read, because it was not held yet.' }),
    shadowFacts: registry.counter({ name: 'vigil_shadow_facts_total', help: 'Facts a shadow bundle judged beside the served set.', labelNames: ['bundle'] }),
    shadowFindings: registry.counter({ name: 'vigil_shadow_findings_total', help: 'Findings on the facts a shadow judged, of the served bundle (side="served") and of the shadow (side="shadow").', labelNames: ['bundle', 'side'] }),
    shadowNew: registry.counter({ name: 'vigil_shadow_new_findings_total', help: 'Findings a shadow bundle makes that the served bundle of its name does not.', labelNames: ['bundle'] }),
    shadowGone: registry.counter({ name: 'vigil_shadow_gone_findings_total', help: 'Findings of the served bundle that its shadow does not make.', labelNames: ['bundle'] }),
    shadowSkipped: registry.counter({ name: 'vigil_shadow_skipped_total', help: 'Fact messages a shadow did not judge because it was behind.', labelNames: ['bundle'] }),
    shadowErrors: registry.counter({ name: 'vigil_shadow_errors_total', help: 'Facts a shadow could not judge (evaluation errors, deadlines).', labelNames: ['bundle'] }),
    shadowInfo: registry.gauge({ name: 'vigil_shadow_info', help: 'Shadow bundles judging now, by name and revision; the value is always 1.', labelNames: ['bundle', 'revision'] }),
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

/**
 * Feeds the shadows' counts into the metrics at each scrape. A shadow's counts
 * start at zero when it starts, so each one is followed by its start time.
 */
export function bindShadowMetrics(metrics: EngineMetrics, shadows: () => readonly ShadowStats[]): void {
  const seen = new Map<string, ShadowStats>();
  metrics.registry.addCollector(() => {
    metrics.shadowInfo.reset();
    for (const now of shadows()) {
      const id = `${now.bundle}\u0000${now.since}`;
      const before = seen.get(id);
      seen.set(id, now);
      const bundle = { bundle: now.bundle };
      const delta = (pick: (s: ShadowStats) => number): number => Math.max(0, pick(now) - (before ? pick(before) : 0));
      metrics.shadowInfo.set({ bundle: now.bundle, revision: now.revision }, 1);
      metrics.shadowFacts.inc(bundle, delta((s) => s.facts));
      metrics.shadowFindings.inc({ ...bundle, side: 'served' }, delta((s) => s.findings.served));
      metrics.shadowFindings.inc({ ...bundle, side: 'shadow' }, delta((s) => s.findings.candidate));
      metrics.shadowNew.inc(bundle, delta((s) => s.new));
      metrics.shadowGone.inc(bundle, delta((s) => s.gone));
      metrics.shadowSkipped.inc(bundle, delta((s) => s.skipped));
      metrics.shadowErrors.inc(bundle, delta((s) => s.errors));
    }
  });
}
