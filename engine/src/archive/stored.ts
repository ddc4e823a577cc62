import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';

/** One message as a stream stored it. */
export interface StoredMessage {
  subject: string;
  data: Uint8Array;
  storedAtMs: number;
}

const FETCH = { max_messages: 1_000, expires: 2_000 };

/**
 * What a stream holds on `filter` from `sinceMs` to `untilMs`, through an
 * ordered consumer: nothing is acknowledged, no durable consumer is touched.
 * Ends at the first message stored after `untilMs`, or when nothing is left.
 */
export async function* readStored(nc: NatsConnection, stream: string, filter: string, sinceMs: number, untilMs: number): AsyncGenerator<StoredMessage> {
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
