import { isOrphan, type AlertLedger, type ClaimResult, type OrphanAggregate } from './ledger.js';

/**
 * The alert ledger in memory, for one process: tests and replays. Engines
 * sharing one instance behave as replicas sharing the KV ledger.
 */
export class MemoryAlertLedger implements AlertLedger {
  constructor(
    private readonly owner = 'memory',
    readonly claims = new Map<string, { id: string; at: number; published: boolean }>(),
    /** By `<owner>.<window id>`. */
    readonly checkpoints = new Map<string, Uint8Array>(),
  ) {}

  /** Another engine sharing this ledger's entries, under its own owner name. */
  replica(owner: string): MemoryAlertLedger {
    return new MemoryAlertLedger(owner, this.claims, this.checkpoints);
  }

  async claim(key: string, alertId: string, now: number, windowMs: number): Promise<ClaimResult> {
    const held = this.claims.get(key);
    const first = (record: { published: boolean }): ClaimResult => ({
      claim: 'first',
      published: async () => {
        record.published = true;
      },
    });
    if (held?.id === alertId) return held.published ? { claim: 'published', published: async () => {} } : first(held);
    if (held !== undefined && now - held.at < windowMs) return { claim: 'taken', published: async () => {} };
    const record = { id: alertId, at: now, published: false };
    this.claims.set(key, record);
    return first(record);
  }

  async save(windowId: string, aggregate: Uint8Array): Promise<void> {
    this.checkpoints.set(`${this.owner}.${windowId}`, aggregate);
  }

  async forget(windowId: string): Promise<void> {
    this.checkpoints.delete(`${this.owner}.${windowId}`);
  }

  async orphans(before: number, live: ReadonlySet<string>): Promise<OrphanAggregate[]> {
    const found: OrphanAggregate[] = [];
    for (const [entry, aggregate] of this.checkpoints) if (isOrphan(entry, this.owner, before, live)) found.push({ entry, aggregate });
    return found;
  }

  async drop(entry: string): Promise<void> {
    this.checkpoints.delete(entry);
  }
}
