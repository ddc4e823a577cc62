import { AckPolicy, DeliverPolicy, jetstream, type JsMsg } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import type { Logger } from 'pino';
import {
  ENGINE_CONSUMER,
  MSG_ID_HEADER,
  decodeFactBatch,
  encodeAlert,
  encodeDeadLetter,
  encodeFactBatch,
  encodeVerdict,
  ensureStreams,
  factKindOf,
  severityName,
  streams,
  subjects,
  toPolicyInput,
  type FactBatch,
  type FactInit,
  type SeverityName,
} from '../../proto/src/index.js';
import { alertsFrom, findingsFrom } from './findings.js';
import type { PolicyEvaluator } from './policy/evaluator.js';
import { subjectOf } from './subject.js';

export interface EngineOptions {
  nc: NatsConnection;
  evaluator: PolicyEvaluator;
  logger: Logger;
  /** Durable consumer name; replicas sharing it share the work. */
  consumer?: string;
  /** Messages pulled ahead of processing (back-pressure bound). */
  maxMessages?: number;
}

export interface EngineStats {
  batches: number;
  facts: number;
  verdicts: number;
  alerts: number;
  deadLetters: number;
}

export interface RunningEngine {
  stats(): EngineStats;
  /** Stops pulling, finishes and acks what is in flight, then resolves. */
  stop(): Promise<void>;
}

type DeadLetterReason = 'decode' | 'unknown_kind' | 'evaluation';

/**
 * The engine: a durable JetStream consumer on every fact subject. For each
 * FactBatch it evaluates every fact, publishes one Verdict per fact and one
 * Alert per finding, and acks the batch only after the server has them
 * (one flush per group of messages, not per message). What it cannot decode
 * or evaluate goes to `vigil.dlq.<reason>` with the original bytes.
 */
export async function startEngine(options: EngineOptions): Promise<RunningEngine> {
  const { nc, evaluator, logger } = options;
  const consumerName = options.consumer ?? ENGINE_CONSUMER;
  const jsm = await ensureStreams(nc);
  try {
    await jsm.consumers.info(streams.facts.name, consumerName);
  } catch {
    await jsm.consumers.add(streams.facts.name, {
      durable_name: consumerName,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: 30_000 * 1_000_000,
      max_deliver: 10,
      max_ack_pending: 20_000,
    });
  }
  const js = jetstream(nc);
  const consumer = await js.consumers.get(streams.facts.name, consumerName);
  const messages = await consumer.consume({ max_messages: options.maxMessages ?? 512 });

  const stats: EngineStats = { batches: 0, facts: 0, verdicts: 0, alerts: 0, deadLetters: 0 };
  let toAck: JsMsg[] = [];
  let flushing: Promise<void> = Promise.resolve();
  let flushScheduled = false;

  const publish = (subject: string, payload: Uint8Array, msgId?: string): void => {
    if (msgId === undefined) {
      nc.publish(subject, payload);
      return;
    }
    const h = headers();
    h.set(MSG_ID_HEADER, msgId);
    nc.publish(subject, payload, { headers: h });
  };

  const deadLetter = (reason: DeadLetterReason, error: unknown, subject: string, payload: Uint8Array, factId = ''): void => {
    stats.deadLetters++;
    logger.warn({ reason, subject, factId, err: error }, 'dead letter');
    publish(
      subjects.deadLetter(reason),
      encodeDeadLetter({ reason, error: String((error as Error)?.message ?? error), subject, payload, received_at_ms: Date.now(), fact_id: factId }),
    );
  };

  const evaluateFact = (fact: FactInit, subject: string): void => {
    const kind = factKindOf(fact);
    const factId = fact.id ?? '';
    if (kind === undefined) {
      deadLetter('unknown_kind', new Error('fact has no kind set'), subject, encodeFactBatch({ facts: [fact] }), factId);
      return;
    }
    const host = fact.source?.host ?? '';
    const input = toPolicyInput(fact);
    const target = subjectOf(input, kind, host);
    const now = Date.now();
    let findings;
    try {
      findings = findingsFrom(evaluator.evaluate(input, kind), target);
    } catch (error) {
      deadLetter('evaluation', error, subject, encodeFactBatch({ facts: [fact] }), factId);
      publish(
        subjects.verdicts(kind, host),
        encodeVerdict({ fact_id: factId, kind, source: fact.source ?? null, subject: target, evaluated_at_ms: now, bundle_revision: evaluator.revision, error: String(error) }),
      );
      stats.verdicts++;
      return;
    }
    publish(
      subjects.verdicts(kind, host),
      encodeVerdict({ fact_id: factId, kind, source: fact.source ?? null, subject: target, findings, evaluated_at_ms: now, bundle_revision: evaluator.revision }),
    );
    stats.verdicts++;
    for (const alert of alertsFrom(fact, findings, now)) {
      const severity = severityName(alert.finding?.severity) as SeverityName;
      publish(subjects.alerts(severity, kind, host), encodeAlert(alert), alert.id ?? undefined);
      stats.alerts++;
    }
  };

  const handle = (m: JsMsg): void => {
    let batch: FactBatch;
    try {
      batch = decodeFactBatch(m.data);
    } catch (error) {
      deadLetter('decode', error, m.subject, m.data);
      return;
    }
    stats.batches++;
    for (const fact of batch.facts) {
      stats.facts++;
      evaluateFact(fact, m.subject);
    }
  };

  const flushAndAck = async (): Promise<void> => {
    flushScheduled = false;
    const batch = toAck;
    toAck = [];
    if (batch.length === 0) return;
    try {
      await nc.flush();
      for (const m of batch) m.ack();
    } catch (error) {
      // Unacked messages are redelivered after ack_wait; alert ids dedup the rerun.
      logger.error({ err: error, messages: batch.length }, 'flush failed; messages will be redelivered');
    }
  };

  const loop = (async () => {
    for await (const m of messages) {
      try {
        handle(m);
      } catch (error) {
        // A bug, not an input problem: keep the message for redelivery and carry on.
        logger.error({ err: error, subject: m.subject }, 'unexpected error handling message');
        m.nak(1_000);
        continue;
      }
      toAck.push(m);
      if (!flushScheduled) {
        flushScheduled = true;
        // Runs after the messages already buffered have been handled, so one
        // flush covers a whole burst.
        setImmediate(() => {
          flushing = flushing.then(flushAndAck);
        });
      }
    }
  })();

  logger.info({ consumer: consumerName, revision: evaluator.revision, rules: evaluator.rules.length }, 'engine started');

  return {
    stats: () => ({ ...stats }),
    stop: async () => {
      await messages.close();
      await loop;
      await flushing;
      await flushAndAck();
      logger.info({ ...stats }, 'engine stopped');
    },
  };
}
