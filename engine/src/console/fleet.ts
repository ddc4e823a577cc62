import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { decodeAgentStatus, decodeEngineStatus, ENGINE_CONSUMER, STATUS_INTERVAL_MS, statusSubjects, streams, subjects, type AgentStatus, type EngineStatus } from '../../../proto/src/index.js';
import { BundleStore } from '../distribution/store.js';

const RATE_WINDOW_MS = 60_000;
const SILENT_AFTER_MS = 3 * STATUS_INTERVAL_MS;

interface CollectorSeen {
  collector: string;
  /** When its published count last grew. */
  lastFactMs: number;
  /** (heard at, published) over the rate window, oldest first. */
  history: Array<[atMs: number, published: number]>;
  sources: string[];
  counters: CollectorCountersView;
}

/** What an agent's heartbeat says of one collector. */
export interface CollectorCountersView {
  published: number;
  dropped: number;
  rate_limited: number;
  retries: number;
  outbox_batches: number;
  outbox_bytes: number;
  source_lost: number;
  /** When the heartbeat carrying these was sent. */
  at: string;
}

export interface FleetSnapshot {
  hosts: Array<{
    host: string;
    /** The agent's heartbeat is older than three intervals: its counters are stale. */
    silent: boolean;
    collectors: Array<{ collector: string; version: string; last_fact: string; facts: number; facts_per_s: number; sources: string[]; counters: CollectorCountersView }>;
  }>;
  /** Engine replicas heard from in the last three heartbeat intervals. */
  replicas: Array<{ replica: string; host: string; started_at: string; last_seen: string; bundles: string[]; shadows: string[]; facts: number; alerts: number; dead_letters: number; workers: number; in_flight: number; worker_restarts: number; timeouts: number }>;
  engine: { consumer: string; pending: number; ack_pending: number; waiting_pulls: number; redelivered: number } | { error: string };
  dead_letters: Array<{ reason: string; count: number }>;
  bundles: Array<{ name: string; revision: string; digest: string; verified: boolean; pushed_at: string }>;
}

/**
 * What the console shows of the fleet, read from NATS: each host's
 * collectors from its agent's heartbeat (never from the facts themselves, so
 * the console neither needs to read nor keeps up with every fact), the engine
 * replicas from theirs, the engines' shared consumer, dead letters by reason
 * and the bundles in force.
 */
export class FleetView {
  private readonly agents = new Map<string, { status: AgentStatus; heardMs: number; collectors: Map<string, CollectorSeen> }>();
  private readonly engines = new Map<string, { status: EngineStatus; heardMs: number }>();
  private readonly subs: Subscription[] = [];
  private bundleStore: Promise<BundleStore> | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
  ) {}

  static async start(nc: NatsConnection): Promise<FleetView> {
    const view = new FleetView(nc, await jetstreamManager(nc));
    const listen = (subject: string, take: (data: Uint8Array) => void): void => {
      view.subs.push(
        nc.subscribe(subject, {
          callback: (_error, msg) => {
            try {
              take(msg.data);
            } catch {
              // Not a heartbeat of this version: nothing to count.
            }
          },
        }),
      );
    };
    listen(statusSubjects.allAgents, (data) => view.heard(decodeAgentStatus(data)));
    listen(statusSubjects.allEngines, (data) => view.heardEngine(decodeEngineStatus(data)));
    return view;
  }

  /** An agent's heartbeat: the latest per host counts; rates come from the published counts over the last minute. */
  heard(status: AgentStatus, now = Date.now()): void {
    if (!status.host) return;
    const agent = this.agents.get(status.host) ?? { status, heardMs: now, collectors: new Map<string, CollectorSeen>() };
    agent.status = status;
    agent.heardMs = now;
    for (const c of status.collectors) {
      const name = c.collector ?? '';
      const published = Number(c.published ?? 0);
      const entry = agent.collectors.get(name) ?? { collector: name, lastFactMs: 0, history: [], sources: [], counters: undefined as unknown as CollectorCountersView };
      const before = entry.history.at(-1)?.[1] ?? 0;
      if (published > before) entry.lastFactMs = now;
      entry.history = [...entry.history.filter(([at]) => now - at < RATE_WINDOW_MS), [now, published]];
      entry.sources = (c.source ?? '').split('+').filter(Boolean).sort();
      entry.counters = {
        published,
        dropped: Number(c.dropped ?? 0),
        rate_limited: Number(c.rate_limited ?? 0),
        retries: Number(c.retries ?? 0),
        outbox_batches: Number(c.outbox_batches ?? 0),
        outbox_bytes: Number(c.outbox_bytes ?? 0),
        source_lost: Number(c.source_lost ?? 0),
        at: new Date(Number(status.at_ms ?? now)).toISOString(),
      };
      agent.collectors.set(name, entry);
    }
    this.agents.set(status.host, agent);
  }

  heardEngine(status: EngineStatus, now = Date.now()): void {
    if (status.replica) this.engines.set(status.replica, { status, heardMs: now });
  }

  async snapshot(now = Date.now()): Promise<FleetSnapshot> {
    const hosts = [...this.agents.entries()]
      .map(([host, agent]) => ({
        host,
        silent: now - agent.heardMs > SILENT_AFTER_MS,
        collectors: [...agent.collectors.values()]
          .map((c) => {
            const [firstAt, firstCount] = c.history[0] ?? [now, 0];
            const [lastAt, lastCount] = c.history.at(-1) ?? [now, 0];
            const rate = lastAt > firstAt ? (lastCount - firstCount) / ((lastAt - firstAt) / 1000) : 0;
            return {
              collector: c.collector,
              version: agent.status.version ?? '',
              last_fact: c.lastFactMs > 0 ? new Date(c.lastFactMs).toISOString() : '',
              facts: c.counters.published,
              facts_per_s: Math.round(Math.max(0, rate) * 100) / 100,
              sources: c.sources,
              counters: c.counters,
            };
          })
          .sort((a, b) => a.collector.localeCompare(b.collector)),
      }))
      .sort((a, b) => a.host.localeCompare(b.host));
    return { hosts, replicas: this.replicas(now), engine: await this.engine(), dead_letters: await this.deadLetters(), bundles: await this.bundles() };
  }

  private replicas(now: number): FleetSnapshot['replicas'] {
    for (const [name, { heardMs }] of this.engines) if (now - heardMs > SILENT_AFTER_MS) this.engines.delete(name);
    return [...this.engines.values()]
      .map(({ status: s, heardMs }) => ({
        replica: s.replica,
        host: s.host,
        started_at: new Date(Number(s.started_at_ms)).toISOString(),
        last_seen: new Date(heardMs).toISOString(),
        bundles: [...s.bundles],
        shadows: [...s.shadows],
        facts: Number(s.facts),
        alerts: Number(s.alerts),
        dead_letters: Number(s.dead_letters),
        workers: s.workers,
        in_flight: s.in_flight,
        worker_restarts: Number(s.worker_restarts),
        timeouts: Number(s.timeouts),
      }))
      .sort((a, b) => a.replica.localeCompare(b.replica));
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
    for (const sub of this.subs) sub.unsubscribe();
  }
}
