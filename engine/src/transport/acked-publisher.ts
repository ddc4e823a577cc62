import { createInbox, headers, type NatsConnection, type Subscription } from '@nats-io/nats-core';
import { MSG_ID_HEADER } from '../../../proto/src/index.js';

/** What became of a publication to a stream: stored, already stored (same message id), or not stored after every retry. */
export type StoreOutcome = 'stored' | 'duplicate' | 'failed';

export interface AckedPublisherOptions {
  nc: NatsConnection;
  /** How long one attempt waits for the stream's answer before it is sent again (default 2 s). */
  attemptTimeoutMs?: number;
  /**
   * How long a publication is retried before it counts as failed (default 20 s):
   * long enough for a replicated stream to elect a new leader.
   */
  retryForMs?: number;
}

export interface AckedPublisher {
  /**
   * Publishes to a stream subject with a reply inbox and calls `done` once with the
   * stream's answer. An attempt that gets no answer, a no-responders status or a
   * JetStream error is sent again with the same message id, so the stream keeps one copy.
   * Throws as nc.publish does (e.g. beyond max_payload).
   */
  publish(subject: string, payload: Uint8Array, msgId: string | undefined, done: (outcome: StoreOutcome) => void): void;
  /** Publications waiting for an answer. */
  pending(): number;
  /** Waits up to `timeoutMs` for the answers still out; the rest fail. Then stops listening. */
  close(timeoutMs: number): Promise<void>;
}

interface Pending {
  subject: string;
  payload: Uint8Array;
  msgId: string | undefined;
  done: (outcome: StoreOutcome) => void;
  firstSentAt: number;
  sentAt: number;
  attempts: number;
}

const decoder = new TextDecoder();

/**
 * The inbox prefix the connection was made with: a secured NATS lets each
 * identity subscribe to its own inboxes only. nats.js keeps it on the
 * connection's options, which its NatsConnection type does not declare.
 */
function inboxPrefixOf(nc: NatsConnection): string | undefined {
  return (nc as { options?: { inboxPrefix?: string } }).options?.inboxPrefix;
}

/** A stream's answer: ok, duplicate, or something to retry (no stream leader, no responders, an error). */
function answerOf(data: Uint8Array, noResponders: boolean): 'stored' | 'duplicate' | 'retry' {
  if (noResponders) return 'retry';
  try {
    const ack = JSON.parse(decoder.decode(data)) as { error?: unknown; duplicate?: boolean; stream?: string };
    if (ack.error !== undefined || typeof ack.stream !== 'string') return 'retry';
    return ack.duplicate === true ? 'duplicate' : 'stored';
  } catch {
    return 'retry';
  }
}

/**
 * Publications that must be stored before the facts behind them are acked
 * (alerts, dead letters, verdicts kept in a stream): one subscription on an
 * inbox for all of them, answers matched by a token in the reply subject, one
 * sweep timer instead of a request and timer per message. A publication sent
 * while the connection is down is lost by nats.js; its attempt times out and
 * is sent again.
 */
export function startAckedPublisher(options: AckedPublisherOptions): AckedPublisher {
  const { nc } = options;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 2_000;
  const retryForMs = options.retryForMs ?? 20_000;
  const inbox = createInbox(inboxPrefixOf(nc));
  /** Insertion order is send order: the sweep stops at the first attempt still in time. */
  const pending = new Map<string, Pending>();
  let sequence = 0;

  const send = (entry: Pending): void => {
    const token = (++sequence).toString(36);
    entry.sentAt = Date.now();
    entry.attempts++;
    pending.set(token, entry);
    try {
      if (entry.msgId === undefined) {
        nc.publish(entry.subject, entry.payload, { reply: `${inbox}.${token}` });
      } else {
        const h = headers();
        h.set(MSG_ID_HEADER, entry.msgId);
        nc.publish(entry.subject, entry.payload, { headers: h, reply: `${inbox}.${token}` });
      }
    } catch (error) {
      pending.delete(token);
      throw error;
    }
  };

  /** Sends again, or gives up once the retry time is spent (or the connection is closed for good). */
  const retry = (entry: Pending): void => {
    if (nc.isClosed() || Date.now() - entry.firstSentAt >= retryForMs) {
      entry.done('failed');
      return;
    }
    try {
      send(entry);
    } catch {
      entry.done('failed');
    }
  };

  const subscription: Subscription = nc.subscribe(`${inbox}.*`, {
    callback: (error, msg) => {
      if (error) return;
      const token = msg.subject.slice(inbox.length + 1);
      const entry = pending.get(token);
      if (entry === undefined) return;
      pending.delete(token);
      const answer = answerOf(msg.data, msg.headers?.hasError === true);
      if (answer === 'retry') {
        // Back off while the stream has no leader: the next sweep sends it again.
        entry.sentAt = Date.now();
        backlog.push(entry);
        return;
      }
      entry.done(answer);
    },
  });

  /** Entries answered "try again", resent by the sweep after a pause. */
  let backlog: Pending[] = [];
  const sweepMs = Math.max(50, Math.min(250, attemptTimeoutMs / 4));
  const sweep = setInterval(() => {
    const now = Date.now();
    const expired: Pending[] = [];
    for (const [token, entry] of pending) {
      if (now - entry.sentAt < attemptTimeoutMs) break;
      pending.delete(token);
      expired.push(entry);
    }
    const waiting = backlog;
    backlog = [];
    for (const entry of waiting) {
      if (now - entry.sentAt < sweepMs) backlog.push(entry);
      else retry(entry);
    }
    for (const entry of expired) retry(entry);
  }, sweepMs);
  sweep.unref();

  return {
    publish(subject, payload, msgId, done) {
      const now = Date.now();
      send({ subject, payload, msgId, done, firstSentAt: now, sentAt: now, attempts: 0 });
    },
    pending: () => pending.size + backlog.length,
    async close(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (pending.size + backlog.length > 0 && Date.now() < deadline && !nc.isClosed()) await new Promise((r) => setTimeout(r, 10));
      clearInterval(sweep);
      const left = [...pending.values(), ...backlog];
      pending.clear();
      backlog = [];
      for (const entry of left) entry.done('failed');
      subscription.unsubscribe();
    },
  };
}
