import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from 'pino';
import { encodeDeadLetter, subjects } from '../../../proto/src/index.js';
import { startAckedPublisher } from './acked-publisher.js';
import { Settlement, type Publication, type ResultGroup, type ResultSink, type StoreOutcome } from './result-sink.js';

export interface NatsSinkOptions {
  nc: NatsConnection;
  logger: Logger;
  /** Verdicts are kept in the VIGIL_VERDICTS stream (published with acks), not sent at most once. */
  storeVerdicts: boolean;
  /** Hears every dead letter this sink sends, by reason (the workers' and its own oversize ones). */
  onDeadLetter?(reason: string): void;
}

const DEAD_LETTER_PREFIX = subjects.allDeadLetters.slice(0, -1);
const ALERT_PREFIX = subjects.allAlerts.slice(0, -1);
const VERDICT_PREFIX = subjects.allVerdicts.slice(0, -1);

/**
 * Results to NATS. Alerts, dead letters and (optionally) verdicts go to their
 * streams with acks; the rest is core NATS, at most once. A group is delivered
 * when a flush in one unbroken connection epoch came back after its last
 * publication: nats.js drops what is published while disconnected (its
 * outbound buffer is reset on every dial) and may answer a pending flush from
 * the next server, so a disconnect or reconnect fails every open group and its
 * facts are redelivered. One flush covers every group that asked in a burst.
 * What exceeds the server's max_payload becomes an `oversize` dead letter
 * instead of blocking the queue.
 */
export function natsResultSink(options: NatsSinkOptions): ResultSink {
  const { nc, logger } = options;
  const publisher = startAckedPublisher({ nc });
  let epoch = 0;
  void (async () => {
    for await (const status of nc.status()) if (status.type === 'disconnect' || status.type === 'reconnect') epoch++;
  })();
  let sequence = 0;
  const waiting = new Set<NatsGroup>();
  let flushScheduled = false;
  let flushing: Promise<void> = Promise.resolve();

  const isStored = (subject: string): boolean =>
    subject.startsWith(ALERT_PREFIX) || subject.startsWith(DEAD_LETTER_PREFIX) || (options.storeVerdicts && subject.startsWith(VERDICT_PREFIX));

  const runFlush = async (): Promise<void> => {
    flushScheduled = false;
    const batch = [...waiting];
    waiting.clear();
    if (batch.length === 0) return;
    const covered = sequence;
    const startEpoch = epoch;
    let flushed = true;
    try {
      await nc.flush();
    } catch (error) {
      logger.error({ err: error, groups: batch.length }, 'flush failed; their facts will be redelivered');
      flushed = false;
    }
    for (const group of batch) group.flushed(flushed && group.epoch === startEpoch && startEpoch === epoch ? covered : undefined);
  };

  const requestFlush = (group: NatsGroup): void => {
    waiting.add(group);
    if (flushScheduled) return;
    flushScheduled = true;
    // After the results already queued are published, so one flush covers a burst.
    setImmediate(() => {
      flushing = flushing.then(runFlush);
    });
  };

  class NatsGroup implements ResultGroup {
    readonly epoch = epoch;
    #last = 0;
    #covered = 0;
    #lost = false;
    readonly #settlement = new Settlement(() => {
      if (this.#lost) return false;
      if (this.#last > this.#covered) {
        requestFlush(this);
        return 'wait';
      }
      return true;
    });

    publish(publication: Publication, outcome?: (outcome: StoreOutcome) => void): void {
      try {
        this.#send(publication, outcome);
      } catch (error) {
        if (!/max_payload/i.test(String((error as Error)?.message))) throw error;
        logger.warn({ subject: publication.subject, bytes: publication.payload.length }, 'result larger than the server accepts: dead-lettered');
        outcome?.('failed');
        this.#send({
          subject: subjects.deadLetter('oversize'),
          payload: encodeDeadLetter({ reason: 'oversize', error: String((error as Error).message), subject: publication.subject, payload: new Uint8Array(), received_at_ms: Date.now() }),
        });
      }
    }

    hold(until: Promise<boolean>): void {
      this.#settlement.hold(until);
    }

    seal(settled: (delivered: boolean) => void): void {
      this.#settlement.seal(settled);
    }

    /** A flush came back: it covered publications up to `covered`, or (undefined) proved nothing. */
    flushed(covered: number | undefined): void {
      if (covered === undefined) this.#lost = true;
      else this.#covered = covered;
      this.#settlement.check();
    }

    #send({ subject, payload, msgId }: Publication, outcome?: (outcome: StoreOutcome) => void): void {
      if (subject.startsWith(DEAD_LETTER_PREFIX)) options.onDeadLetter?.(subject.slice(DEAD_LETTER_PREFIX.length));
      if (isStored(subject)) {
        const answered = this.#settlement.expect();
        publisher.publish(subject, payload, msgId, (result) => {
          outcome?.(result);
          answered(result !== 'failed');
        });
      } else {
        // At most once: no stream keeps it, so no message id to dedup by.
        nc.publish(subject, payload);
      }
      this.#last = ++sequence;
    }
  }

  return {
    group: () => new NatsGroup(),
    async close(timeoutMs) {
      await flushing;
      await runFlush();
      await publisher.close(timeoutMs);
    },
  };
}
