import type { NatsConnection, QueuedIterator } from '@nats-io/nats-core';
import type { KV, KvWatchEntry } from '@nats-io/kv';
import { ensureKv } from '../distribution/buckets.js';
import type { ContextEntry } from './context-cache.js';

/**
 * Where engine replicas keep the latest fact per container, image and host,
 * so that each can judge a runtime event with what another one saw.
 */
export interface ContextStore {
  /**
   * Hands every entry held now to `onEntries`, resolves, then keeps handing
   * over changes (every replica's writes, this one's included) until close().
   */
  open(onEntries: (entries: ContextEntry[]) => void): Promise<void>;
  /** Stores the latest fact under its key; best effort, never throws. */
  put(key: string, value: Uint8Array): void;
  close(): Promise<void>;
}

/** What the store reports through: a pino logger, or anything with its warn and debug. */
export interface ContextLogger {
  warn(details: object, message: string): void;
  debug(details: object, message: string): void;
}

export const CONTEXT_BUCKET = 'vigil-context';
/** A container, image or host not reported for this long is forgotten (collectors report them again on change and at start). */
export const CONTEXT_MAX_AGE_MS = 24 * 3_600_000;
/** How long an engine waits at start for the context held to reach its workers. */
const INITIAL_LOAD_MS = 10_000;

/**
 * The KV bucket `vigil-context`: one key per subject, no history, entries
 * expiring after a day. Watched from its current values on: every replica
 * converges on the last write of each key.
 */
export class KvContextStore implements ContextStore {
  private watcher: QueuedIterator<KvWatchEntry> | undefined;
  private loop: Promise<void> | undefined;

  private constructor(
    private readonly kv: KV,
    private readonly logger: ContextLogger,
  ) {}

  static async open(nc: NatsConnection, logger: ContextLogger, options: { replicas?: number } = {}): Promise<KvContextStore> {
    const kv = await ensureKv(nc, CONTEXT_BUCKET, {
      history: 1,
      ttl: CONTEXT_MAX_AGE_MS,
      ...(options.replicas ? { replicas: options.replicas } : {}),
      description: 'Vigil context: the latest container, image and host fact by id',
    });
    return new KvContextStore(kv, logger);
  }

  async open(onEntries: (entries: ContextEntry[]) => void): Promise<void> {
    const held = (await this.kv.status()).values;
    this.watcher = await this.kv.watch({ key: '>' });
    const watcher = this.watcher;
    let initial: ContextEntry[] = [];
    let loaded!: () => void;
    const ready = new Promise<void>((resolve) => (loaded = resolve));
    let loading = held > 0;
    if (!loading) loaded();
    this.loop = (async () => {
      for await (const entry of watcher) {
        const change: ContextEntry = [entry.key, entry.operation === 'PUT' ? entry.value : null];
        if (loading) {
          initial.push(change);
          if ((entry.delta ?? 0) === 0) {
            loading = false;
            onEntries(initial);
            initial = [];
            loaded();
          }
        } else onEntries([change]);
      }
    })().catch((error: unknown) => {
      this.logger.warn({ err: error }, 'context watch ended; runtime events are judged with the context held so far');
      loaded();
    });
    // A watch that never reports the end of the current values must not keep the engine from starting.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ready, new Promise<void>((resolve) => (timer = setTimeout(resolve, INITIAL_LOAD_MS)))]);
    clearTimeout(timer);
    if (loading) {
      this.logger.warn({ held, loaded: initial.length }, 'context not fully loaded at start; the rest follows as it arrives');
      loading = false;
      onEntries(initial);
      initial = [];
    }
  }

  put(key: string, value: Uint8Array): void {
    this.kv.put(key, value).catch((error: unknown) => this.logger.debug({ err: error, key }, 'context not stored'));
  }

  async close(): Promise<void> {
    this.watcher?.stop();
    await this.loop;
  }
}

/** In memory, for an engine without NATS (tests, replays): what is put is handed over at once. */
export class MemoryContextStore implements ContextStore {
  private onEntries: ((entries: ContextEntry[]) => void) | undefined;
  readonly entries = new Map<string, Uint8Array>();

  async open(onEntries: (entries: ContextEntry[]) => void): Promise<void> {
    this.onEntries = onEntries;
    onEntries([...this.entries]);
  }

  put(key: string, value: Uint8Array): void {
    this.entries.set(key, value);
    this.onEntries?.([[key, value]]);
  }

  async close(): Promise<void> {
    this.onEntries = undefined;
  }
}
