import type { NatsConnection, QueuedIterator } from '@nats-io/nats-core';
import type { KV, KvEntry, KvWatchEntry } from '@nats-io/kv';
import { VigilEngineError } from '../errors.js';
import { ensureKv, isWrongRevision } from './buckets.js';
import { distributionSubjects, publishEvent } from './events.js';

/**
 * Data documents from a NATS KV bucket (`vigil-data`): key `exceptions` holds the
 * JSON of `data.vigil.exceptions`, and so on. The engine lays the overlay over
 * the bundle's data.json: a document replaces the bundle's whole document of
 * that name, except `config`, whose keys replace the bundle's keys one by one.
 */
export const DATA_BUCKET = 'vigil-data';

/** The documents that may be overlaid, with the JSON type each must have. */
export const DATA_DOCUMENTS = {
  config: 'object',
  exceptions: 'array',
  profiles: 'object',
  vulnerabilities: 'array',
} as const;
export type DataKey = keyof typeof DATA_DOCUMENTS;

/** What the evaluator takes as its data overlay: `{vigil: {exceptions: [...], ...}}`. */
export interface DataOverlay {
  vigil: Partial<Record<DataKey, unknown>>;
}

/**
 * The operator's own overlay with the KV documents laid over it, document by
 * document under `vigil`: a document in the bucket replaces the operator's
 * document of that name and leaves the others.
 */
export function withDataDocuments(operator: Record<string, unknown>, documents: DataOverlay): Record<string, unknown> {
  const own = (operator.vigil as Record<string, unknown> | undefined) ?? {};
  return { ...operator, vigil: { ...own, ...documents.vigil } };
}

export function isDataKey(key: string): key is DataKey {
  return Object.hasOwn(DATA_DOCUMENTS, key);
}

/** Parses and type-checks one document; throws VIGIL_ERR_DATA_INVALID. */
export function parseDataDocument(key: string, bytes: Uint8Array | string): unknown {
  if (!isDataKey(key)) {
    throw new VigilEngineError('VIGIL_ERR_DATA_INVALID', [key, `unknown document; expected one of ${Object.keys(DATA_DOCUMENTS).join(', ')}`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes));
  } catch (error) {
    throw new VigilEngineError('VIGIL_ERR_DATA_INVALID', [key, `not JSON: ${(error as Error).message}`], { cause: error });
  }
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (actual !== DATA_DOCUMENTS[key]) {
    throw new VigilEngineError('VIGIL_ERR_DATA_INVALID', [key, `expected a JSON ${DATA_DOCUMENTS[key]} (actual: ${actual})`]);
  }
  return value;
}

export interface DataStoreOptions {
  nc: NatsConnection;
  /** Default `vigil-data`. */
  bucket?: string;
}

/** Reads and writes data documents; every write is checked first. */
const MAX_UPDATE_ATTEMPTS = 20;

export class DataStore {
  private constructor(
    private readonly kv: KV,
    readonly bucket: string,
  ) {}

  static async open(options: DataStoreOptions): Promise<DataStore> {
    const bucket = options.bucket ?? DATA_BUCKET;
    return new DataStore(await openDataKv(options.nc, bucket), bucket);
  }

  /** Stores a document given as JSON text or bytes, after checking it; returns the KV revision. */
  async put(key: string, json: string | Uint8Array): Promise<number> {
    parseDataDocument(key, json);
    return this.kv.put(key, json);
  }

  /**
   * Read, change, write back if nobody wrote in between; otherwise again.
   * `change` gets the parsed document (undefined when there is none) and
   * returns the new one as JSON text, or undefined to leave it as it is.
   */
  async update(key: string, change: (current: unknown) => string | undefined): Promise<number | undefined> {
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      const entry = await this.kv.get(key);
      const held = entry !== null && entry.operation === 'PUT';
      const next = change(held ? parseDataDocument(key, entry.value) : undefined);
      if (next === undefined) return undefined;
      parseDataDocument(key, next);
      try {
        return held ? await this.kv.update(key, next, entry.revision) : await this.kv.create(key, next);
      } catch (error) {
        if (!isWrongRevision(error)) throw error;
      }
    }
    throw new VigilEngineError('VIGIL_ERR_DATA_CONFLICT', [key, String(MAX_UPDATE_ATTEMPTS)]);
  }

  /** The parsed document, or undefined when the key holds nothing. */
  async get(key: string): Promise<{ value: unknown; revision: number } | undefined> {
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== 'PUT') return undefined;
    return { value: parseDataDocument(key, entry.value), revision: entry.revision };
  }

  async delete(key: string): Promise<void> {
    await this.kv.delete(key);
  }

  async keys(): Promise<string[]> {
    return keysOf(this.kv);
  }
}

function openDataKv(nc: NatsConnection, bucket: string): Promise<KV> {
  return ensureKv(nc, bucket, { history: 5, description: 'Vigil data documents: key → JSON under data.vigil' });
}

async function keysOf(kv: KV): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of await kv.keys()) keys.push(key);
  return keys.sort();
}

export type DataEvent =
  | { type: 'loaded'; overlay: DataOverlay; revision: number; changed: string[] }
  | { type: 'rejected'; key: string; revision: number; code: string; error: string };

export interface DataWatchOptions extends DataStoreOptions {
  /** Where rejections are published; default `vigil.events.data.rejected`, false for nowhere. */
  eventsSubject?: string | false;
}

export interface DataWatch extends AsyncIterable<DataEvent> {
  stop(): Promise<void>;
}

/**
 * Yields the merged overlay once at start (even when the bucket is empty) and
 * again on every change. A value that is not valid JSON of the right type is
 * `rejected` (and published on `vigil.events.data.rejected`); that key keeps its
 * previous value. A deleted key leaves the overlay, so the bundle's own
 * document applies again.
 *
 *   for await (const event of watchData({ nc })) {
 *     if (event.type === 'loaded') await engine.replaceData(event.overlay);
 *   }
 */
export function watchData(options: DataWatchOptions): DataWatch {
  const subject = options.eventsSubject ?? distributionSubjects.dataRejected;
  const values = new Map<string, unknown>();
  const seen = new Map<string, number>(); // key → KV revision applied (or refused)
  let updates: QueuedIterator<KvWatchEntry> | undefined;
  let stopped = false;
  let revision = 0;

  const overlay = (): DataOverlay => ({ vigil: Object.fromEntries([...values].sort(([a], [b]) => (a < b ? -1 : 1))) });

  /** Applies one entry; returns the rejection when the value is refused. */
  const apply = (entry: KvEntry, bucket: string): DataEvent | undefined => {
    seen.set(entry.key, entry.revision);
    revision = Math.max(revision, entry.revision);
    if (entry.operation !== 'PUT') {
      values.delete(entry.key);
      return undefined;
    }
    try {
      values.set(entry.key, parseDataDocument(entry.key, entry.value));
      return undefined;
    } catch (error) {
      const e = error as VigilEngineError;
      if (subject !== false) {
        publishEvent(options.nc, subject, { bucket, key: entry.key, revision: entry.revision, code: e.code, error: e.message, at: new Date().toISOString() });
      }
      return { type: 'rejected', key: entry.key, revision: entry.revision, code: e.code, error: e.message };
    }
  };

  async function* events(): AsyncGenerator<DataEvent, void, undefined> {
    const bucket = options.bucket ?? DATA_BUCKET;
    const kv = await openDataKv(options.nc, bucket);
    // Snapshot, then every change after the stream position taken before it.
    // Entries the snapshot already holds come again and are skipped by revision.
    const since = (await kv.status()).streamInfo.state.last_seq;
    const rejected: DataEvent[] = [];
    for (const key of await keysOf(kv)) {
      const entry = await kv.get(key);
      if (!entry) continue;
      const refusal = apply(entry, bucket);
      if (refusal) rejected.push(refusal);
    }
    yield* rejected;
    yield { type: 'loaded', overlay: overlay(), revision, changed: [...values.keys()].sort() };
    if (stopped) return;
    updates = await kv.watch({ resumeFromRevision: since + 1 });
    if (stopped) updates.stop();
    for await (const entry of updates) {
      if ((seen.get(entry.key) ?? 0) >= entry.revision) continue;
      const refusal = apply(entry, bucket);
      yield refusal ?? { type: 'loaded', overlay: overlay(), revision, changed: [entry.key] };
    }
  }

  const generator = events();
  return {
    [Symbol.asyncIterator]: () => generator,
    stop: async () => {
      stopped = true;
      updates?.stop();
      await generator.return(undefined);
    },
  };
}
