import { AckPolicy, DeliverPolicy, jetstream, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from 'pino';
import {
  ENGINE_CONSUMER,
  decodeAlert,
  encodeAlert,
  encodeDeadLetter,
  ensureStreams,
  severityName,
  streams,
  subjects,
  type AlertInit,
  type FactKind,
  type SeverityName,
} from '../../proto/src/index.js';
import type { EngineMetrics } from './metrics/engine-metrics.js';
import { bindThrottleMetrics } from './metrics/engine-metrics.js';
import { firstAlertMessageId, throttleKey } from './throttle/key.js';
import { firstAlertsOver } from './throttle/first-alerts.js';
import { startAckedPublisher, type StoreOutcome } from './transport/acked-publisher.js';
import { createAlertThrottle, type AlertGate } from './throttle/throttle.js';
import { VigilEngineError } from './errors.js';
import type { Bundle } from './policy/bundle.js';
import { compileBundle, type PolicyEvaluator } from './policy/evaluator.js';
import { bundleNameOf, checkBundleName } from './policy/manifest.js';
import { pagesOf, resolvePoolSettings, type PoolSettings } from './pool/config.js';
import type { Judgement, Publication } from './pool/judge.js';
import { WorkerPool, type PoolPolicies } from './pool/pool.js';
import type { MemberInit } from './pool/protocol.js';
import type { Observation } from './profiles/model.js';

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
  /** Stops pulling, finishes and acks what is in flight, then resolves. */
  stop(): Promise<void>;
}

/** Default messages per task; the bench's are 256 facts each. */
const MAX_TASK_MESSAGES = 16;
const MAX_TASK_BYTES = 1024 * 1024;
const ACK_WAIT_MS = 30_000;
/** How long a stopping engine waits for the streams' answers to what it published. */
const STORE_ACK_MS = 5_000;
const DEAD_LETTER_PREFIX = subjects.allDeadLetters.slice(0, -1);
const ALERT_PREFIX = subjects.allAlerts.slice(0, -1);
const VERDICT_PREFIX = subjects.allVerdicts.slice(0, -1);

/**
 * The fact messages judged together, and what must hold before they are acked:
 * every publication a stream keeps has been stored (or was already), and a
 * flush in one unbroken connection epoch covered the core NATS ones.
 */
interface Settlement {
  msgs: JsMsg[];
  epoch: number;
  /** Stream publications not answered yet. */
  outstanding: number;
  flushed: boolean;
  failed: boolean;
  settled: boolean;
}

/**
 * The engine: a durable JetStream consumer on every fact subject, feeding a
 * pool of policy workers. Workers decode each FactBatch, evaluate its facts in
 * batches and encode one Verdict per fact and one Alert per finding; this
 * thread publishes them and acks the messages only after the server has them
 * (one flush per group of messages, not per message). What cannot be decoded
 * or evaluated goes to `vigil.dlq.<reason>` with the original bytes. The
 * consumer is read no faster than the workers judge: while a task's worth of
 * messages waits for a worker, the loop stops pulling.
 */
export async function startEngine(options: EngineOptions): Promise<RunningEngine> {
  const { nc, logger } = options;
  const settings = resolvePoolSettings(options);
  const consumerName = options.consumer ?? ENGINE_CONSUMER;
  const ackWaitMs = options.ackWaitMs ?? ACK_WAIT_MS;
  const initial = await servedPolicies(options);

  const stats = { batches: 0, facts: 0, verdicts: 0, alerts: 0, deadLetters: 0 };
  let toFlush: Settlement[] = [];
  /**
   * Bumped on every disconnect and reconnect. A flush proves that the server read
   * what was published before it only on one unbroken connection: nats.js drops
   * what is published while disconnected (its outbound buffer is reset on every
   * dial) and may answer a pending flush from the next server. So a message is
   * acked only if its results were published and flushed within one epoch;
   * otherwise it is redelivered.
   */
  let epoch = 0;
  void (async () => {
    for await (const status of nc.status()) if (status.type === 'disconnect' || status.type === 'reconnect') epoch++;
  })();
  let flushing: Promise<void> = Promise.resolve();
  let flushScheduled = false;
  const inFlight = new Set<JsMsg>();

  const { metrics } = options;
  /** Alert counter series by the severity token of the alert subject; looked up once per severity. */
  const alertSeries = new Map<string, { inc(): void }>();
  const countAlert = (subject: string): void => {
    if (!metrics) return;
    const token = subject.split('.')[2]!;
    let series = alertSeries.get(token);
    if (series === undefined) alertSeries.set(token, (series = metrics.alerts.labels({ severity: token.toUpperCase() })));
    series.inc();
  };
  const storeVerdicts = options.verdictStream === true;
  const publisher = startAckedPublisher({ nc });
  /** Alerts, dead letters and (with verdictStream) verdicts are kept in streams: published with acks. */
  const isStored = (subject: string): boolean =>
    subject.startsWith(ALERT_PREFIX) || subject.startsWith(DEAD_LETTER_PREFIX) || (storeVerdicts && subject.startsWith(VERDICT_PREFIX));

  const settle = (s: Settlement): void => {
    if (s.settled || !s.flushed || s.outstanding > 0) return;
    s.settled = true;
    for (const m of s.msgs) inFlight.delete(m);
    if (s.failed) {
      logger.warn({ messages: s.msgs.length }, 'a stream did not store results: messages redelivered');
      for (const m of s.msgs) m.nak(1_000);
    } else {
      for (const m of s.msgs) m.ack();
    }
  };
  /** A callback for one stream publication of `s` (none: nothing waits on it, e.g. an aggregate). */
  const awaitStore = (s: Settlement | undefined): ((outcome: StoreOutcome) => void) => {
    if (s === undefined) return (outcome) => outcome === 'failed' && logger.error('an aggregate alert was not stored by the alert stream');
    s.outstanding++;
    return (outcome) => {
      s.outstanding--;
      if (outcome === 'failed') s.failed = true;
      settle(s);
    };
  };

  const send = ({ subject, payload, msgId }: Publication, s?: Settlement): void => {
    if (isStored(subject)) {
      publisher.publish(subject, payload, msgId, awaitStore(s));
    } else {
      // At most once: no stream keeps it, so no message id to dedup by.
      nc.publish(subject, payload);
    }
    if (subject.startsWith(ALERT_PREFIX)) countAlert(subject);
  };

  /**
   * Publishes through `deliver` (default: as encoded); what exceeds the
   * server's max_payload becomes a dead letter instead of blocking the queue.
   */
  const publish = (publication: Publication, s?: Settlement, deliver: (publication: Publication) => void = (p) => send(p, s)): void => {
    try {
      deliver(publication);
    } catch (error) {
      if (!/max_payload/i.test(String((error as Error)?.message))) throw error;
      logger.warn({ subject: publication.subject, bytes: publication.payload.length }, 'result larger than the server accepts: dead-lettered');
      stats.deadLetters++;
      metrics?.deadLetters.inc({ reason: 'oversize' });
      send(
        {
          subject: subjects.deadLetter('oversize'),
          payload: encodeDeadLetter({ reason: 'oversize', error: String((error as Error).message), subject: publication.subject, payload: new Uint8Array(), received_at_ms: Date.now() }),
        },
        s,
      );
    }
  };

  const throttle = options.alertThrottle ?? DEFAULT_ALERT_WINDOW;
  const gate: AlertGate = createAlertThrottle({
    windowMs: throttle.windowMs,
    maxKeys: throttle.maxKeys ?? DEFAULT_ALERT_WINDOW.maxKeys,
    onFlush: (alert) => publishAggregate(alert),
    onError: (error) => logger.error({ err: error }, 'cannot publish an aggregate alert'),
  });
  const unbindThrottle = metrics ? bindThrottleMetrics(metrics, gate) : () => undefined;
  const publishAggregate = (alert: AlertInit): void => {
    const severity = severityName(alert.finding?.severity) as SeverityName;
    const kind = alert.finding?.subject?.kind ?? 'unknown';
    publish({ subject: subjects.alerts(severity, kind, alert.source?.host ?? ''), payload: encodeAlert(alert), msgId: alert.id ?? undefined }, undefined);
    stats.alerts++;
  };
  /**
   * A key's first alert in a window goes out with a message id every replica
   * derives alike; when the stream answers that another replica was first,
   * this one counts the occurrence into its aggregate instead.
   */
  const firstAlerts = firstAlertsOver({
    publisher,
    onStored: countAlert,
    onDuplicate: (key, payload) => {
      stats.alerts--;
      gate.absorb(key, decodeAlert(payload));
    },
    onFailed: (count) => logger.warn({ alerts: count }, 'the alert stream did not store these first alerts; their facts are redelivered'),
  });
  /** Alerts pass the throttle; everything else is published as the worker encoded it. */
  const publishJudged = (publication: Publication, s: Settlement): void => {
    if (throttle.windowMs <= 0 || !publication.subject.startsWith(ALERT_PREFIX)) {
      publish(publication, s);
      return;
    }
    // The worker sets both on every alert it encodes.
    const key = publication.throttleKey ?? throttleKey(decodeAlert(publication.payload));
    if (!gate.admitKeyed(key, () => decodeAlert(publication.payload))) {
      stats.alerts--;
      return;
    }
    const msgId = firstAlertMessageId(key, publication.observedAtMs || Date.now(), throttle.windowMs);
    publish(publication, s, (p) => firstAlerts.publish(p.subject, p.payload, msgId, key, awaitStore(s)));
  };

  const flushAndAck = async (): Promise<void> => {
    flushScheduled = false;
    const batch = toFlush;
    toFlush = [];
    if (batch.length === 0) return;
    try {
      await nc.flush();
    } catch (error) {
      // Redelivered once the connection is back; message ids dedup the rerun.
      logger.error({ err: error, messages: batch.length }, 'flush failed; messages will be redelivered');
      for (const s of batch) {
        s.failed = true;
        s.flushed = true;
        settle(s);
      }
      return;
    }
    let lost = 0;
    for (const s of batch) {
      if (s.epoch !== epoch) {
        lost += s.msgs.length;
        s.failed = true;
      }
      s.flushed = true;
      settle(s);
    }
    if (lost > 0) logger.warn({ messages: lost }, 'connection lost after publishing results: messages redelivered');
  };

  const judged = (msgs: JsMsg[], judgement: Judgement): void => {
    const s: Settlement = { msgs, epoch, outstanding: 0, flushed: false, failed: false, settled: false };
    try {
      for (const publication of judgement.publications) publishJudged(publication, s);
    } catch (error) {
      // A bug or a closed connection, not an input problem: redeliver and carry on.
      logger.error({ err: error, messages: msgs.length }, 'cannot publish verdicts; messages will be redelivered');
      s.failed = true;
      s.flushed = true;
      settle(s);
      return;
    }
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
    stats.alerts += counts.alerts;
    stats.deadLetters += counts.deadLetters;
    if (counts.deadLetters > 0) {
      for (const p of judgement.publications) {
        if (!p.subject.startsWith(DEAD_LETTER_PREFIX)) continue;
        logger.warn({ subject: p.subject }, 'dead letter');
        metrics?.deadLetters.inc({ reason: p.subject.slice(DEAD_LETTER_PREFIX.length) });
      }
    }
    for (const s of judgement.samples) {
      options.onBatchEvaluated?.(s.kind, s.facts, s.seconds);
      metrics?.facts.inc({ kind: s.kind }, s.facts);
      metrics?.evaluationSeconds.observe({ kind: s.kind }, s.seconds);
    }
    toFlush.push(s);
    if (!flushScheduled) {
      flushScheduled = true;
      // Runs after the results already queued have been published, so one flush covers a burst.
      setImmediate(() => {
        flushing = flushing.then(flushAndAck);
      });
    }
  };

  const pool = await WorkerPool.start<JsMsg>({
    ...initial,
    size: settings.workers,
    timeoutMs: settings.evaluationTimeoutMs,
    maxMemoryPages: pagesOf(settings.maxMemoryMb),
    maxTasksPerWorker: settings.maxInFlightPerWorker,
    maxTaskMessages: options.maxTaskMessages ?? MAX_TASK_MESSAGES,
    maxTaskBytes: MAX_TASK_BYTES,
    logger,
    onJudged: judged,
    observe: options.onObservations !== undefined,
  });

  let messages;
  try {
    const jsm = await ensureStreams(nc, { replicas: options.streamReplicas, verdicts: storeVerdicts });
    checkAlertWindow(throttle.windowMs, (await jsm.streams.info(streams.alerts.name)).config.duplicate_window);
    try {
      await jsm.consumers.info(streams.facts.name, consumerName);
    } catch {
      await jsm.consumers.add(streams.facts.name, {
        durable_name: consumerName,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: ackWaitMs * 1_000_000,
        max_deliver: 10,
        max_ack_pending: 20_000,
      });
    }
    const consumer = await jetstream(nc).consumers.get(streams.facts.name, consumerName);
    messages = await consumer.consume({ max_messages: options.maxMessages ?? 512 });
  } catch (error) {
    await pool.close();
    throw error;
  }

  // A message waiting behind a slow evaluation is not redelivered to another replica meanwhile.
  const heartbeat = setInterval(() => {
    for (const m of inFlight) m.working();
  }, ackWaitMs / 3);
  heartbeat.unref();

  const loop = (async () => {
    for await (const m of messages) {
      inFlight.add(m);
      pool.submit({ subject: m.subject, data: m.data }, m);
      if (!pool.accepting()) await pool.whenAccepting();
    }
  })();

  logger.info({ consumer: consumerName, revision: pool.revision, bundles: initial.members.map((m) => m.name), workers: settings.workers }, 'engine started');

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
    });

  return {
    get revision() {
      return pool.revision;
    },
    bundles: () => pool.policies.members.map((m) => ({ name: m.name, revision: m.bundle.revision })),
    stats: () => {
      const p = pool.stats();
      return { ...stats, inFlight: p.inFlight, workers: p.workers, workerRestarts: p.restarts, timeouts: p.timeouts };
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
      serialised(() => pool.replaceData(dataOverlay)),
    stop: async () => {
      await messages.close();
      await loop;
      await pool.close();
      clearInterval(heartbeat);
      gate.close();
      unbindThrottle();
      await flushing;
      await flushAndAck();
      // What no stream answered in time is nak'ed: redelivered, deduplicated by message id.
      await publisher.close(STORE_ACK_MS);
      logger.info({ ...stats }, 'engine stopped');
    },
  };
}

async function servedPolicies(options: EngineOptions): Promise<PoolPolicies> {
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
  throw new VigilEngineError('VIGIL_ERR_CONFIG', ['a policy bundle (options.bundle, options.bundles or options.evaluator)', 'none']);
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
    throw new VigilEngineError('VIGIL_ERR_CONFIG', [
      `an alert window of at most ${duplicateMs} ms, the ${streams.alerts.name} stream's duplicate window across which engine replicas recognise each other's first alert`,
      `${windowMs} ms`,
    ]);
  }
}
