import type { Logger } from 'pino';
import { SUBJECT_ROOT, subjectToken } from '../../../proto/src/index.js';
import type { FactMessage, Judgement } from '../pool/judge.js';
import { WorkerPool, type PoolOptions, type PoolPolicies } from '../pool/pool.js';
import type { MemberInit } from '../pool/protocol.js';
import { splitSides } from '../replay/sides.js';
import { unchangedRules } from '../policy/unchanged-rules.js';
import type { ContextEntry } from '../context/context-cache.js';

/** Where a shadow's findings go: `vigil.shadow.<bundle>.<severity>.<kind>.<host>`, Alerts as the served set would publish them. */
export const shadowSubject = (bundle: string, alertSubject: string): string =>
  `${SUBJECT_ROOT}.shadow.${subjectToken(bundle)}.${alertSubject.slice(`${SUBJECT_ROOT}.alerts.`.length)}`;

/** The pool shape a shadow runs with: the served pool's, sized by the caller. */
export type ShadowPoolSettings = Pick<PoolOptions<null>, 'size' | 'timeoutMs' | 'maxMemoryPages' | 'maxTasksPerWorker' | 'maxTaskMessages' | 'maxTaskBytes'>;

export interface ShadowOptions {
  /** The bundle name the candidate would replace (or join the served set under). */
  name: string;
  /** The candidate, compiled; its findings carry `name` as their bundle. */
  candidate: MemberInit;
  /** The served bundle of that name, if one is served: what new and gone are counted against. */
  served: MemberInit | undefined;
  overlay: Record<string, unknown>;
  pool: ShadowPoolSettings;
  /** Sends one finding of the candidate (an encoded Alert) to a shadow subject. */
  publish(subject: string, payload: Uint8Array): void;
  logger: Logger;
}

export interface ShadowStats {
  bundle: string;
  revision: string;
  /** When this shadow started (ISO): its counts are since then. */
  since: string;
  /** Facts the shadow judged. */
  facts: number;
  /** Findings of the served bundle and of the candidate on those facts. */
  findings: { served: number; candidate: number };
  /** Findings the candidate makes that the served bundle does not, and the reverse. */
  new: number;
  gone: number;
  /** Fact messages the shadow did not judge because it had not kept up within its deadline. */
  skipped: number;
  /** Facts the shadow could not judge (evaluation errors, deadlines), never dead letters. */
  errors: number;
}

/**
 * A candidate bundle judged beside the served set: its own worker pool holds
 * the candidate and a copy of the served bundle of the same name, so each fact
 * is judged by both in one task and the difference is counted where both
 * answers are. The served pool never waits for it longer than one evaluation
 * deadline, and nothing it does (a load failure, a deadline, a crash) reaches
 * the served set: its dead letters are counted, its findings go to shadow
 * subjects only, and it makes no verdicts.
 */
export class Shadow {
  private readonly counts = { facts: 0, served: 0, candidate: 0, new: 0, gone: 0, skipped: 0, errors: 0 };
  private readonly since = new Date().toISOString();
  private stalled = false;

  private constructor(
    private readonly options: ShadowOptions,
    private readonly pool: WorkerPool<null>,
    private servedMember: string,
  ) {}

  static async start(options: ShadowOptions): Promise<Shadow> {
    let shadow: Shadow | undefined;
    const policies = shadowPolicies(options.candidate, options.served, options.overlay);
    const pool = await WorkerPool.start<null>({
      ...policies,
      ...options.pool,
      verdicts: false,
      logger: options.logger.child({ shadow: options.name }),
      onJudged: (_tags, judgement) => shadow?.judged(judgement),
    });
    shadow = new Shadow(options, pool, servedMemberName(options.name));
    return shadow;
  }

  get revision(): string {
    return this.options.candidate.bundle.revision;
  }

  /** Judges the message too, unless the shadow is still busy with earlier ones (then it is counted as skipped). */
  offer(message: FactMessage): void {
    if (!this.pool.accepting()) {
      this.counts.skipped++;
      return;
    }
    this.pool.submit(message, null);
  }

  /**
   * Resolves when the shadow takes messages again, or after `limitMs`. A
   * shadow that did not make it in time is not waited for again until it
   * catches up by itself, so a stuck one costs the served set one wait, not one per message.
   */
  async whenAccepting(limitMs: number): Promise<void> {
    if (this.pool.accepting()) {
      this.stalled = false;
      return;
    }
    if (this.stalled) return;
    let timer: NodeJS.Timeout | undefined;
    const accepted = await Promise.race([
      this.pool.whenAccepting().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), limitMs))),
    ]);
    clearTimeout(timer);
    if (!accepted) {
      this.stalled = true;
      this.options.logger.warn({ shadow: this.options.name, waitedMs: limitMs }, 'shadow is behind: facts are skipped for it until it catches up');
    }
  }

  /** The served bundle of its name changed (pushed, rolled back, withdrawn): count against the new one. */
  async setServed(served: MemberInit | undefined, overlay: Record<string, unknown>): Promise<void> {
    await this.pool.replacePolicies(shadowPolicies(this.options.candidate, served, overlay));
  }

  /** The served pool's context changed: judge with the same. */
  updateContext(entries: readonly ContextEntry[]): void {
    this.pool.updateContext(entries);
  }

  replaceData(overlay: Record<string, unknown>): Promise<void> {
    return this.pool.replaceData(overlay);
  }

  stats(): ShadowStats {
    const { facts, served, candidate, skipped, errors } = this.counts;
    return { bundle: this.options.name, revision: this.revision, since: this.since, facts, findings: { served, candidate }, new: this.counts.new, gone: this.counts.gone, skipped, errors };
  }

  /** Stops its workers at once: what it had not judged yet is dropped, since nothing waits on a shadow. */
  close(): Promise<void> {
    return this.pool.abandon();
  }

  private judged(judgement: Judgement): void {
    try {
      const split = splitSides(judgement, this.servedMember);
      this.counts.facts += judgement.counts.facts;
      this.counts.errors += split.errors;
      this.counts.served += split.baseline.size;
      this.counts.candidate += split.candidate.size;
      for (const [key, { publication }] of split.candidate) {
        if (!split.baseline.has(key)) this.counts.new++;
        this.options.publish(shadowSubject(this.options.name, publication.subject), publication.payload);
      }
      for (const key of split.baseline.keys()) if (!split.candidate.has(key)) this.counts.gone++;
    } catch (error) {
      this.options.logger.warn({ err: error, shadow: this.options.name }, 'shadow findings not counted');
    }
  }
}

/** The name the served copy has inside a shadow's pool: never a bundle name (those have no ':'). */
const servedMemberName = (name: string): string => `served:${name}`;

function shadowPolicies(candidate: MemberInit, served: MemberInit | undefined, overlay: Record<string, unknown>): PoolPolicies {
  const members = [candidate, ...(served ? [{ ...served, name: servedMemberName(candidate.name) }] : [])];
  // Rules the two have unchanged are judged once, on the candidate's side, and counted on both.
  const unchanged = served ? unchangedRules(candidate.bundle, served.bundle) : [];
  return { members, overlay, sideBySide: true, ...(unchanged.length > 0 ? { shared: { from: candidate.name, to: servedMemberName(candidate.name), rules: unchanged } } : {}) };
}
