import crypto from 'node:crypto';
import type { NatsConnection } from '@nats-io/nats-core';
import type { KV } from '@nats-io/kv';
import { ensureKv } from '../distribution/buckets.js';

/** What a claim on a key's first alert found. */
export type Claim =
  /** This engine publishes the key's first alert (or publishes it again: its own, redelivered). */
  | 'first'
  /** Another alert of the key was claimed within the window: count this one into the aggregate. */
  | 'taken'
  /** This very alert was claimed and published before (its fact was redelivered): publish nothing. */
  | 'published';

/** A claim's outcome and, for a first alert, how to record that it was stored. */
export interface ClaimResult {
  claim: Claim;
  /** The claimed alert was stored: a redelivery of its fact publishes nothing. Only for 'first'. */
  published(): Promise<void>;
}

/** A checkpointed aggregate that no running engine will publish. */
export interface OrphanAggregate {
  entry: string;
  aggregate: Uint8Array;
}

/**
 * What engine replicas share about alert throttling, where a crash cannot
 * lose it: who published each key's first alert and when, and every open
 * window's aggregate so far.
 */
export interface AlertLedger {
  /** Claims the first alert of `key` for the window that starts `now` (epoch ms). */
  claim(key: string, alertId: string, now: number, windowMs: number): Promise<ClaimResult>;
  /** Keeps a window's aggregate so far; resolves once stored. */
  save(windowId: string, aggregate: Uint8Array): Promise<void>;
  /** The window's aggregate was published: drop its checkpoint. */
  forget(windowId: string): Promise<void>;
  /**
   * Checkpoints whose windows ended before `before` (epoch ms) and that this
   * engine does not hold open (`live`): an engine died before publishing them.
   */
  orphans(before: number, live: ReadonlySet<string>): Promise<OrphanAggregate[]>;
  /** Drops a recovered orphan once its aggregate is stored. */
  drop(entry: string): Promise<void>;
}

/**
 * Whether the checkpoint `<owner>.<key hash>.<window end>` is an orphan for
 * engine `self`: its window ended before `before`, and it is not one `self`
 * still holds open.
 */
export function isOrphan(checkpoint: string, self: string, before: number, live: ReadonlySet<string>): boolean {
  const [owner, hash, endsAt] = checkpoint.split('.');
  if (owner === self && live.has(`${hash}.${endsAt}`)) return false;
  return Number(endsAt) < before;
}

const NOTHING_TO_MARK = async (): Promise<void> => {};

export const ALERT_LEDGER_BUCKET = 'vigil-alert-ledger';
/** Twice the alert stream's duplicate window, which bounds a throttle window: room for a window, its grace and recovery. */
const LEDGER_MAX_AGE_MS = 20 * 60 * 1000;
const CLAIM_ATTEMPTS = 5;

interface ClaimRecord {
  id: string;
  at: number;
  published?: boolean;
}

const hashOf = (key: string): string => crypto.hash('sha256', key, 'hex').slice(0, 32);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The ledger in a NATS KV bucket. A claim is a compare-and-set on
 * `first.<key hash>`, so two replicas can never both publish a key's first
 * alert within a window, wherever the window's edges fall. Checkpoints are
 * `agg.<owner>.<window id>`, the window id ending in the window's end, so any
 * replica can tell an orphan from a window still open.
 */
export class KvAlertLedger implements AlertLedger {
  private constructor(
    private readonly kv: KV,
    private readonly owner: string,
  ) {}

  static async open(nc: NatsConnection, options: { replicas?: number; owner?: string } = {}): Promise<KvAlertLedger> {
    const kv = await ensureKv(nc, ALERT_LEDGER_BUCKET, {
      history: 1,
      ttl: LEDGER_MAX_AGE_MS,
      replicas: options.replicas ?? 1,
      description: 'Vigil alert throttling: first-alert claims and open windows\' aggregates',
    });
    return new KvAlertLedger(kv, options.owner ?? crypto.randomBytes(8).toString('hex'));
  }

  async claim(key: string, alertId: string, now: number, windowMs: number): Promise<ClaimResult> {
    const entryKey = `first.${hashOf(key)}`;
    const held: ClaimRecord = { id: alertId, at: now };
    // The claim's revision is kept, so marking it published costs one write, not a read and a write.
    const claimed = (record: ClaimRecord, revision: number): ClaimResult => ({
      claim: 'first',
      published: async () => {
        await this.kv.update(entryKey, encoder.encode(JSON.stringify({ ...record, published: true })), revision);
      },
    });
    for (let attempt = 1; ; attempt++) {
      const entry = await this.kv.get(entryKey);
      try {
        if (entry === null || entry.operation !== 'PUT') return claimed(held, await this.kv.create(entryKey, encoder.encode(JSON.stringify(held))));
        const other = JSON.parse(decoder.decode(entry.value)) as ClaimRecord;
        if (other.id === alertId) return other.published === true ? { claim: 'published', published: NOTHING_TO_MARK } : claimed(other, entry.revision);
        if (now - other.at < windowMs) return { claim: 'taken', published: NOTHING_TO_MARK };
        return claimed(held, await this.kv.update(entryKey, encoder.encode(JSON.stringify(held)), entry.revision));
      } catch (error) {
        // Another replica changed the entry between the read and the write: read it again.
        if (attempt >= CLAIM_ATTEMPTS || !/wrong last sequence|key exists/i.test(String((error as Error)?.message))) throw error;
      }
    }
  }

  async save(windowId: string, aggregate: Uint8Array): Promise<void> {
    await this.kv.put(`agg.${this.owner}.${windowId}`, aggregate);
  }

  async forget(windowId: string): Promise<void> {
    await this.kv.purge(`agg.${this.owner}.${windowId}`);
  }

  async orphans(before: number, live: ReadonlySet<string>): Promise<OrphanAggregate[]> {
    const found: OrphanAggregate[] = [];
    for await (const entry of await this.kv.keys('agg.>')) {
      if (!isOrphan(entry.slice('agg.'.length), this.owner, before, live)) continue;
      const stored = await this.kv.get(entry);
      if (stored !== null && stored.operation === 'PUT') found.push({ entry, aggregate: stored.value });
    }
    return found;
  }

  async drop(entry: string): Promise<void> {
    await this.kv.purge(entry);
  }
}
