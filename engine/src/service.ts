import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from 'pino';
import { ENGINE_CONSUMER, streams } from '../../proto/src/index.js';
import { watchData, withDataDocuments, type DataEvent, type DataOverlay, type DataWatch } from './distribution/data.js';
import { distributionSubjects, publishEvent, type RejectedBundleEvent } from './distribution/events.js';
import { VigilEngineError } from './errors.js';
import type { BundleVerifier } from './distribution/signature.js';
import { watchBundles, type BundleEvent, type BundleWatch } from './distribution/watch-bundles.js';
import { startEngine, type EngineOptions, type RunningEngine } from './engine.js';
import { ProfileLearner } from './profiles/learner.js';
import { ProfileStore } from './profiles/store.js';
import { pollConsumerLag } from './metrics/consumer-lag.js';
import { bindShadowMetrics, engineMetrics, type EngineMetrics } from './metrics/engine-metrics.js';
import { startHeartbeat } from './metrics/heartbeat.js';
import { Readiness, startOpsServer, type OpsServer } from './metrics/ops-server.js';

export interface EngineServiceOptions extends Omit<EngineOptions, 'metrics'> {
  /** Serve /metrics, /healthz and /readyz here; omitted: no HTTP endpoint. */
  ops?: { port: number; host?: string };
  /**
   * Serve the bundles pushed to the NATS Object Store (those named, or every
   * name when none is): each push or rollback is swapped in, each removal withdrawn.
   */
  bundleStore?: { names?: string[]; verify?: BundleVerifier };
  /** Take data documents (exceptions, allowlists, profiles, feeds) from the NATS KV bucket, live. */
  dataStore?: boolean;
  /**
   * Learn workload profiles from runtime facts into the `vigil-profiles` KV
   * bucket, and judge with the enforcing ones (data.vigil.profiles).
   */
  profiles?: { learnWindowMs: number; flushMs?: number };
}

export interface EngineService {
  readonly engine: RunningEngine;
  /** Port of the ops endpoint, when one was asked for. */
  readonly opsPort: number | undefined;
  stop(): Promise<void>;
}

const LAG_POLL_MS = 5_000;

/**
 * The data the engine judges with: the operator's documents over the given
 * overlay, and the enforcing learned profiles over `vigil.profiles`. Changes
 * reach the engine in the order they were made; a refused one leaves the
 * previous data in force.
 */
export class JudgedData {
  private overlay: Record<string, unknown>;
  private learned: Record<string, unknown> = {};
  private engine: Pick<RunningEngine, 'replaceData'> | undefined;
  private updates = Promise.resolve();

  constructor(
    private readonly base: Record<string, unknown>,
    private readonly logger: Logger,
  ) {
    this.overlay = base;
  }

  current(): Record<string, unknown> {
    return withLearnedProfiles(this.overlay, this.learned);
  }

  /** From now on, changes are applied to this engine. */
  attach(engine: Pick<RunningEngine, 'replaceData'>): void {
    this.engine = engine;
  }

  /** The data documents as the bucket now holds them; `why` (logged) applies them to the engine. */
  documents(documents: DataOverlay, why?: Record<string, unknown>): void {
    this.overlay = withDataDocuments(this.base, documents);
    if (why) this.apply(why);
  }

  profiles(learned: Record<string, unknown>): void {
    this.learned = learned;
    this.apply({ profiles: Object.keys(learned).length });
  }

  /** Resolves when every change made so far has been applied (or refused). */
  settled(): Promise<void> {
    return this.updates;
  }

  private apply(why: Record<string, unknown>): void {
    this.updates = this.updates.then(async () => {
      if (!this.engine) return;
      try {
        await this.engine.replaceData(this.current());
        this.logger.info(why, 'data documents updated');
      } catch (error) {
        this.logger.error({ err: error }, 'data update refused; the previous data stays');
      }
    });
  }
}

/** Applies the data bucket's changes after its first content (which the engine started with). */
async function followData(events: AsyncIterator<DataEvent>, data: JudgedData, logger: Logger): Promise<void> {
  for (let next = await events.next(); !next.done; next = await events.next()) {
    const event = next.value;
    if (event.type === 'rejected') {
      logger.warn({ key: event.key, code: event.code, err: event.error }, 'data document rejected; the previous one stays');
      continue;
    }
    data.documents(event.overlay, { revision: event.revision, changed: event.changed });
  }
}

/** Serves each push and rollback of the store's bundles, and withdraws each removal. */
async function followBundles(nc: NatsConnection, watch: BundleWatch, engine: RunningEngine, data: JudgedData, logger: Logger, onChange: () => void): Promise<void> {
  for await (const event of watch) {
    if (event.type === 'rejected') {
      logger.error({ name: event.name, revision: event.revision, code: event.code, err: event.error }, 'bundle rejected; the current one keeps serving');
      continue;
    }
    const serving = engine.bundles().find((b) => b.name === event.name);
    if (event.type === 'removed') {
      if (serving === undefined) continue;
      try {
        await engine.removeBundle(event.name);
        logger.info({ name: event.name }, 'bundle withdrawn');
      } catch (error) {
        logger.error({ name: event.name, err: error }, 'bundle not withdrawn; it keeps serving');
      }
    } else {
      if (serving?.revision === event.revision) continue;
      try {
        await engine.replaceBundle(event.bundle, data.current(), event.name);
        logger.info({ name: event.name, revision: event.revision, verified: event.verified }, 'bundle deployed');
      } catch (error) {
        logger.error({ name: event.name, revision: event.revision, err: error }, 'bundle failed to load; the ones in force keep serving');
        publishEvent(nc, distributionSubjects.bundleRejected, loadRefused(event, error));
      }
    }
    onChange();
  }
}

/** Shadows of the names served from the store: a candidate judged beside the served set, never harming it. */
async function followShadows(nc: NatsConnection, watch: BundleWatch, engine: RunningEngine, logger: Logger): Promise<void> {
  for await (const event of watch) {
    if (event.type === 'rejected') {
      logger.error({ shadow: event.name, revision: event.revision, code: event.code, err: event.error }, 'shadow bundle rejected');
      continue;
    }
    if (event.type === 'removed') {
      await engine.removeShadow(event.name);
      continue;
    }
    if (engine.shadows().some((s) => s.bundle === event.name && s.revision === event.revision)) continue;
    try {
      await engine.replaceShadow(event.bundle, event.name);
    } catch (error) {
      logger.error({ shadow: event.name, revision: event.revision, err: error }, 'shadow bundle failed to load; the served set is unchanged');
      publishEvent(nc, distributionSubjects.bundleRejected, loadRefused(event, error));
    }
  }
}

/** NATS connection state as the `nats` readiness check. */
function trackConnection(nc: NatsConnection, readiness: Readiness<'nats' | 'bundle' | 'consumer'>): void {
  readiness.set('nats', !nc.isClosed());
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') readiness.set('nats', false, 'disconnected');
      if (status.type === 'reconnect') readiness.set('nats', true);
    }
  })();
}

/** Counts worker restarts into the metric as they happen, at each scrape. */
function countWorkerRestarts(metrics: EngineMetrics, engine: RunningEngine): void {
  let seen = 0;
  metrics.registry.addCollector(() => {
    const { workerRestarts } = engine.stats();
    metrics.workerRestarts.inc(Math.max(0, workerRestarts - seen));
    seen = workerRestarts;
  });
}

/**
 * `vigil engine` as a long-running service: the engine, its metrics and
 * health endpoints, and the bundle and data watchers that deploy policy
 * changes pushed to NATS to every replica.
 */
export async function startEngineService(options: EngineServiceOptions): Promise<EngineService> {
  const { nc, logger } = options;
  const metrics = engineMetrics();
  const readiness = new Readiness(['nats', 'bundle', 'consumer'] as const);
  trackConnection(nc, readiness);
  let ops: OpsServer | undefined;
  if (options.ops) {
    ops = await startOpsServer({ port: options.ops.port, host: options.ops.host, registry: metrics.registry, ready: () => readiness.check() });
    logger.info({ port: ops.port, host: options.ops.host ?? '127.0.0.1' }, 'ops endpoint: /metrics /healthz /readyz');
  }

  const data = new JudgedData(options.dataOverlay ?? {}, logger);
  let dataWatch: DataWatch | undefined;
  let dataEvents: AsyncIterator<DataEvent> | undefined;
  if (options.dataStore) {
    dataWatch = watchData({ nc });
    dataEvents = dataWatch[Symbol.asyncIterator]();
    // The first event is the bucket's content at start: judge the first fact with it.
    const first = await dataEvents.next();
    if (!first.done && first.value.type === 'loaded') data.documents(first.value.overlay);
  }
  let learner: ProfileLearner | undefined;
  if (options.profiles) {
    learner = new ProfileLearner({
      store: await ProfileStore.open(nc),
      learnWindowMs: options.profiles.learnWindowMs,
      flushMs: options.profiles.flushMs,
      logger,
      onEnforcing: (profiles) => data.profiles(profiles),
    });
    await learner.start();
  }

  let engine: RunningEngine;
  try {
    const running = learner;
    engine = await startEngine({
      ...options,
      dataOverlay: data.current(),
      metrics,
      ...(running ? { onObservations: (observations) => running.observe(observations) } : {}),
    });
  } catch (error) {
    await learner?.stop();
    await dataWatch?.stop();
    await ops?.close();
    throw error;
  }
  data.attach(engine);
  metrics.setBundles(engine.bundles());
  readiness.set('bundle', true);
  readiness.set('consumer', true);
  countWorkerRestarts(metrics, engine);
  const lag = pollConsumerLag(await jetstreamManager(nc), streams.facts.name, options.consumer ?? ENGINE_CONSUMER, metrics.consumerPending, LAG_POLL_MS, {
    onError: (error) => logger.debug({ err: error }, 'consumer lag poll failed'),
  });

  const store = options.bundleStore;
  const bundleWatch = store ? watchBundles({ nc, names: store.names, verify: store.verify }) : undefined;
  const shadowWatch = store ? watchBundles({ nc, names: store.names, verify: store.verify, shadows: true }) : undefined;
  const watching = Promise.all([
    dataEvents ? followData(dataEvents, data, logger) : undefined,
    bundleWatch ? followBundles(nc, bundleWatch, engine, data, logger, () => metrics.setBundles(engine.bundles())) : undefined,
    shadowWatch ? followShadows(nc, shadowWatch, engine, logger) : undefined,
  ]).catch((error: unknown) => logger.error({ err: error }, 'policy watcher stopped'));
  bindShadowMetrics(metrics, () => engine.shadows());
  const heartbeat = startHeartbeat(nc, engine);

  return {
    engine,
    opsPort: ops?.port,
    stop: async () => {
      readiness.set('consumer', false, 'stopping');
      heartbeat.stop();
      await bundleWatch?.stop();
      await shadowWatch?.stop();
      await dataWatch?.stop();
      await watching;
      await engine.stop();
      await learner?.stop();
      await data.settled();
      lag.stop();
      await ops?.close();
    },
  };
}

/** The overlay with learned profiles laid over `vigil.profiles` (the operator's, or the bundle's when the overlay has none). */
function withLearnedProfiles(overlay: Record<string, unknown>, learned: Record<string, unknown>): Record<string, unknown> {
  if (Object.keys(learned).length === 0) return overlay;
  const vigil = (overlay.vigil as Record<string, unknown> | undefined) ?? {};
  const own = (vigil.profiles as Record<string, unknown> | undefined) ?? {};
  return { ...overlay, vigil: { ...vigil, profiles: { ...own, ...learned } } };
}

/** What `vigil.events.bundle.rejected` says about a bundle that verified but failed to load. */
function loadRefused(event: Extract<BundleEvent, { type: 'loaded' }>, error: unknown): RejectedBundleEvent {
  return {
    name: event.name,
    revision: event.revision,
    object: event.head.object,
    digest: event.digest,
    code: error instanceof VigilEngineError ? error.code : 'VIGIL_ERR_BUNDLE_INVALID',
    error: String((error as Error)?.message ?? error),
    at: new Date().toISOString(),
  };
}
