import type { NatsConnection } from '@nats-io/nats-core';

export interface Collected<T> {
  /** Resolves with the first `n` messages, or rejects after `timeoutMs`. */
  next(n: number, timeoutMs?: number): Promise<T[]>;
  /** Resolves with everything so far once `done` holds for it. */
  until(done: (all: T[]) => boolean, timeoutMs?: number): Promise<T[]>;
  all(): T[];
  stop(): void;
}

/** Subscribes now and keeps every decoded message, for assertions that wait. */
export function collectMessages<T>(nc: NatsConnection, subject: string, decode: (bytes: Uint8Array) => T): Collected<T> {
  const received: T[] = [];
  const sub = nc.subscribe(subject, {
    callback: (_e, m) => {
      received.push(decode(m.data));
    },
  });
  const until = async (done: (all: T[]) => boolean, timeoutMs = 15_000): Promise<T[]> => {
    const deadline = Date.now() + timeoutMs;
    while (!done(received)) {
      if (Date.now() > deadline) throw new Error(`timed out on ${subject}: ${received.length} message(s) so far`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return [...received];
  };
  return {
    next: async (n, timeoutMs) => (await until((all) => all.length >= n, timeoutMs)).slice(0, n),
    until,
    all: () => [...received],
    stop: () => sub.unsubscribe(),
  };
}
