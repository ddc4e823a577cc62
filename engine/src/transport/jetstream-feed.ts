import { AckPolicy, DeliverPolicy, jetstream, type ConsumerMessages, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { streams } from '../../../proto/src/index.js';
import type { FactFeed, FeedMessage } from './fact-feed.js';

export interface JetStreamFeedOptions {
  nc: NatsConnection;
  /** The manager the caller already holds (e.g. from ensureStreams). */
  jsm: JetStreamManager;
  /** Durable consumer name; replicas sharing it share the work. */
  consumer: string;
  /** How long the server waits for an ack before redelivering, when this feed creates the consumer. */
  ackWaitMs: number;
  /** Messages pulled ahead of processing (back-pressure bound). */
  maxMessages: number;
}

/**
 * Facts from the durable consumer on VIGIL_FACTS (created when missing). A
 * message delivered and not settled yet is kept alive with `working()` every
 * third of the ack wait, so one waiting behind a slow evaluation is not
 * redelivered to another replica meanwhile.
 */
export async function jetStreamFeed(options: JetStreamFeedOptions): Promise<FactFeed> {
  const { nc, jsm, consumer: name, ackWaitMs } = options;
  try {
    await jsm.consumers.info(streams.facts.name, name);
  } catch {
    await jsm.consumers.add(streams.facts.name, {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: ackWaitMs * 1_000_000,
      max_deliver: 10,
      max_ack_pending: 20_000,
    });
  }
  const consumer = await jetstream(nc).consumers.get(streams.facts.name, name);
  const unsettled = new Set<JsMsg>();
  let messages: ConsumerMessages | undefined;
  let heartbeat: NodeJS.Timeout | undefined;

  async function* delivered(source: ConsumerMessages): AsyncGenerator<FeedMessage> {
    for await (const m of source) {
      unsettled.add(m);
      yield {
        subject: m.subject,
        data: m.data,
        ack: () => {
          unsettled.delete(m);
          m.ack();
        },
        nak: (delayMs) => {
          unsettled.delete(m);
          m.nak(delayMs);
        },
      };
    }
  }

  return {
    async open() {
      messages = await consumer.consume({ max_messages: options.maxMessages });
      heartbeat = setInterval(() => {
        for (const m of unsettled) m.working();
      }, ackWaitMs / 3);
      heartbeat.unref();
      return delivered(messages);
    },
    async close() {
      await messages?.close();
      clearInterval(heartbeat);
    },
  };
}
