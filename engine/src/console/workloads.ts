import type { NatsConnection } from '@nats-io/nats-core';
import { decodeFactBatch, type AlertJSON, type FactInit } from '../../../proto/src/index.js';
import { KvContextStore, type ContextLogger } from '../context/context-store.js';
import type { PolicyEvaluator } from '../policy/evaluator.js';
import { postureOf, workloadsOf, type WorkloadPosture } from '../posture/posture.js';
import { hasItem, isProfileCategory, type Profile, type ProfileCategory } from '../profiles/model.js';
import { observationsOf } from '../profiles/observe.js';
import type { ProfileStore } from '../profiles/store.js';

/** How long a computed list of workloads serves requests before it is computed again. */
const LIST_TTL_MS = 3_000;

export interface WorkloadSummary {
  workload: string;
  containers: number;
  profile: { state: string; version: number; active_s: number; learn_window_s: number; items: Record<string, number> } | null;
  findings: { configuration: number; image: number; runtime: number; drift: number };
  controls: Record<string, { passed: number; failed: number }>;
}

export interface DriftItem {
  category: ProfileCategory;
  key: string;
  /** Already in the profile (approved since, or learned by another replica). */
  in_profile: boolean;
}

/**
 * The console's workloads: each one's posture, judged now from the latest
 * container and image facts every engine shares (the vigil-context bucket),
 * the runtime alerts held by the console, and the learned profile.
 */
export class WorkloadView {
  private readonly containers = new Map<string, Uint8Array>();
  private readonly images = new Map<string, Uint8Array>();
  private cached: { at: number; list: WorkloadSummary[] } | undefined;

  private constructor(
    private readonly context: KvContextStore,
    private readonly evaluator: PolicyEvaluator,
    private readonly profiles: ProfileStore,
    private readonly alerts: () => Iterable<AlertJSON>,
  ) {}

  static async start(options: { nc: NatsConnection; logger: ContextLogger; evaluator: PolicyEvaluator; profiles: ProfileStore; alerts: () => Iterable<AlertJSON> }): Promise<WorkloadView> {
    const context = await KvContextStore.open(options.nc, options.logger);
    const view = new WorkloadView(context, options.evaluator, options.profiles, options.alerts);
    await context.open((entries) => {
      for (const [key, value] of entries) {
        const held = key.startsWith('container.') ? view.containers : key.startsWith('image.') ? view.images : undefined;
        if (!held) continue;
        if (value === null) held.delete(key);
        else held.set(key, value);
      }
      view.cached = undefined;
    });
    return view;
  }

  async list(now = Date.now()): Promise<WorkloadSummary[]> {
    if (this.cached && now - this.cached.at < LIST_TTL_MS) return this.cached.list;
    const containers = decodeAll(this.containers);
    const images = decodeAll(this.images);
    const alerts = [...this.alerts()];
    const names = new Set([...workloadsOf(containers).map((w) => w.workload), ...(await this.profiles.workloads())]);
    const list: WorkloadSummary[] = [];
    for (const workload of [...names].sort()) {
      const profile = (await this.profiles.get(workload).catch(() => undefined))?.profile;
      const posture = postureOf(workload, { containers, images, alerts, evaluator: this.evaluator });
      list.push({
        workload,
        containers: posture?.containers.length ?? 0,
        profile: profile ? profileSummary(profile) : null,
        findings: { configuration: posture?.configuration.length ?? 0, image: posture?.image.length ?? 0, runtime: posture?.runtime.length ?? 0, drift: posture?.drift.length ?? 0 },
        controls: Object.fromEntries(Object.entries(posture?.controls ?? {}).map(([framework, t]) => [framework, { passed: t.passed.length, failed: t.failed.length }])),
      });
    }
    this.cached = { at: now, list };
    return list;
  }

  /** One workload's whole posture and its profile; undefined when Vigil knows neither. */
  async get(workload: string): Promise<{ posture: WorkloadPosture | undefined; profile: WorkloadSummary['profile'] } | undefined> {
    const profile = (await this.profiles.get(workload).catch(() => undefined))?.profile;
    const posture = postureOf(workload, {
      containers: decodeAll(this.containers),
      images: decodeAll(this.images),
      alerts: [...this.alerts()],
      evaluator: this.evaluator,
      ...(profile ? { profiles: new Map([[workload, { state: profile.state, version: profile.version }]]) } : {}),
    });
    if (!posture && !profile) return undefined;
    return { posture, profile: profile ? profileSummary(profile) : null };
  }

  /**
   * What a fact added that its workload's profile lacks: the items an
   * operator can approve from a drift alert, keyed as the learner keys them.
   */
  async driftItems(fact: FactInit): Promise<{ workload: string; items: DriftItem[] } | undefined> {
    const observed = observationsOf(fact).filter((o): o is typeof o & { category: ProfileCategory } => isProfileCategory(o.category));
    const workload = observed[0]?.workload;
    if (!workload) return undefined;
    const profile = (await this.profiles.get(workload))?.profile;
    const seen = new Set<string>();
    const items: DriftItem[] = [];
    for (const o of observed) {
      const id = `${o.category}\u0000${o.key}`;
      if (seen.has(id)) continue;
      seen.add(id);
      items.push({ category: o.category, key: o.key, in_profile: profile !== undefined && hasItem(profile, o.category, o.key) });
    }
    return { workload, items };
  }

  /** A profile changed here (an approval): the next list is computed afresh. */
  changed(): void {
    this.cached = undefined;
  }

  async stop(): Promise<void> {
    await this.context.close();
  }
}

function decodeAll(held: ReadonlyMap<string, Uint8Array>): FactInit[] {
  const facts: FactInit[] = [];
  for (const bytes of held.values()) {
    try {
      facts.push(...decodeFactBatch(bytes).facts);
    } catch {
      // A value that is not a FactBatch says nothing about posture.
    }
  }
  return facts;
}

function profileSummary(p: Profile): NonNullable<WorkloadSummary['profile']> {
  return { state: p.state, version: p.version, active_s: p.active_s, learn_window_s: p.learn_window_s, items: Object.fromEntries(Object.entries(p.items).map(([k, v]) => [k, Object.keys(v).length])) };
}
