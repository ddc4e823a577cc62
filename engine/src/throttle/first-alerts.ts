import { createInbox, headers, type NatsConnection, type Subscription } from '@nats-io/nats-core';
import { MSG_ID_HEADER } from '../../../proto/src/index.js';

export interface FirstAlertsOptions {
  nc: NatsConnection;
  /** The stream already had this message id: another replica published the key's first alert. */
  onDuplicate(key: string, payload: Uint8Array): void;
  /** The stream stored it: this replica's alert is the key's first. */
  onStored(subject: string): void;
  /** Alerts no stream stored or answered within `ackTimeoutMs` (no stream for the subject, or the connection dropped). */
  onUnanswered(count: number): void;
  ackTimeoutMs?: number;
}

export interface FirstAlerts {
  /** Publishes with `msgId`; the stream's answer decides between onStored and onDuplicate. Throws as nc.publish does. */
  publish(subject: string, payload: Uint8Array, msgId: string, key: string): void;
  /** Waits for the answers still out (at most `timeoutMs`), then stops listening. */
  close(timeoutMs: number): Promise<void>;
}

interface Pending {
  key: string;
  subject: string;
  payload: Uint8Array;
  sentAt: number;
}

/**
 * First alerts of a throttle window, published with a reply subject so the
 * alert stream's acknowledgement comes back: one subscription on an inbox for
 * all of them, no request object or timer per alert (a fleet's worth of
 * distinct keys is tens of thousands of first alerts a second).
 */
export function startFirstAlerts(options: FirstAlertsOptions): FirstAlerts {
  const { nc } = options;
  const ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
  const inbox = createInbox();
  const pending = new Map<string, Pending>();
  let sequence = 0;
  const decoder = new TextDecoder();
  const subscription: Subscription = nc.subscribe(`${inbox}.*`, {
    callback: (error, msg) => {
      if (error) return;
      const token = msg.subject.slice(inbox.length + 1);
      const sent = pending.get(token);
      if (sent === undefined) return;
      pending.delete(token);
      // No responders (503): no stream takes the subject, so nothing was stored.
      if (msg.headers?.hasError) {
        options.onUnanswered(1);
        return;
      }
      let duplicate = false;
      try {
        duplicate = (JSON.parse(decoder.decode(msg.data)) as { duplicate?: boolean }).duplicate === true;
      } catch {
        // Not a stream ack: treat the alert as published.
      }
      if (duplicate) options.onDuplicate(sent.key, sent.payload);
      else options.onStored(sent.subject);
    },
  });
  const sweep = setInterval(() => {
    const before = Date.now() - ackTimeoutMs;
    let lost = 0;
    for (const [token, sent] of pending) {
      if (sent.sentAt >= before) break;
      pending.delete(token);
      lost++;
    }
    if (lost > 0) options.onUnanswered(lost);
  }, Math.max(100, ackTimeoutMs / 2));
  sweep.unref();

  return {
    publish(subject, payload, msgId, key) {
      const token = (++sequence).toString(36);
      const h = headers();
      h.set(MSG_ID_HEADER, msgId);
      nc.publish(subject, payload, { headers: h, reply: `${inbox}.${token}` });
      pending.set(token, { key, subject, payload, sentAt: Date.now() });
    },
    async close(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (pending.size > 0 && Date.now() < deadline && !nc.isClosed()) await new Promise((r) => setTimeout(r, 10));
      clearInterval(sweep);
      if (pending.size > 0) options.onUnanswered(pending.size);
      pending.clear();
      subscription.unsubscribe();
    },
  };
}
