import type { QueuedIterator } from '@nats-io/nats-core';
import type { KvWatchEntry } from '@nats-io/kv';
import type { Logger } from 'pino';
import { addItem, CONFIGURATION_CATEGORIES, hasItem, newProfile, profileData, type Observation, type Profile, type ProfileCategory, type ProfileData, type ProfileItem } from './model.js';
import type { ProfileStore } from './store.js';

export interface ProfileLearnerOptions {
  store: ProfileStore;
  /** Observed activity after which a new profile enforces on its own. */
  learnWindowMs: number;
  /** How often pending observations are written (default 1 s). */
  flushMs?: number;
  logger: Logger;
  /** Called with every enforcing profile whenever that set or a version in it changes. */
  onEnforcing?: (profiles: Record<string, ProfileData>) => void;
}

interface Pending {
  items: Map<string, { category: ProfileCategory; key: string; item: ProfileItem }>;
  active: boolean;
}

/**
 * Folds what the engine's workers observed into the workloads' profiles, in
 * batches: per workload one compare-and-set per flush, never one write per
 * event. Items the profile already holds for that replica and host are not
 * written again; an enforcing profile takes no new items (they are drift,
 * judged by the drift rules, and enter only by `vigil profile approve`).
 *
 * Activity time is kept in the profile itself (`active_s`, `last_active_ms`):
 * each write adds the time since the previous write by any engine, capped, so
 * two engines learning one workload count its activity once, not twice.
 */
export class ProfileLearner {
  private readonly known = new Map<string, Profile>();
  private readonly pending = new Map<string, Pending>();
  private readonly lastActivityWrite = new Map<string, number>();
  private readonly flushMs: number;
  private readonly activityWriteMs: number;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private watch: QueuedIterator<KvWatchEntry> | undefined;
  private enforcingSignature = '';

  constructor(private readonly options: ProfileLearnerOptions) {
    this.flushMs = options.flushMs ?? 1000;
    this.activityWriteMs = Math.max(this.flushMs, Math.min(5000, options.learnWindowMs / 4));
  }

  /** Loads every profile, follows changes, and starts the flush timer. */
  async start(): Promise<void> {
    const invalid = (workload: string, error: Error): void => this.options.logger.warn({ workload, err: error }, 'stored profile is invalid; ignored');
    const { profiles, since } = await this.options.store.snapshot(invalid);
    for (const [workload, profile] of profiles) this.known.set(workload, profile);
    this.announce();
    this.watch = await this.options.store.follow(since, (workload, profile) => this.setKnown(workload, profile), invalid);
    this.timer = setInterval(() => {
      this.flushing = this.flushing.then(() => this.flush()).catch((error: unknown) => this.options.logger.warn({ err: error }, 'profile update failed; retried at the next flush'));
    }, this.flushMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flushing;
    await this.flush().catch((error: unknown) => this.options.logger.warn({ err: error }, 'last profile update failed'));
    this.watch?.stop();
  }

  profile(workload: string): Profile | undefined {
    return this.known.get(workload);
  }

  /** The enforcing profiles as Rego sees them. */
  enforcing(): Record<string, ProfileData> {
    const out: Record<string, ProfileData> = {};
    for (const [workload, profile] of this.known) if (profile.state === 'enforcing') out[workload] = profileData(profile);
    return out;
  }

  observe(observations: readonly Observation[]): void {
    for (const o of observations) {
      const profile = this.known.get(o.workload);
      if (profile?.state === 'enforcing') continue;
      let pending = this.pending.get(o.workload);
      if (!pending) this.pending.set(o.workload, (pending = { items: new Map(), active: false }));
      if (o.category === 'activity') {
        pending.active = true;
        continue;
      }
      if (!CONFIGURATION_CATEGORIES.has(o.category)) pending.active = true;
      if (profile && hasItem(profile, o.category, o.key) && this.seenBy(profile, o)) continue;
      const id = `${o.category}\u0000${o.key}`;
      const entry = pending.items.get(id);
      if (!entry) {
        pending.items.set(id, { category: o.category, key: o.key, item: { replicas: [o.replica], hosts: [o.host], first_seen: o.at, last_seen: o.at, ...(o.origin ? { origin: o.origin } : {}) } });
        continue;
      }
      const item = entry.item;
      if (!item.replicas.includes(o.replica)) item.replicas.push(o.replica);
      if (!item.hosts.includes(o.host)) item.hosts.push(o.host);
      if (o.origin && !item.origin) item.origin = o.origin;
      item.first_seen = Math.min(item.first_seen, o.at);
      item.last_seen = Math.max(item.last_seen, o.at);
    }
  }

  private seenBy(profile: Profile, o: Observation): boolean {
    const item = profile.items[o.category as ProfileCategory][o.key];
    // A pattern item (reads/writes) counts as seen; exact items must list this replica and host.
    return item === undefined || (item.replicas.includes(o.replica) && item.hosts.includes(o.host));
  }

  /** Writes what is pending: one compare-and-set per workload. */
  async flush(): Promise<void> {
    const now = Date.now();
    for (const [workload, pending] of [...this.pending]) {
      const activityDue = pending.active && now - (this.lastActivityWrite.get(workload) ?? 0) >= this.activityWriteMs;
      if (pending.items.size === 0 && !activityDue) continue;
      this.pending.delete(workload);
      const windowS = this.options.learnWindowMs / 1000;
      const updated = await this.options.store.update(workload, (current) => {
        const profile = current ?? newProfile(workload, windowS, now);
        if (profile.state === 'enforcing') return undefined;
        let changed = current === undefined;
        for (const { category, key, item } of pending.items.values()) changed = addItem(profile, category, key, item) || changed;
        if (pending.active) {
          if (profile.last_active_ms > 0) profile.active_s += Math.min(Math.max(0, now - profile.last_active_ms), 2 * this.activityWriteMs) / 1000;
          profile.last_active_ms = now;
          changed = true;
        }
        if (profile.active_s >= profile.learn_window_s) {
          profile.state = 'enforcing';
          profile.enforcing_since_ms = now;
        }
        return changed ? profile : undefined;
      });
      if (pending.active) this.lastActivityWrite.set(workload, now);
      if (updated) {
        if (updated.state === 'enforcing' && this.known.get(workload)?.state !== 'enforcing') {
          this.options.logger.info({ workload, version: updated.version, active_s: updated.active_s }, 'profile learned: now enforcing');
        }
        this.setKnown(workload, updated);
      }
    }
  }

  private setKnown(workload: string, profile: Profile | undefined): void {
    const known = this.known.get(workload);
    if (profile === undefined) this.known.delete(workload);
    else if (!known || profile.version >= known.version) this.known.set(workload, profile);
    this.announce();
  }

  private announce(): void {
    const signature = [...this.known]
      .filter(([, p]) => p.state === 'enforcing')
      .map(([w, p]) => `${w}@${p.version}`)
      .sort()
      .join('\n');
    if (signature === this.enforcingSignature) return;
    this.enforcingSignature = signature;
    this.options.onEnforcing?.(this.enforcing());
  }
}
