import { DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { streams, SUBJECT_ROOT, subjectToken, type FactKind } from '../../../proto/src/index.js';
import { CliError } from '../errors.js';

/** Which archived fact messages to read: stored within [sinceMs, untilMs], of one kind and host if given. */
export interface ArchiveQuery {
  sinceMs: number;
  untilMs: number;
  kind?: FactKind;
  host?: string;
}

/** One FactBatch message as VIGIL_FACTS stored it. */
export interface ArchivedBatch {
  subject: string;
  data: Uint8Array;
  storedAtMs: number;
}

const FETCH = { max_messages: 1_000, expires: 2_000 };

/**
 * Reads what VIGIL_FACTS keeps (judged facts too: the stream has limits
 * retention) with an ordered consumer, which acknowledges nothing and leaves
 * the engines' consumer alone.
 */
export async function* readArchive(nc: NatsConnection, query: ArchiveQuery): AsyncGenerator<ArchivedBatch> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(streams.facts.name).catch((error: unknown) => {
    throw new CliError('VIGIL_ERR_CLI_ARCHIVE', [streams.facts.name, (error as Error).message]);
  });
  if (info.config.retention === RetentionPolicy.Workqueue) throw new CliError('VIGIL_ERR_CLI_NO_ARCHIVE', [streams.facts.name, streams.facts.name]);
  if (info.state.messages === 0) return;
  const filter = `${SUBJECT_ROOT}.facts.${query.kind ?? '*'}.${query.host === undefined ? '*' : subjectToken(query.host)}`;
  yield* readStored(nc, streams.facts.name, filter, query.sinceMs, query.untilMs);
}

/**
 * What a stream holds on `filter` from `sinceMs` to `untilMs`, through an
 * ordered consumer: nothing is acknowledged, no durable consumer is touched.
 */
export async function* readStored(nc: NatsConnection, stream: string, filter: string, sinceMs: number, untilMs: number): AsyncGenerator<ArchivedBatch> {
  const consumer = await jetstream(nc).consumers.get(stream, {
    filter_subjects: [filter],
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: new Date(sinceMs).toISOString(),
  });
  for (;;) {
    let received = 0;
    for await (const m of await consumer.fetch(FETCH)) {
      received++;
      const storedAtMs = Math.floor(Number(m.info.timestampNanos) / 1e6);
      if (storedAtMs > untilMs) return;
      yield { subject: m.subject, data: m.data, storedAtMs };
      if (m.info.pending === 0) return;
    }
    // Nothing stored at or after sinceMs that matches.
    if (received === 0) return;
  }
}
