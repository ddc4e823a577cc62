import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { encodeFactBatch, type FactInit } from '../../../proto/src/index.js';
import type { FactFileRecord } from './fact-file.js';
import { factSubjectOf } from './fact-subject.js';

export interface RepublishReport {
  batches: number;
  facts: number;
  /** Batches the stream already held (same message id within its duplicate window). */
  duplicates: number;
  /** Facts without a kind, which no subject takes: counted, never sent. */
  refused: number;
}

/** Acks awaited together: enough to keep the server busy, few enough to bound memory. */
const IN_FLIGHT = 256;

/**
 * Publishes each batch again on the fact subject of its facts' kind and host,
 * under its own id, so the stream keeps one copy however often it is imported.
 * A batch mixing kinds or hosts (collectors never send one) is split by subject.
 */
export async function republish(nc: NatsConnection, records: AsyncIterable<FactFileRecord>): Promise<RepublishReport> {
  const js = jetstream(nc);
  const report: RepublishReport = { batches: 0, facts: 0, duplicates: 0, refused: 0 };
  let inFlight: Promise<void>[] = [];
  const send = (subject: string, payload: Uint8Array, id: string, facts: number): void => {
    inFlight.push(
      js.publish(subject, payload, id === '' ? {} : { msgID: id }).then((ack) => {
        report.batches++;
        report.facts += facts;
        if (ack.duplicate) report.duplicates++;
      }),
    );
  };
  for await (const { bytes, batch } of records) {
    const bySubject = new Map<string, FactInit[]>();
    let kindless = 0;
    for (const fact of batch.facts) {
      const subject = factSubjectOf(fact);
      if (subject === undefined) {
        kindless++;
        continue;
      }
      const group = bySubject.get(subject);
      if (group === undefined) bySubject.set(subject, [fact]);
      else group.push(fact);
    }
    report.refused += kindless;
    if (bySubject.size === 1 && kindless === 0) {
      const [subject] = bySubject.keys();
      send(subject!, bytes, batch.id, batch.facts.length);
    } else {
      [...bySubject].forEach(([subject, facts], part) => {
        const id = batch.id === '' ? '' : `${batch.id}.${part}`;
        send(subject, encodeFactBatch({ id, facts }), id, facts.length);
      });
    }
    if (inFlight.length >= IN_FLIGHT) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  }
  await Promise.all(inFlight);
  return report;
}
