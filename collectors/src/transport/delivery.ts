import { isFactKind } from '../../../proto/src/index.js';
import type { BatchStore, QueuedBatch } from './batch-store.js';
import type { BatchTransport } from './batch-transport.js';
import { CollectorError } from '../errors.js';

export interface DeliveryOptions<B extends QueuedBatch> {
  store: BatchStore<B>;
  transport: BatchTransport;
  /** Names the queue in errors (the outbox directory, or "memory"). */
  name: string;
  /** Retry backoff, doubling from min to max. */
  backoffMs: { min: number; max: number };
  /** Told of each batch refused because its kind is unknown (VIGIL_ERR_OUTBOX_UNKNOWN_KIND). */
  onRefused?: (error: CollectorError) => void;
  /** Called whenever the sender is free again, so batching can send what gathered. */
  onIdle?: () => void;
}

export interface DeliveryStats {
  queuedBatches: number;
  queuedBytes: number;
  /** Facts acknowledged by the transport. */
  published: number;
  /** Facts dropped because the store was full. */
  dropped: number;
  /** Failed send attempts that were retried. */
  retries: number;
  /** Facts of a batch whose kind this version does not know (a store a newer collector wrote): never sent. */
  refused: number;
}

/**
 * Retry as a decorator between a store and a transport: one sender sends the
 * head batch, again and again with the same id and a doubling backoff, until
 * the transport takes it; then the next. Order is the store's.
 */
export class Delivery<B extends QueuedBatch = QueuedBatch> {
  readonly #options: DeliveryOptions<B>;
  readonly #counters = { published: 0, dropped: 0, retries: 0, refused: 0 };
  readonly #waiters = new Set<() => void>();
  #lastError: unknown;
  #stopping = false;
  #wakeUp: (() => void) | undefined;
  readonly #loop: Promise<void>;

  constructor(options: DeliveryOptions<B>) {
    this.#options = options;
    this.#loop = this.#run();
  }

  /** Queues a batch for delivery after the ones before it. */
  enqueue(batch: { id: string; kind: string; count: number; bytes: Uint8Array }): void {
    this.#counters.dropped += this.#options.store.append(batch);
    this.#wakeUp?.();
    this.#notify();
  }

  /** Nothing queued or in flight. */
  idle(): boolean {
    return this.#options.store.head() === undefined;
  }

  /** Resolves when everything queued so far is delivered; rejects after `timeoutMs` if given, naming the last error. */
  async flush(timeoutMs?: number): Promise<void> {
    const { store } = this.#options;
    store.sync();
    const target = store.lastEntry();
    if (target === undefined) return;
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        const head = store.head();
        if (head === undefined || !store.atOrBefore(head, target)) {
          clearTimeout(timer);
          this.#waiters.delete(check);
          resolve();
        }
      };
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.#waiters.delete(check);
              reject(new CollectorError('VIGIL_ERR_OUTBOX_FLUSH_TIMEOUT', [this.#options.name, String(store.queuedBatches), String(timeoutMs), describe(this.#lastError)]));
            }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  /** Stops the sender; what is queued stays in the store. */
  async close(): Promise<void> {
    this.#stopping = true;
    this.#wakeUp?.();
    await this.#loop;
    this.#options.store.close();
  }

  stats(): DeliveryStats {
    const { store } = this.#options;
    return { queuedBatches: store.queuedBatches, queuedBytes: store.queuedBytes, ...this.#counters };
  }

  async #run(): Promise<void> {
    const { store, transport, backoffMs } = this.#options;
    let delay = backoffMs.min;
    while (!this.#stopping) {
      const entry = store.head();
      if (entry === undefined) {
        await new Promise<void>((resolve) => (this.#wakeUp = resolve));
        this.#wakeUp = undefined;
        continue;
      }
      if (!isFactKind(entry.kind)) {
        // Its subject would be a guess, and a wrong one misleads every consumer: refuse it.
        this.#lastError = new CollectorError('VIGIL_ERR_OUTBOX_UNKNOWN_KIND', [this.#options.name, entry.id, entry.kind, String(entry.count)]);
        this.#options.onRefused?.(this.#lastError as CollectorError);
        store.ack(entry);
        this.#counters.refused += entry.count;
        this.#notify();
        continue;
      }
      try {
        await transport.send(entry.kind, store.read(entry), entry.id);
        store.ack(entry);
        this.#counters.published += entry.count;
        delay = backoffMs.min;
        if (store.head() === undefined) this.#options.onIdle?.();
        this.#notify();
      } catch (error) {
        this.#lastError = error;
        this.#counters.retries++;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.#wakeUp = () => {
            if (this.#stopping) {
              clearTimeout(timer);
              resolve();
            }
          };
        });
        this.#wakeUp = undefined;
        delay = Math.min(delay * 2, backoffMs.max);
      }
    }
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** An error for a message, with its cause (a NATS request error wraps the permission violation). */
function describe(error: unknown): string {
  if (error === undefined) return 'none';
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${message}${cause}`;
}
