import type { AlertLedger, Claim, OrphanAggregate } from './ledger.js';

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

  async claim(key: string, alertId: string, now: number, windowMs: number): Promise<Claim> {
    const held = this.claims.get(key);
    if (held?.id === alertId) return held.published ? 'published' : 'first';
    if (held !== undefined && now - held.at < windowMs) return 'taken';
    this.claims.set(key, { id: alertId, at: now, published: false });
    return 'first';
  }

  async published(key: string, alertId: string): Promise<void> {
    const held = this.claims.get(key);
    if (held?.id === alertId) held.published = true;
  }

  async save(windowId: string, aggregate: Uint8Array): Promise<void> {
    this.checkpoints.set(`${this.owner}.${windowId}`, aggregate);
  }

  async forget(windowId: string): Promise<void> {
    this.checkpoints.delete(`${this.owner}.${windowId}`);
  }

  async orphans(before: number, live: ReadonlySet<string>): Promise<OrphanAggregate[]> {
    const found: OrphanAggregate[] = [];
    for (const [entry, aggregate] of this.checkpoints) {
      const [owner, hash, endsAt] = entry.split('.');
      if (owner === this.owner && live.has(`${hash}.${endsAt}`)) continue;
      if (Number(endsAt) < before) found.push({ entry, aggregate });
    }
    return found;
  }

  async drop(entry: string): Promise<void> {
    this.checkpoints.delete(entry);
  }
}
