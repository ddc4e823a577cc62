import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { decodeFactBatch, ENGINE_CONSUMER, factKindOf, RUNTIME_KINDS, streams, subjects, type FactInit } from '../../../proto/src/index.js';
import { BundleStore } from '../distribution/store.js';

const RATE_WINDOW_MS = 60_000;
const RUNTIME: ReadonlySet<string> = new Set(RUNTIME_KINDS);

interface CollectorSeen {
  host: string;
  collector: string;
  version: string;
  lastFactMs: number;
  facts: number;
  /** Where its runtime events came from (ebpf, procfs, gvisor, falco, tetragon). */
  sources: Set<string>;
  recent: Array<[atMs: number, facts: number]>;
}

export interface FleetSnapshot {
  hosts: Array<{
    host: string;
    collectors: Array<{ collector: string; version: string; last_fact: string; facts: number; facts_per_s: number; sources: string[] }>;
  }>;
  engine: { consumer: string; pending: number; ack_pending: number; waiting_pulls: number; redelivered: number } | { error: string };
  dead_letters: Array<{ reason: string; count: number }>;
  bundles: Array<{ name: string; revision: string; digest: string; verified: boolean; pushed_at: string }>;
}

/**
 * What the console shows of the fleet, read from NATS: collectors from the
 * facts they publish (a core subscription beside the engine's consumer: it
 * takes nothing from the work queue), the engines' shared consumer, dead
 * letters by reason and the bundles in force.
 */
export class FleetView {
  private readonly seen = new Map<string, CollectorSeen>();
  private sub: Subscription | undefined;
  private bundleStore: Promise<BundleStore> | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
  ) {}

  static async start(nc: NatsConnection): Promise<FleetView> {
    const view = new FleetView(nc, await jetstreamManager(nc));
    view.sub = nc.subscribe(subjects.allFacts, {
      callback: (_error, msg) => {
        try {
          view.record(decodeFactBatch(msg.data).facts as FactInit[]);
        } catch {
          // Not a FactBatch: the engine dead-letters it; nothing to count here.
        }
      },
    });
    return view;
  }

  record(facts: FactInit[], now = Date.now()): void {
    for (const fact of facts) {
      const host = fact.source?.host ?? '';
      const collector = fact.source?.collector ?? '';
      const key = `${host}\u0000${collector}`;
      let entry = this.seen.get(key);
      if (!entry) {
        entry = { host, collector, version: fact.source?.version ?? '', lastFactMs: 0, facts: 0, sources: new Set(), recent: [] };
        this.seen.set(key, entry);
      }
      entry.facts++;
      entry.lastFactMs = now;
      const last = entry.recent.at(-1);
      if (last && now - last[0] < 1_000) last[1]++;
      else entry.recent.push([now, 1]);
      const kind = factKindOf(fact);
      if (kind && RUNTIME.has(kind)) {
        const source = (fact as Record<string, { source?: string } | undefined>)[kind]?.source;
        if (source) entry.sources.add(source);
      }
    }
  }

  async snapshot(now = Date.now()): Promise<FleetSnapshot> {
    const byHost = new Map<string, FleetSnapshot['hosts'][number]>();
    for (const entry of this.seen.values()) {
      entry.recent = entry.recent.filter(([at]) => now - at < RATE_WINDOW_MS);
      const inWindow = entry.recent.reduce((sum, [, n]) => sum + n, 0);
      const host = byHost.get(entry.host) ?? { host: entry.host, collectors: [] };
      host.collectors.push({
        collector: entry.collector,
        version: entry.version,
        last_fact: new Date(entry.lastFactMs).toISOString(),
        facts: entry.facts,
        facts_per_s: Math.round((inWindow / (RATE_WINDOW_MS / 1000)) * 100) / 100,
        sources: [...entry.sources].sort(),
      });
      byHost.set(entry.host, host);
    }
    const hosts = [...byHost.values()].sort((a, b) => a.host.localeCompare(b.host));
    for (const h of hosts) h.collectors.sort((a, b) => a.collector.localeCompare(b.collector));
    return { hosts, engine: await this.engine(), dead_letters: await this.deadLetters(), bundles: await this.bundles() };
  }

  private async engine(): Promise<FleetSnapshot['engine']> {
    try {
      const info = await this.jsm.consumers.info(streams.facts.name, ENGINE_CONSUMER);
      return { consumer: ENGINE_CONSUMER, pending: info.num_pending, ack_pending: info.num_ack_pending, waiting_pulls: info.num_waiting, redelivered: info.num_redelivered };
    } catch (error) {
      return { error: `no engine consumer yet (${(error as Error).message})` };
    }
  }

  private async deadLetters(): Promise<FleetSnapshot['dead_letters']> {
    try {
      const info = await this.jsm.streams.info(streams.deadLetters.name, { subjects_filter: '>' });
      const prefix = subjects.deadLetter('');
      return Object.entries(info.state.subjects ?? {})
        .map(([subject, count]) => ({ reason: subject.startsWith(prefix.slice(0, -1)) ? subject.slice(prefix.length - 1) : subject, count }))
        .sort((a, b) => b.count - a.count);
    } catch {
      return [];
    }
  }

  private async bundles(): Promise<FleetSnapshot['bundles']> {
    try {
      // Opened once: a snapshot is taken every few seconds per open page.
      this.bundleStore ??= BundleStore.open({ nc: this.nc });
      const store = await this.bundleStore.catch((error: unknown) => {
        this.bundleStore = undefined;
        throw error;
      });
      const heads = await Promise.all((await store.names()).map((name) => store.head(name)));
      return heads.filter((h) => h !== undefined).map((h) => ({ name: h.name, revision: h.revision, digest: h.digest, verified: h.verified, pushed_at: h.pushed_at }));
    } catch {
      return [];
    }
  }

  stop(): void {
    this.sub?.unsubscribe();
  }
}
