/** One FactBatch waiting to be sent. */
export interface QueuedBatch {
  /** Batch id, also the `Nats-Msg-Id` of every publish attempt. */
  readonly id: string;
  readonly kind: string;
  /** Facts in the batch (what `dropped` counts). */
  readonly count: number;
  /** Size it takes in the store. */
  readonly size: number;
}

/**
 * Where batches wait for delivery, in order: the on-disk outbox in
 * production, memory where nothing must survive a restart. Bounded: append
 * drops the oldest low-value batches first (never the head, which may be in
 * flight) and says how many facts it dropped.
 */
export interface BatchStore<B extends QueuedBatch = QueuedBatch> {
  append(batch: { id: string; kind: string; count: number; bytes: Uint8Array }): number;
  head(): B | undefined;
  lastEntry(): B | undefined;
  /** true when `a` was appended before `b` (or is `b`). */
  atOrBefore(a: B, b: B): boolean;
  read(batch: B): Uint8Array;
  /** The head was delivered: forget it. */
  ack(batch: B): void;
  /** Makes what is queued durable, where the store can. */
  sync(): void;
  close(): void;
  readonly queuedBatches: number;
  readonly queuedBytes: number;
}

interface MemoryBatch extends QueuedBatch {
  readonly seq: number;
  readonly bytes: Uint8Array;
}

/** A store in memory with the outbox's bound and drop order. */
export class MemoryBatchStore implements BatchStore<MemoryBatch> {
  readonly #entries: MemoryBatch[] = [];
  #bytes = 0;
  #seq = 0;

  constructor(private readonly options: { maxBytes: number; lowValueKinds: ReadonlySet<string> }) {}

  append(batch: { id: string; kind: string; count: number; bytes: Uint8Array }): number {
    this.#entries.push({ id: batch.id, kind: batch.kind, count: batch.count, size: batch.bytes.length, bytes: batch.bytes, seq: this.#seq++ });
    this.#bytes += batch.bytes.length;
    let dropped = 0;
    for (const pick of [(b: MemoryBatch) => this.options.lowValueKinds.has(b.kind), () => true]) {
      for (let i = 1; i < this.#entries.length && this.#bytes > this.options.maxBytes; ) {
        const entry = this.#entries[i]!;
        if (!pick(entry)) {
          i++;
          continue;
        }
        this.#entries.splice(i, 1);
        this.#bytes -= entry.size;
        dropped += entry.count;
      }
    }
    return dropped;
  }

  head(): MemoryBatch | undefined {
    return this.#entries[0];
  }

  lastEntry(): MemoryBatch | undefined {
    return this.#entries.at(-1);
  }

  atOrBefore(a: MemoryBatch, b: MemoryBatch): boolean {
    return a.seq <= b.seq;
  }

  read(batch: MemoryBatch): Uint8Array {
    return batch.bytes;
  }

  ack(batch: MemoryBatch): void {
    if (this.#entries[0] !== batch) return;
    this.#entries.shift();
    this.#bytes -= batch.size;
  }

  sync(): void {}

  close(): void {}

  get queuedBatches(): number {
    return this.#entries.length;
  }

  get queuedBytes(): number {
    return this.#bytes;
  }
}
