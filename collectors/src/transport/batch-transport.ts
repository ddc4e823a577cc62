import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { subjects, type FactKind } from '../../../proto/src/index.js';

/** Sends one FactBatch; resolves once it is stored, rejects to be retried. */
export interface BatchTransport {
  send(kind: FactKind, bytes: Uint8Array, id: string): Promise<void>;
}

/**
 * FactBatches to `vigil.facts.<kind>.<host>` with JetStream acks. The batch id
 * is its `Nats-Msg-Id` on every attempt, so a retry after a lost ack is
 * dropped by the stream's duplicate window rather than stored twice.
 */
export function jetStreamTransport(nc: NatsConnection, host: string, timeoutMs: number): BatchTransport {
  const js = jetstream(nc);
  return {
    async send(kind, bytes, id) {
      await js.publish(subjects.facts(kind, host), bytes, { msgID: id, timeout: timeoutMs });
    },
  };
}
