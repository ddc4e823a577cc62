import type { Logger } from 'pino';
import { imageRepository, severityName, type Alert, type SubjectInit } from '../../../proto/src/index.js';
import { compileBundle } from '../policy/evaluator.js';
import { bundleNameOf } from '../policy/manifest.js';
import type { Bundle } from '../policy/bundle.js';
import { pagesOf, resolvePoolSettings, TASK_LIMITS, usableCores, type PoolSettings } from '../pool/config.js';
import type { Judgement } from '../pool/judge.js';
import { WorkerPool } from '../pool/pool.js';
import { AlertThrottle, occurrenceOf } from '../throttle/throttle.js';
import { throttleKey } from '../throttle/key.js';
import { splitSides } from './sides.js';
import { unchangedRules } from '../policy/unchanged-rules.js';

/** The names the two sides are loaded under in the pool, whatever their manifests call them. */
const SIDES = { baseline: 'replay-baseline', candidate: 'replay-candidate' } as const;
type Side = keyof typeof SIDES;

/** `workers` defaults to every usable core: a replay has no NATS traffic to serve. */
export interface ReplayOptions extends Omit<PoolSettings, 'maxInFlightPerWorker'> {
  /** The bundle the candidate is compared with. */
  baseline: Bundle;
  candidate: Bundle;
  /** Fact messages (FactBatches on their fact subjects), in the order they were stored. */
  facts: AsyncIterable<{ subject: string; data: Uint8Array }>;
  /** The operator's data documents, as the engines have them. */
  dataOverlay?: Record<string, unknown>;
  /** The throttle window the "after throttling" counts use (default the engine's, 60 s; 0: none). */
  alertWindowMs?: number;
  /** Sample subjects kept per rule for new and for gone findings (default 3). */
  samples?: number;
  /**
   * Judge the rules both bundles have unchanged (same id and digest, same
   * data) once, on the baseline's side, and count their findings on both
   * (default true): the same report, for the cost of the rules that changed.
   */
  shareUnchanged?: boolean;
  logger: Logger;
}

/** What one side said, before and after the engine's alert throttle. */
export interface SideCounts {
  bundle: string;
  revision: string;
  findings: number;
  /** Alerts the engine's throttle would have published: first alerts plus aggregates. */
  alerts: number;
}

export interface RuleDiff {
  rule_id: string;
  severity: string;
  title: string;
  baseline: { findings: number; alerts: number };
  candidate: { findings: number; alerts: number };
  new: number;
  gone: number;
  samples: { new: string[]; gone: string[] };
}

export interface GroupDiff {
  key: string;
  new: number;
  gone: number;
}

export interface ReplayReport {
  facts: number;
  /** Rules judged once for both sides, being unchanged between them. */
  unchangedRules: number;
  seconds: number;
  factsPerSecond: number;
  /** Facts a side could not judge (decode, timeout, evaluation errors), as dead letters. */
  errors: number;
  baseline: SideCounts;
  candidate: SideCounts;
  /** Findings the candidate makes that the baseline does not, and the reverse. */
  new: number;
  gone: number;
  /** Only rules with findings on either side, most new first. */
  rules: RuleDiff[];
  hosts: GroupDiff[];
  workloads: GroupDiff[];
}

/**
 * Judges the same facts with a baseline and a candidate bundle, both loaded in
 * one worker pool so each fact is decoded once and judged by both in the same
 * task, and reports how their findings differ: per rule, host and workload,
 * and as counts before and after the engine's throttle. It publishes nothing.
 * A finding is the same on both sides when its fact, rule and message are.
 */
export async function replayFacts(options: ReplayOptions): Promise<ReplayReport> {
  const windowMs = options.alertWindowMs ?? 60_000;
  const sampleCount = options.samples ?? 3;
  const settings = resolvePoolSettings({
    workers: options.workers ?? usableCores(),
    ...(options.evaluationTimeoutMs !== undefined ? { evaluationTimeoutMs: options.evaluationTimeoutMs } : {}),
    ...(options.maxMemoryMb !== undefined ? { maxMemoryMb: options.maxMemoryMb } : {}),
  });
  const members = await Promise.all(
    (Object.keys(SIDES) as Side[]).map(async (side) => {
      const { module, meta } = await compileBundle(options[side], `${side} revision ${options[side].revision || '?'}`);
      return { name: SIDES[side], module, bundle: meta };
    }),
  );
  const unchanged = options.shareUnchanged === false ? [] : unchangedRules(options.baseline, options.candidate);
  const tally = new Tally(windowMs, sampleCount);
  let failure: unknown;
  let pool: WorkerPool<null> | undefined;
  pool = await WorkerPool.start<null>({
    members,
    overlay: options.dataOverlay ?? {},
    sideBySide: true,
    ...(unchanged.length > 0 ? { shared: { from: SIDES.baseline, to: SIDES.candidate, rules: unchanged } } : {}),
    size: settings.workers,
    timeoutMs: settings.evaluationTimeoutMs,
    maxMemoryPages: pagesOf(settings.maxMemoryMb),
    maxTasksPerWorker: settings.maxInFlightPerWorker,
    maxTaskMessages: TASK_LIMITS.messages,
    maxTaskBytes: TASK_LIMITS.bytes,
    warmupMs: 0,
    verdicts: false,
    logger: options.logger,
    onJudged: (_tags, judgement) => {
      // Facts are judged with the context the facts before them gave, as an engine would have.
      pool?.updateContext(judgement.context);
      try {
        tally.add(judgement);
      } catch (error) {
        failure ??= error;
      }
    },
  });
  const start = process.hrtime.bigint();
  try {
    for await (const message of options.facts) {
      pool.submit(message, null);
      if (!pool.accepting()) await pool.whenAccepting();
    }
    await pool.idle();
  } finally {
    await pool.close();
  }
  if (failure !== undefined) throw failure;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return tally.report(seconds, unchanged.length, {
    baseline: { bundle: bundleNameOf(options.baseline.manifest), revision: options.baseline.revision },
    candidate: { bundle: bundleNameOf(options.candidate.manifest), revision: options.candidate.revision },
  });
}

interface RuleTally {
  severity: string;
  title: string;
  findings: Record<Side, number>;
  new: number;
  gone: number;
  samples: { new: string[]; gone: string[] };
}

/** Counts a replay's judgements as they come; holds one judgement's findings at a time. */
class Tally {
  private facts = 0;
  private errors = 0;
  private readonly findings: Record<Side, number> = { baseline: 0, candidate: 0 };
  private readonly rules = new Map<string, RuleTally>();
  private readonly hosts = new Map<string, GroupDiff>();
  private readonly workloads = new Map<string, GroupDiff>();
  private readonly throttles: Record<Side, { throttle: AlertThrottle; perRule: Map<string, number> }>;
  private clock = 0;

  constructor(windowMs: number, private readonly sampleCount: number) {
    const throttleOf = (): { throttle: AlertThrottle; perRule: Map<string, number> } => {
      const perRule = new Map<string, number>();
      const throttle = new AlertThrottle({
        windowMs,
        maxKeys: 1_000_000,
        autoFlush: false,
        now: () => this.clock,
        onFlush: (alert) => perRule.set(alert.finding?.rule_id ?? '', (perRule.get(alert.finding?.rule_id ?? '') ?? 0) + 1),
      });
      return { throttle, perRule };
    };
    this.throttles = { baseline: throttleOf(), candidate: throttleOf() };
  }

  add(judgement: Judgement): void {
    this.facts += judgement.counts.facts;
    const split = splitSides(judgement, SIDES.baseline);
    this.errors += split.errors;
    for (const side of ['baseline', 'candidate'] as const) {
      for (const { alert } of split[side].values()) this.count(side, alert);
      this.throttles[side].throttle.flushDue();
    }
    for (const [key, { alert }] of split.candidate) if (!split.baseline.has(key)) this.differs('new', alert);
    for (const [key, { alert }] of split.baseline) if (!split.candidate.has(key)) this.differs('gone', alert);
  }

  private count(side: Side, alert: Alert): void {
    this.findings[side]++;
    this.clock = Math.max(this.clock, Number(alert.observed_at_ms ?? 0));
    const rule = this.ruleOf(alert);
    rule.findings[side]++;
    const { throttle, perRule } = this.throttles[side];
    if (throttle.admitKeyed(throttleKey(alert), occurrenceOf(alert))) {
      perRule.set(alert.finding?.rule_id ?? '', (perRule.get(alert.finding?.rule_id ?? '') ?? 0) + 1);
    }
  }

  private differs(change: 'new' | 'gone', alert: Alert): void {
    const rule = this.ruleOf(alert);
    rule[change]++;
    if (rule.samples[change].length < this.sampleCount) rule.samples[change].push(describe(alert.finding?.subject, alert.source?.host ?? ''));
    const host = alert.source?.host || alert.finding?.subject?.source || '';
    const workload = workloadOf(alert.finding?.subject);
    for (const [groups, key] of [[this.hosts, host], [this.workloads, workload]] as const) {
      const group = groups.get(key) ?? { key, new: 0, gone: 0 };
      group[change]++;
      groups.set(key, group);
    }
  }

  private ruleOf(alert: Alert): RuleTally {
    const id = alert.finding?.rule_id ?? '';
    let rule = this.rules.get(id);
    if (rule === undefined) {
      rule = {
        severity: severityName(alert.finding?.severity),
        title: alert.finding?.title ?? '',
        findings: { baseline: 0, candidate: 0 },
        new: 0,
        gone: 0,
        samples: { new: [], gone: [] },
      };
      this.rules.set(id, rule);
    }
    return rule;
  }

  report(seconds: number, unchangedRules: number, names: Record<Side, { bundle: string; revision: string }>): ReplayReport {
    for (const side of ['baseline', 'candidate'] as const) this.throttles[side].throttle.close();
    const alertsOf = (side: Side, rule?: string): number =>
      rule === undefined ? [...this.throttles[side].perRule.values()].reduce((a, b) => a + b, 0) : (this.throttles[side].perRule.get(rule) ?? 0);
    const rules: RuleDiff[] = [...this.rules]
      .map(([rule_id, r]) => ({
        rule_id,
        severity: r.severity,
        title: r.title,
        baseline: { findings: r.findings.baseline, alerts: alertsOf('baseline', rule_id) },
        candidate: { findings: r.findings.candidate, alerts: alertsOf('candidate', rule_id) },
        new: r.new,
        gone: r.gone,
        samples: r.samples,
      }))
      .sort((a, b) => b.new - a.new || b.gone - a.gone || a.rule_id.localeCompare(b.rule_id));
    const groups = (map: Map<string, GroupDiff>): GroupDiff[] => [...map.values()].sort((a, b) => b.new + b.gone - (a.new + a.gone) || a.key.localeCompare(b.key));
    return {
      facts: this.facts,
      unchangedRules,
      seconds,
      factsPerSecond: seconds > 0 ? this.facts / seconds : 0,
      errors: this.errors,
      baseline: { ...names.baseline, findings: this.findings.baseline, alerts: alertsOf('baseline') },
      candidate: { ...names.candidate, findings: this.findings.candidate, alerts: alertsOf('candidate') },
      new: rules.reduce((n, r) => n + r.new, 0),
      gone: rules.reduce((n, r) => n + r.gone, 0),
      rules,
      hosts: groups(this.hosts),
      workloads: groups(this.workloads),
    };
  }
}

function workloadOf(subject: SubjectInit | null | undefined): string {
  const repository = imageRepository(subject?.image ?? '');
  return repository ? `image:${repository}` : subject?.name || subject?.id || '';
}

function describe(subject: SubjectInit | null | undefined, host: string): string {
  const what = subject?.name || subject?.id || subject?.image || '?';
  return `${subject?.kind ?? '?'} ${what}${host ? ` on ${host}` : ''}`;
}
