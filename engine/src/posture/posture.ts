import { findingToJSON, RUNTIME_KINDS, toPolicyInput, workloadOf, type AlertJSON, type FactInit, type FindingInit, type FindingJSON } from '../../../proto/src/index.js';
import { ContextCache, contextKeyOf, contextValueOf } from '../context/context-cache.js';
import { findingsFrom } from '../findings.js';
import type { PolicyEvaluator } from '../policy/evaluator.js';
import { subjectOf } from '../subject.js';

/** Frameworks whose controls a posture counts as passed or failed (the configuration and image ones). */
export const CONTROL_FRAMEWORKS = ['cis-docker', 'pss'] as const;

export interface PostureFinding {
  rule_id: string;
  severity: string;
  message: string;
  /** The container name or image reference it is about. */
  subject: string;
  frameworks: Record<string, string[]>;
  /** Runtime and profile alerts: occurrences (aggregates counted in) and when. */
  count?: number;
  last_seen?: string;
}

export interface ControlTally {
  passed: string[];
  failed: string[];
}

export interface WorkloadPosture {
  workload: string;
  containers: { id: string; name: string; host: string; image: string }[];
  images: string[];
  profile: { state: string; version: number } | null;
  configuration: PostureFinding[];
  image: PostureFinding[];
  runtime: PostureFinding[];
  /** Drift from the learned profile (rules reading data.vigil.profiles). */
  drift: PostureFinding[];
  controls: Record<string, ControlTally>;
}

export interface PostureSources {
  /** Container facts, oldest first: the latest of each container id counts. */
  containers: readonly FactInit[];
  /** Image facts, oldest first: the latest of each image id counts. */
  images: readonly FactInit[];
  /** Alerts (those on runtime facts count), as `alertToJSON` gives them. */
  alerts: readonly AlertJSON[];
  evaluator: PolicyEvaluator;
  profiles?: ReadonlyMap<string, { state: string; version: number }>;
}

const RUNTIME: ReadonlySet<string> = new Set(RUNTIME_KINDS);

/** The workload a container fact belongs to: what its collector said, else what its labels and image say. */
export function workloadOfContainer(fact: FactInit): string {
  const c = fact.container;
  if (!c) return '';
  return c.workload || workloadOf({ image: c.image ?? '', labels: (c.labels ?? {}) as Record<string, string> });
}

/** The latest fact per key, in arrival order. */
function latest(facts: readonly FactInit[], keyOf: (f: FactInit) => string | undefined): FactInit[] {
  const byKey = new Map<string, FactInit>();
  for (const fact of facts) {
    const key = keyOf(fact);
    if (key) byKey.set(key, fact);
  }
  return [...byKey.values()];
}

/** Every workload the containers belong to, with their container count, sorted by name. */
export function workloadsOf(containers: readonly FactInit[]): { workload: string; containers: number }[] {
  const counts = new Map<string, number>();
  for (const fact of latest(containers, (f) => f.container?.id ?? undefined)) {
    const workload = workloadOfContainer(fact);
    if (workload) counts.set(workload, (counts.get(workload) ?? 0) + 1);
  }
  return [...counts].map(([workload, n]) => ({ workload, containers: n })).sort((a, b) => a.workload.localeCompare(b.workload));
}

/**
 * One workload's posture now: its containers' and images' latest facts judged
 * again by the bundle (so it shows the current rules' view, image context
 * joined), the runtime alerts on its containers, and the CIS and PSS controls
 * of the enabled configuration and image rules, failed where a finding names them.
 */
export function postureOf(workload: string, sources: PostureSources): WorkloadPosture | undefined {
  const containers = latest(sources.containers, (f) => f.container?.id ?? undefined).filter((f) => workloadOfContainer(f) === workload);
  if (containers.length === 0) return undefined;
  const imageIds = new Set(containers.map((f) => f.container?.image_id ?? '').filter(Boolean));
  const images = latest(sources.images, (f) => f.image?.id ?? undefined).filter((f) => imageIds.has(f.image?.id ?? ''));
  const { evaluator } = sources;

  const context = new ContextCache();
  context.apply(images.map((f) => [contextKeyOf('image', f)!, contextValueOf(f)]));
  const judged = (fact: FactInit, kind: 'container' | 'image'): PostureFinding[] => {
    const input = toPolicyInput(fact);
    context.attach(kind, input, new Set(['image']));
    return findingsFrom(evaluator.evaluate(input, kind), subjectOf(input, kind, fact.source?.host ?? '')).map(postureFinding);
  };
  const configuration = containers.flatMap((f) => judged(f, 'container'));
  const image = images.flatMap((f) => judged(f, 'image'));

  const ids = new Set(containers.map((f) => f.container!.id));
  const profileRules = new Set(evaluator.rules.filter((r) => r.package.includes('profile_drift')).map((r) => r.id));
  const runtimeByKey = new Map<string, PostureFinding>();
  for (const alert of sources.alerts) {
    if (!RUNTIME.has(alert.subject.kind) || !ids.has(alert.subject.id)) continue;
    const key = `${alert.rule_id}\u0000${alert.message}`;
    const entry = runtimeByKey.get(key) ?? { ...postureFindingOf(alert), count: 0, last_seen: '' };
    entry.count! += Math.max(1, alert.count);
    // An aggregate is raised after the occurrences it counts: its raised_at is the last seen.
    if (alert.raised_at > entry.last_seen!) entry.last_seen = alert.raised_at;
    runtimeByKey.set(key, entry);
  }
  const alerts = [...runtimeByKey.values()];

  const failed = new Map<string, Set<string>>(CONTROL_FRAMEWORKS.map((f) => [f, new Set<string>()]));
  for (const finding of [...configuration, ...image]) {
    for (const framework of CONTROL_FRAMEWORKS) for (const id of finding.frameworks[framework] ?? []) failed.get(framework)!.add(id);
  }
  const enabled = new Set(evaluator.bundle.manifest.enabled);
  const controls: Record<string, ControlTally> = {};
  for (const framework of CONTROL_FRAMEWORKS) {
    const all = new Set(
      evaluator.rules.filter((r) => enabled.has(r.id) && (r.kind === 'container' || (r.kind === 'image' && images.length > 0))).flatMap((r) => r.frameworks[framework] ?? []),
    );
    const bad = failed.get(framework)!;
    for (const id of bad) all.add(id);
    controls[framework] = { passed: sortIds([...all].filter((id) => !bad.has(id))), failed: sortIds([...bad]) };
  }
  const bySeverity = (a: PostureFinding, b: PostureFinding): number => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || a.rule_id.localeCompare(b.rule_id, 'en', { numeric: true });
  return {
    workload,
    containers: containers.map((f) => ({ id: f.container!.id!, name: f.container!.name ?? '', host: f.source?.host ?? '', image: f.container!.image ?? '' })),
    images: images.map((f) => f.image?.repo_tags?.[0] || f.image?.reference || f.image?.id || ''),
    profile: sources.profiles?.get(workload) ?? null,
    configuration: configuration.sort(bySeverity),
    image: image.sort(bySeverity),
    runtime: alerts.filter((a) => !profileRules.has(a.rule_id)).sort(bySeverity),
    drift: alerts.filter((a) => profileRules.has(a.rule_id)).sort(bySeverity),
    controls,
  };
}

const SEVERITY_ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNSPECIFIED'];

const postureFinding = (finding: FindingInit): PostureFinding => postureFindingOf(findingToJSON(finding));

function postureFindingOf({ rule_id, severity, message, subject, frameworks }: FindingJSON): PostureFinding {
  return { rule_id, severity, message, subject: subject.name || subject.image || subject.id, frameworks };
}

const sortIds = (ids: string[]): string[] => ids.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
