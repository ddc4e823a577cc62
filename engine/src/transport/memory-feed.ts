import type { FactFeed, FeedMessage } from './fact-feed.js';

/** How the engine settled a message pushed into a {@link MemoryFeed}. */
export type Settled = 'ack' | 'nak';

interface Queued {
  subject: string;
  data: Uint8Array;
  settle(outcome: Settled): void;
}

/**
 * Facts from memory, for tests and replays, the way fastify's `inject()`
 * feeds a route: `push()` resolves with how the engine settled the message.
 * `end()` ends the feed once what was pushed is delivered.
 */
export class MemoryFeed implements FactFeed {
  readonly #queue: Queued[] = [];
  #wake: (() => void) | undefined;
  #ended = false;

  push(subject: string, data: Uint8Array): Promise<Settled> {
    if (this.#ended) throw new Error('memory feed ended: nothing more can be pushed');
    return new Promise((settle) => {
      let done = false;
      this.#queue.push({
        subject,
        data,
        settle: (outcome) => {
          if (done) return;
          done = true;
          settle(outcome);
        },
      });
      this.#wake?.();
    });
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  async open(): Promise<AsyncIterable<FeedMessage>> {
    return this.#messages();
  }

  async close(): Promise<void> {
    this.end();
  }

  async *#messages(): AsyncGenerator<FeedMessage> {
    for (;;) {
      const next = this.#queue.shift();
      if (next !== undefined) {
        yield { subject: next.subject, data: next.data, ack: () => next.settle('ack'), nak: () => next.settle('nak') };
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((wake) => (this.#wake = wake));
      this.#wake = undefined;
    }
  }
}
