import { jetstreamManager } from '@nats-io/jetstream';
import { ENGINE_CONSUMER, streams } from '../../proto/src/index.js';
import { watchData, withDataDocuments, type DataEvent, type DataWatch } from './distribution/data.js';
import { distributionSubjects, publishEvent, type RejectedBundleEvent } from './distribution/events.js';
import { VigilEngineError } from './errors.js';
import type { BundleVerifier } from './distribution/signature.js';
import { watchBundles, type BundleEvent, type BundleWatch } from './distribution/watch-bundles.js';
import { startEngine, type EngineOptions, type RunningEngine } from './engine.js';
import { ProfileLearner } from './profiles/learner.js';
import { ProfileStore } from './profiles/store.js';
import { pollConsumerLag } from './metrics/consumer-lag.js';
import { bindShadowMetrics, engineMetrics } from './metrics/engine-metrics.js';
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
 * `vigil engine` as a long-running service: the engine, its metrics and
 * health endpoints, and the bundle and data watchers that deploy policy
 * changes pushed to NATS to every replica.
 */
export async function startEngineService(options: EngineServiceOptions): Promise<EngineService> {
  const { nc, logger } = options;
  const metrics = engineMetrics();
  const readiness = new Readiness(['nats', 'bundle', 'consumer'] as const);
  readiness.set('nats', !nc.isClosed());
  let ops: OpsServer | undefined;
  if (options.ops) {
    ops = await startOpsServer({ port: options.ops.port, host: options.ops.host, registry: metrics.registry, ready: () => readiness.check() });
    logger.info({ port: ops.port, host: options.ops.host ?? '127.0.0.1' }, 'ops endpoint: /metrics /healthz /readyz');
  }

  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') readiness.set('nats', false, 'disconnected');
      if (status.type === 'reconnect') readiness.set('nats', true);
    }
  })();

  let dataWatch: DataWatch | undefined;
  let overlay = options.dataOverlay ?? {};
  let dataEvents: AsyncIterator<DataEvent> | undefined;
  if (options.dataStore) {
    dataWatch = watchData({ nc });
    dataEvents = dataWatch[Symbol.asyncIterator]();
    // The first event is the bucket's content at start: judge the first fact with it.
    const first = await dataEvents.next();
    if (!first.done && first.value.type === 'loaded') overlay = withDataDocuments(overlay, first.value.overlay);
  }

  // data.vigil.profiles: the operator's hand-written profiles, with the enforcing learned ones over them.
  let learned: Record<string, unknown> = {};
  const judgedWith = (): Record<string, unknown> => withLearnedProfiles(overlay, learned);
  let engine: RunningEngine | undefined;
  let dataUpdates = Promise.resolve();
  const applyData = (why: Record<string, unknown>): void => {
    dataUpdates = dataUpdates.then(async () => {
      if (!engine) return;
      try {
        await engine.replaceData(judgedWith());
        logger.info(why, 'data documents updated');
      } catch (error) {
        logger.error({ err: error }, 'data update refused; the previous data stays');
      }
    });
  };
  let learner: ProfileLearner | undefined;
  if (options.profiles) {
    learner = new ProfileLearner({
      store: await ProfileStore.open(nc),
      learnWindowMs: options.profiles.learnWindowMs,
      flushMs: options.profiles.flushMs,
      logger,
      onEnforcing: (profiles) => {
        learned = profiles;
        applyData({ profiles: Object.keys(profiles).length });
      },
    });
    await learner.start();
  }

  try {
    const running = learner;
    engine = await startEngine({
      ...options,
      dataOverlay: judgedWith(),
      metrics,
      ...(running ? { onObservations: (observations) => running.observe(observations) } : {}),
    });
  } catch (error) {
    await learner?.stop();
    await dataWatch?.stop();
    await ops?.close();
    throw error;
  }
  const started = engine;
  metrics.setBundles(started.bundles());
  readiness.set('bundle', true);
  readiness.set('consumer', true);

  let restartsSeen = 0;
  metrics.registry.addCollector(() => {
    const { workerRestarts } = started.stats();
    metrics.workerRestarts.inc(Math.max(0, workerRestarts - restartsSeen));
    restartsSeen = workerRestarts;
  });
  const lag = pollConsumerLag(await jetstreamManager(nc), streams.facts.name, options.consumer ?? ENGINE_CONSUMER, metrics.consumerPending, LAG_POLL_MS, {
    onError: (error) => logger.debug({ err: error }, 'consumer lag poll failed'),
  });

  const dataLoop = (async () => {
    const events = dataEvents;
    if (!events) return;
    for (let next = await events.next(); !next.done; next = await events.next()) {
      const event = next.value;
      if (event.type === 'rejected') {
        logger.warn({ key: event.key, code: event.code, err: event.error }, 'data document rejected; the previous one stays');
        continue;
      }
      overlay = withDataDocuments(options.dataOverlay ?? {}, event.overlay);
      applyData({ revision: event.revision, changed: event.changed });
    }
  })();

  let bundleWatch: BundleWatch | undefined;
  const bundleLoop = (async () => {
    if (!options.bundleStore) return;
    bundleWatch = watchBundles({ nc, names: options.bundleStore.names, verify: options.bundleStore.verify });
    for await (const event of bundleWatch) {
      if (event.type === 'rejected') {
        logger.error({ name: event.name, revision: event.revision, code: event.code, err: event.error }, 'bundle rejected; the current one keeps serving');
        continue;
      }
      const serving = started.bundles().find((b) => b.name === event.name);
      if (event.type === 'removed') {
        if (serving === undefined) continue;
        try {
          await started.removeBundle(event.name);
          logger.info({ name: event.name }, 'bundle withdrawn');
        } catch (error) {
          logger.error({ name: event.name, err: error }, 'bundle not withdrawn; it keeps serving');
        }
      } else {
        if (serving?.revision === event.revision) continue;
        try {
          await started.replaceBundle(event.bundle, judgedWith(), event.name);
          logger.info({ name: event.name, revision: event.revision, verified: event.verified }, 'bundle deployed');
        } catch (error) {
          logger.error({ name: event.name, revision: event.revision, err: error }, 'bundle failed to load; the ones in force keep serving');
          publishEvent(nc, distributionSubjects.bundleRejected, loadRefused(event, error));
        }
      }
      metrics.setBundles(started.bundles());
    }
  })();
  // Shadows of the names served from the store: a candidate judged beside the served set, never harming it.
  let shadowWatch: BundleWatch | undefined;
  const shadowLoop = (async () => {
    if (!options.bundleStore) return;
    shadowWatch = watchBundles({ nc, names: options.bundleStore.names, verify: options.bundleStore.verify, shadows: true });
    for await (const event of shadowWatch) {
      if (event.type === 'rejected') {
        logger.error({ shadow: event.name, revision: event.revision, code: event.code, err: event.error }, 'shadow bundle rejected');
        continue;
      }
      if (event.type === 'removed') {
        await started.removeShadow(event.name);
        continue;
      }
      if (started.shadows().some((s) => s.bundle === event.name && s.revision === event.revision)) continue;
      try {
        await started.replaceShadow(event.bundle, event.name);
      } catch (error) {
        logger.error({ shadow: event.name, revision: event.revision, err: error }, 'shadow bundle failed to load; the served set is unchanged');
        publishEvent(nc, distributionSubjects.bundleRejected, loadRefused(event, error));
      }
    }
  })();
  bindShadowMetrics(metrics, () => started.shadows());
  const heartbeat = startHeartbeat(nc, started);
  const watching = Promise.all([dataLoop, bundleLoop, shadowLoop]).catch((error: unknown) => logger.error({ err: error }, 'policy watcher stopped'));

  return {
    engine: started,
    opsPort: ops?.port,
    stop: async () => {
      readiness.set('consumer', false, 'stopping');
      heartbeat.stop();
      await bundleWatch?.stop();
      await shadowWatch?.stop();
      await dataWatch?.stop();
      await watching;
      await started.stop();
      await learner?.stop();
      await dataUpdates;
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
