import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from 'pino';
import { ENGINE_CONSUMER, ensureStreams, streams, type FactKind } from '../../proto/src/index.js';
import type { EngineMetrics } from './metrics/engine-metrics.js';
import { bindThrottleMetrics } from './metrics/engine-metrics.js';
import { KvAlertLedger, type AlertLedger } from './throttle/ledger.js';
import { throttledSink } from './throttle/throttled-sink.js';
import { VigilEngineError } from './errors.js';
import type { Bundle } from './policy/bundle.js';
import { compileBundle, type PolicyEvaluator } from './policy/evaluator.js';
import { bundleNameOf, checkBundleName } from './policy/manifest.js';
import { pagesOf, resolvePoolSettings, TASK_LIMITS, type PoolSettings } from './pool/config.js';
import type { Judgement } from './pool/judge.js';
import { WorkerPool, type PoolPolicies } from './pool/pool.js';
import type { MemberInit } from './pool/protocol.js';
import type { Observation } from './profiles/model.js';
import type { FactFeed, FeedMessage } from './transport/fact-feed.js';
import { jetStreamFeed } from './transport/jetstream-feed.js';
import { natsResultSink } from './transport/nats-sink.js';
import type { ResultSink } from './transport/result-sink.js';
import { Shadow, type ShadowStats } from './shadow/shadow.js';
import { KvContextStore, MemoryContextStore, type ContextStore } from './context/context-store.js';

export interface EngineOptions extends PoolSettings {
  nc: NatsConnection;
  logger: Logger;
  /** The bundle to serve, with the operator's data merged over its data.json. */
  bundle?: Bundle;
  /** Or several, each served under the name in its manifest and triggered by the facts its manifest names. */
  bundles?: Bundle[];
  dataOverlay?: Record<string, unknown>;
  /** Or an evaluator already loaded: its bundle, compiled module and data are served. */
  evaluator?: PolicyEvaluator;
  /** Durable consumer name; replicas sharing it share the work. */
  consumer?: string;
  /** Messages pulled ahead of processing (back-pressure bound). */
  maxMessages?: number;
  /**
   * How long the server waits for an ack before redelivering, when this engine
   * creates the durable consumer (default 30 s). Messages the server had sent
   * as `stop()` closed the subscription are redelivered after it.
   */
  ackWaitMs?: number;
  /** Messages grouped into one task for a worker (default 16). */
  maxTaskMessages?: number;
  /** Called for every policy call on a batch of facts of one kind, e.g. for a latency histogram. */
  onBatchEvaluated?: (kind: FactKind, facts: number, seconds: number) => void;
  /**
   * Alert throttling: the same rule on the same subject and host within
   * `windowMs` yields one alert at once and one aggregate (count, first and
   * last seen) per window. Default {@link DEFAULT_ALERT_WINDOW}; windowMs 0 turns it off.
   */
  alertThrottle?: { windowMs: number; maxKeys?: number };
  /** Counters and histograms to keep up to date (see engineMetrics()). */
  metrics?: EngineMetrics;
  /** Replicas of Vigil's streams when this engine creates them (a NATS cluster: 3). */
  streamReplicas?: number;
  /** How long VIGIL_FACTS, when this engine creates it, keeps judged facts (default 24 h). */
  factRetentionMs?: number;
  /**
   * Keep every verdict in the VIGIL_VERDICTS stream (created when missing): a
   * fact is acked only after the stream has stored its verdict, for consumers
   * that must not miss one. Off: verdicts are core NATS messages, at most once.
   */
  verdictStream?: boolean;
  /** What runtime facts showed their workloads doing, after each judgement (the profile learner). */
  onObservations?: (observations: Observation[]) => void;
}

/** Throttle window when none is given: one alert per rule, subject and host per minute, plus its aggregate. */
export const DEFAULT_ALERT_WINDOW = { windowMs: 60_000, maxKeys: 10_000 } as const;

export interface EngineStats {
  batches: number;
  facts: number;
  verdicts: number;
  alerts: number;
  deadLetters: number;
  /** Messages received and not yet judged. */
  inFlight: number;
  /** Policy workers serving the current bundle. */
  workers: number;
  /** Workers replaced after a deadline, a crash or a failed data update. */
  workerRestarts: number;
  /** Evaluations stopped at their deadline. */
  timeouts: number;
}

export interface RunningEngine {
  /**
   * The revision of the bundles new facts are judged with (verdicts carry the
   * one used): a single bundle's own revision, or `name@revision,...` by name.
   */
  readonly revision: string;
  /** The bundles served, by name. */
  bundles(): { name: string; revision: string }[];
  stats(): EngineStats;
  /**
   * Serves `bundle` under `name` (default: its manifest's name), in place of
   * the bundle of that name or beside the others. Every worker is replaced by
   * one that has loaded the new set; facts are judged with it from the next
   * batch on. Rejects, and the current set keeps serving, if the set is
   * invalid (a rule enabled in two bundles) or any worker cannot load it.
   */
  replaceBundle(bundle: Bundle, dataOverlay?: Record<string, unknown>, name?: string): Promise<void>;
  /** Stops serving the bundle of that name; rejects if it is the last one. */
  removeBundle(name: string): Promise<void>;
  /** Replaces the operator's data (exceptions, allowlists) in every worker, between batches. */
  replaceData(dataOverlay: Record<string, unknown>): Promise<void>;
  /**
   * Judges every fact with `bundle` too, beside the served set, as the shadow
   * of `name` (default: its manifest's name), in place of an earlier shadow of
   * that name (see Shadow). Rejects, and nothing changes, if it cannot load.
   */
  replaceShadow(bundle: Bundle, name?: string): Promise<void>;
  /** Stops the shadow of that name, if there is one. */
  removeShadow(name: string): Promise<void>;
  /** The shadows judging beside the served set, with their counts. */
  shadows(): ShadowStats[];
  /** Stops pulling, finishes and acks what is in flight, then resolves. */
  stop(): Promise<void>;
}

/** Default messages per task; the bench's are 256 facts each. */
const ACK_WAIT_MS = 30_000;
/** How long a stopping engine waits for the streams' answers to what it published. */
const STORE_ACK_MS = 5_000;

/** What the engine runs on: where facts come from, where results go, and the throttle's shared ledger. */
export interface EngineTransport {
  feed: FactFeed;
  /** Made once; reports every dead letter it sends (the workers' and its own) to `onDeadLetter`. */
  sink(onDeadLetter: (reason: string) => void): ResultSink;
  ledger: AlertLedger;
  /** Where replicas share the latest container, image and host facts (input.context); without it, each judges with what it saw. */
  context?: ContextStore;
  /** Where shadow bundles' findings go, at most once; without it the engine takes no shadow. */
  shadowOut?: (subject: string, payload: Uint8Array) => void;
}

/** The engine's options without NATS: {@link runEngine} over any transport. */
export type EngineCoreOptions = Omit<EngineOptions, 'nc' | 'consumer' | 'maxMessages' | 'ackWaitMs' | 'streamReplicas' | 'factRetentionMs' | 'verdictStream'> & EngineTransport;

/**
 * The engine on NATS: a durable JetStream consumer on every fact subject
 * feeding a pool of policy workers, results to the streams (see
 * natsResultSink), throttle claims and checkpoints in a KV bucket.
 */
export async function startEngine(options: EngineOptions): Promise<RunningEngine> {
  const { nc, logger } = options;
  const throttle = options.alertThrottle ?? DEFAULT_ALERT_WINDOW;
  const storeVerdicts = options.verdictStream === true;
  const jsm = await ensureStreams(nc, { replicas: options.streamReplicas, verdicts: storeVerdicts, factRetentionMs: options.factRetentionMs });
  checkAlertWindow(throttle.windowMs, (await jsm.streams.info(streams.alerts.name)).config.duplicate_window);
  const ledger = await KvAlertLedger.open(nc, { replicas: options.streamReplicas });
  const feed = await jetStreamFeed({
    nc,
    jsm,
    consumer: options.consumer ?? ENGINE_CONSUMER,
    ackWaitMs: options.ackWaitMs ?? ACK_WAIT_MS,
    maxMessages: options.maxMessages ?? 512,
  });
  return runEngine({
    ...options,
    feed,
    ledger,
    sink: (onDeadLetter) => natsResultSink({ nc, logger, storeVerdicts, onDeadLetter }),
    shadowOut: (subject, payload) => nc.publish(subject, payload),
    context: await KvContextStore.open(nc, logger, { replicas: options.streamReplicas }),
  });
}

/**
 * The engine over a transport. Workers decode each FactBatch, evaluate its
 * facts in batches and encode one Verdict per fact and one Alert per finding;
 * this thread hands them to the sink, alerts through the throttle, and settles
 * the messages of a task together once the sink delivered everything (acked)
 * or could not (nak'ed, redelivered). The feed is read no faster than the
 * workers judge: while a task's worth of messages waits for a worker, the loop
 * stops pulling.
 */
export async function runEngine(options: EngineCoreOptions): Promise<RunningEngine> {
  const { logger, metrics, feed } = options;
  // Without a shared store, an engine still joins what it saw itself.
  const context = options.context ?? new MemoryContextStore();
  const settings = resolvePoolSettings(options);
  const initial = await servedPolicies(options);
  const stats = { batches: 0, facts: 0, verdicts: 0, deadLetters: 0 };

  /** Alert counter series by the severity token of the alert subject; looked up once per severity. */
  const alertSeries = new Map<string, { inc(): void }>();
  const countAlert = (subject: string): void => {
    if (!metrics) return;
    const token = subject.split('.')[2]!;
    let series = alertSeries.get(token);
    if (series === undefined) alertSeries.set(token, (series = metrics.alerts.labels({ severity: token.toUpperCase() })));
    series.inc();
  };
  const onDeadLetter = (reason: string): void => {
    stats.deadLetters++;
    logger.warn({ reason }, 'dead letter');
    metrics?.deadLetters.inc({ reason });
  };
  const throttle = options.alertThrottle ?? DEFAULT_ALERT_WINDOW;
  const sink = throttledSink(options.sink(onDeadLetter), {
    windowMs: throttle.windowMs,
    maxKeys: throttle.maxKeys ?? DEFAULT_ALERT_WINDOW.maxKeys,
    ledger: options.ledger,
    logger,
    onAlert: countAlert,
  });
  const unbindThrottle = metrics ? bindThrottleMetrics(metrics, sink.gate) : () => undefined;

  /** Groups not settled yet: a stopping engine waits for them. */
  const unsettled = new Set<Promise<void>>();
  const judged = (msgs: FeedMessage[], judgement: Judgement): void => {
    const group = sink.group();
    let settle!: () => void;
    const settledOnce = new Promise<void>((r) => (settle = r));
    unsettled.add(settledOnce);
    const settled = (delivered: boolean): void => {
      if (delivered) for (const m of msgs) m.ack();
      else {
        logger.warn({ messages: msgs.length }, 'results not delivered: messages redelivered');
        for (const m of msgs) m.nak(1_000);
      }
      unsettled.delete(settledOnce);
      settle();
    };
    try {
      for (const publication of judgement.publications) group.publish(publication);
    } catch (error) {
      // A bug or a closed connection, not an input problem: redeliver and carry on.
      logger.error({ err: error, messages: msgs.length }, 'cannot publish verdicts; messages will be redelivered');
      group.hold(Promise.resolve(false));
    }
    group.seal(settled);
    for (const [key, value] of judgement.context) if (value !== null) context.put(key, value);
    if (judgement.observations.length > 0) {
      try {
        options.onObservations?.(judgement.observations);
      } catch (error) {
        logger.warn({ err: error }, 'profile observations not taken');
      }
    }
    const { counts } = judgement;
    stats.batches += counts.batches;
    stats.facts += counts.facts;
    stats.verdicts += counts.verdicts;
    if (judgement.counts.contextMissing > 0) metrics?.contextMissing.inc(judgement.counts.contextMissing);
    for (const s of judgement.samples) {
      options.onBatchEvaluated?.(s.kind, s.facts, s.seconds);
      metrics?.facts.inc({ kind: s.kind }, s.facts);
      metrics?.evaluationSeconds.observe({ kind: s.kind }, s.seconds);
    }
  };

  const pool = await WorkerPool.start<FeedMessage>({
    ...initial,
    size: settings.workers,
    timeoutMs: settings.evaluationTimeoutMs,
    maxMemoryPages: pagesOf(settings.maxMemoryMb),
    maxTasksPerWorker: settings.maxInFlightPerWorker,
    maxTaskMessages: options.maxTaskMessages ?? TASK_LIMITS.messages,
    maxTaskBytes: TASK_LIMITS.bytes,
    logger,
    onJudged: judged,
    observe: options.onObservations !== undefined,
  });

  /** Shadow bundles by the name they are the candidate for. */
  const shadows = new Map<string, Shadow>();
  let messages: AsyncIterable<FeedMessage>;
  try {
    // The context held now reaches every worker before the first fact is judged.
    await context.open((entries) => {
      pool.updateContext(entries);
      for (const shadow of shadows.values()) shadow.updateContext(entries);
    });
    messages = await feed.open();
  } catch (error) {
    await pool.close();
    await context.close();
    await sink.close(0);
    throw error;
  }
  // A shadow is waited for at most this long before it is left behind (its facts skipped) until it catches up.
  const shadowWaitMs = Math.min(1_000, settings.evaluationTimeoutMs);
  const loop = (async () => {
    for await (const m of messages) {
      const message = { subject: m.subject, data: m.data };
      pool.submit(message, m);
      for (const shadow of shadows.values()) shadow.offer(message);
      if (!pool.accepting()) await pool.whenAccepting();
      for (const shadow of shadows.values()) await shadow.whenAccepting(shadowWaitMs);
    }
  })();

  logger.info({ revision: pool.revision, bundles: initial.members.map((m) => m.name), workers: settings.workers }, 'engine started');

  /** Policy changes one at a time, so two pushes cannot lose each other. */
  let changing: Promise<unknown> = Promise.resolve();
  const serialised = (job: () => Promise<void>): Promise<void> => {
    const run = changing.catch(() => undefined).then(job);
    changing = run;
    return run;
  };
  const changeSet = (next: (current: PoolPolicies) => Promise<PoolPolicies>): Promise<void> =>
    serialised(async () => {
      await pool.replacePolicies(await next(pool.policies));
      await Promise.all([...shadows].map(([name, shadow]) => followServed(name, shadow)));
    });
  const servedMember = (name: string): MemberInit | undefined => pool.policies.members.find((m) => m.name === name);
  /** A shadow counts new and gone against the served bundle of its name: follow it when it changes. */
  const followServed = async (name: string, shadow: Shadow): Promise<void> => {
    try {
      await shadow.setServed(servedMember(name), pool.policies.overlay);
    } catch (error) {
      logger.warn({ err: error, shadow: name }, 'shadow keeps comparing with the served bundle it had');
    }
  };
  const stopShadow = async (name: string): Promise<void> => {
    const shadow = shadows.get(name);
    if (!shadow) return;
    shadows.delete(name);
    await shadow.close();
    logger.info({ shadow: name, ...shadow.stats() }, 'shadow stopped');
  };

  return {
    get revision() {
      return pool.revision;
    },
    bundles: () => pool.policies.members.map((m) => ({ name: m.name, revision: m.bundle.revision })),
    stats: () => {
      const p = pool.stats();
      return { ...stats, alerts: sink.alerts(), inFlight: p.inFlight, workers: p.workers, workerRestarts: p.restarts, timeouts: p.timeouts };
    },
    replaceBundle: (bundle, dataOverlay, name = bundleNameOf(bundle.manifest)) =>
      changeSet(async (current) => {
        const member = await memberOf(name, bundle);
        const others = current.members.filter((m) => m.name !== name);
        return { members: [...others, member], overlay: dataOverlay ?? current.overlay };
      }),
    removeBundle: (name) =>
      changeSet(async (current) => {
        if (!current.members.some((m) => m.name === name)) throw new VigilEngineError('VIGIL_ERR_POLICY_SET', [`no bundle named ${name} is served`]);
        return { ...current, members: current.members.filter((m) => m.name !== name) };
      }),
    replaceData: (dataOverlay) =>
      serialised(async () => {
        await pool.replaceData(dataOverlay);
        for (const [name, shadow] of shadows) {
          await shadow.replaceData(dataOverlay).catch((error: unknown) => logger.warn({ err: error, shadow: name }, 'shadow keeps its data'));
        }
      }),
    replaceShadow: (bundle, name = bundleNameOf(bundle.manifest)) =>
      serialised(async () => {
        const out = options.shadowOut;
        if (!out) throw new VigilEngineError('VIGIL_ERR_ENGINE_CONFIG', ['a transport with a shadow output (startEngine has one)', 'none']);
        const candidate = await memberOf(name, bundle);
        const shadow = await Shadow.start({
          name,
          candidate,
          served: servedMember(name),
          overlay: pool.policies.overlay,
          pool: {
            // Each shadow worker judges twice (the served copy and the candidate): half the served pool, at least one.
            size: Math.max(1, Math.floor(settings.workers / 2)),
            timeoutMs: settings.evaluationTimeoutMs,
            maxMemoryPages: pagesOf(settings.maxMemoryMb),
            maxTasksPerWorker: settings.maxInFlightPerWorker,
            maxTaskMessages: options.maxTaskMessages ?? TASK_LIMITS.messages,
            maxTaskBytes: TASK_LIMITS.bytes,
          },
          publish: out,
          logger,
        });
        shadow.updateContext(pool.contextEntries());
        await stopShadow(name);
        shadows.set(name, shadow);
        logger.info({ shadow: name, revision: shadow.revision, against: servedMember(name)?.bundle.revision ?? null }, 'shadow started');
      }),
    removeShadow: (name) => serialised(() => stopShadow(name)),
    shadows: () => [...shadows.values()].map((s) => s.stats()),
    stop: async () => {
      await feed.close();
      await loop;
      await pool.close();
      await Promise.all([...shadows.keys()].map(stopShadow));
      await context.close();
      unbindThrottle();
      // Open windows' aggregates go out; what no stream answered in time is nak'ed, redelivered and deduplicated by message id.
      await Promise.race([Promise.all(unsettled), new Promise((r) => setTimeout(r, STORE_ACK_MS).unref())]);
      await sink.close(STORE_ACK_MS);
      logger.info({ ...stats, alerts: sink.alerts() }, 'engine stopped');
    },
  };
}

async function servedPolicies(options: Pick<EngineOptions, 'bundle' | 'bundles' | 'dataOverlay' | 'evaluator'>): Promise<PoolPolicies> {
  const bundles = [...(options.bundle ? [options.bundle] : []), ...(options.bundles ?? [])];
  if (bundles.length > 0) {
    const members = await Promise.all(bundles.map((bundle) => memberOf(bundleNameOf(bundle.manifest), bundle)));
    return { members, overlay: options.dataOverlay ?? {} };
  }
  if (options.evaluator) {
    const { evaluator } = options;
    return {
      members: [{ name: bundleNameOf(evaluator.bundle.manifest), module: evaluator.module, bundle: evaluator.bundle }],
      overlay: options.dataOverlay ?? evaluator.dataOverlay,
    };
  }
  throw new VigilEngineError('VIGIL_ERR_ENGINE_CONFIG', ['a policy bundle (options.bundle, options.bundles or options.evaluator)', 'none']);
}

/** A bundle as a member of the served set: compiled once on this thread, loaded by every worker. */
async function memberOf(name: string, bundle: Bundle): Promise<MemberInit> {
  const { module, meta } = await compileBundle(bundle, `revision ${bundle.revision || '?'}`);
  return { name: checkBundleName(name), module, bundle: meta };
}

/** Replicas agree on a key's first alert through the alert stream's duplicate window: it must cover a throttle window. */
function checkAlertWindow(windowMs: number, duplicateWindowNs: number | undefined): void {
  const duplicateMs = (duplicateWindowNs ?? 0) / 1_000_000;
  if (windowMs > 0 && duplicateMs > 0 && windowMs > duplicateMs) {
    throw new VigilEngineError('VIGIL_ERR_ENGINE_CONFIG', [
      `an alert window of at most ${duplicateMs} ms, the ${streams.alerts.name} stream's duplicate window across which engine replicas recognise each other's first alert`,
      `${windowMs} ms`,
    ]);
  }
}
