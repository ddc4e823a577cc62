import {
  decodeFactBatch,
  encodeAlert,
  encodeDeadLetter,
  encodeFactBatch,
  encodeVerdict,
  factKindOf,
  severityName,
  subjects,
  toPolicyInput,
  type FactInit,
  type FactKind,
  type PolicyInput,
  type SeverityName,
} from '../../../proto/src/index.js';
import { alertsFrom, findingsFrom } from '../findings.js';
import { throttleKey } from '../throttle/key.js';
import type { RuleHit } from '../policy/evaluator.js';
import type { PolicySet } from '../policy/policy-set.js';
import { subjectOf } from '../subject.js';
import type { Observation } from '../profiles/model.js';
import type { ObservationFilter } from '../profiles/observe.js';
import { contextKeyOf, contextValueOf, partOfKind, type ContextCache, type ContextEntry } from '../context/context-cache.js';

/** Why a message or fact went to `vigil.dlq.<reason>`. */
export type DeadLetterReason = 'decode' | 'unknown_kind' | 'evaluation' | 'timeout';

/** One JetStream message as the engine received it: a FactBatch on a fact subject. */
export interface FactMessage {
  subject: string;
  data: Uint8Array;
}

/** Something to publish once the judgement is in: a verdict, an alert or a dead letter. */
export interface Publication {
  subject: string;
  payload: Uint8Array;
  /** Sent as Nats-Msg-Id so the stream drops a re-published copy. */
  msgId?: string;
  /** Alerts only: what the throttle groups them by, computed here so the publishing thread need not decode them. */
  throttleKey?: string;
  /** Alerts only: when the fact was observed (epoch ms; 0 unknown), for the throttle window's message id. */
  observedAtMs?: number;
}

/** One call of the policy on a batch of facts of one kind, for latency metrics. */
export interface BatchSample {
  kind: FactKind;
  facts: number;
  seconds: number;
}

export interface JudgementCounts {
  batches: number;
  facts: number;
  verdicts: number;
  alerts: number;
  deadLetters: number;
  /** Facts judged without context their rules read (see Verdict.context_missing). */
  contextMissing: number;
}

/** Everything the engine must publish for a group of messages, and what it counted. */
export interface Judgement {
  publications: Publication[];
  counts: JudgementCounts;
  samples: BatchSample[];
  /** What runtime facts showed their workloads doing, for the profile learner. */
  observations: Observation[];
  /** The latest container, image and host facts seen, for the context store (only kinds some rule reads as context). */
  context: ContextEntry[];
}

export const emptyCounts = (): JudgementCounts => ({ batches: 0, facts: 0, verdicts: 0, alerts: 0, deadLetters: 0, contextMissing: 0 });

interface Pending {
  fact: FactInit;
  subject: string;
  input: PolicyInput;
  /** Context its rules read that was not held. */
  missing?: string[];
}

/**
 * Decodes, evaluates and turns into publications a group of fact messages:
 * one Verdict per fact, one Alert per finding, a dead letter for what cannot
 * be decoded or evaluated. Facts are evaluated per kind, in batches, by the
 * bundles their kind and subject trigger, so each policy's per-call cost is
 * paid once per batch. With an `observer`, also what runtime facts showed their
 * workloads doing (profile observations). Pure but for the clock and the observer.
 */
export function judgeMessages(
  policies: PolicySet,
  messages: readonly FactMessage[],
  observer?: ObservationFilter,
  context?: ContextCache,
  options: { verdicts?: boolean } = {},
): Judgement {
  const out = new JudgementBuilder(options.verdicts !== false);
  const byKind = new Map<FactKind, Pending[]>();
  for (const message of messages) {
    let facts: FactInit[];
    try {
      facts = decodeFactBatch(message.data).facts;
    } catch (error) {
      out.deadLetter('decode', error, message.subject, message.data);
      continue;
    }
    out.counts.batches++;
    for (const fact of facts) {
      out.counts.facts++;
      const kind = factKindOf(fact);
      if (kind === undefined) {
        out.deadLetter('unknown_kind', new Error('fact has no kind set'), message.subject, encodeFactBatch({ facts: [fact] }), fact.id ?? '');
        continue;
      }
      observer?.collect(fact, out.observations);
      let group = byKind.get(kind);
      if (group === undefined) byKind.set(kind, (group = []));
      const pending: Pending = { fact, subject: message.subject, input: toPolicyInput(fact) };
      const needs = policies.contextNeeds(kind);
      if (needs.size > 0) {
        const missing = context ? context.attach(kind, pending.input, needs) : [...needs];
        if (missing.length > 0) pending.missing = missing;
      }
      const part = partOfKind(kind);
      if (part !== undefined && policies.contextParts.has(part)) {
        const key = contextKeyOf(kind, fact);
        if (key !== undefined) out.context.push([key, contextValueOf(fact)]);
      }
      group.push(pending);
    }
  }
  for (const [kind, group] of byKind) {
    const outcomes = policies.judge(kind, group, (facts, seconds) => out.samples.push({ kind, facts, seconds }));
    const now = Date.now();
    group.forEach((pending, i) => {
      const { hits, errors } = outcomes[i]!;
      out.verdict(pending, kind, hits, errors, policies.revision, now);
    });
  }
  return out.build();
}

/**
 * The judgement for facts that could not be evaluated at all (the policy ran
 * past its deadline, the worker died): a dead letter with the reason and a
 * verdict carrying the error, so every fact still gets exactly one verdict.
 */
export function failedJudgement(message: FactMessage, reason: 'timeout' | 'evaluation', error: Error, revision: string): Judgement {
  const out = new JudgementBuilder();
  let facts: FactInit[];
  try {
    facts = decodeFactBatch(message.data).facts;
  } catch (decodeError) {
    out.deadLetter('decode', decodeError, message.subject, message.data);
    return out.build();
  }
  out.counts.batches++;
  const now = Date.now();
  for (const fact of facts) {
    out.counts.facts++;
    const kind = factKindOf(fact);
    const payload = encodeFactBatch({ facts: [fact] });
    if (kind === undefined) {
      out.deadLetter('unknown_kind', new Error('fact has no kind set'), message.subject, payload, fact.id ?? '');
      continue;
    }
    out.deadLetter(reason, error, message.subject, payload, fact.id ?? '');
    out.verdict({ fact, subject: message.subject, input: toPolicyInput(fact) }, kind, [], [error], revision, now, false);
  }
  return out.build();
}

/**
 * Splits a message into one message per fact (same subject), for evaluating
 * the facts of a failed batch one at a time. Undefined when it does not decode.
 */
export function splitFacts(message: FactMessage): FactMessage[] | undefined {
  let facts: FactInit[];
  try {
    facts = decodeFactBatch(message.data).facts;
  } catch {
    return undefined;
  }
  if (facts.length <= 1) return [message];
  return facts.map((fact) => ({ subject: message.subject, data: encodeFactBatch({ facts: [fact] }) }));
}

export function mergeJudgements(parts: readonly Judgement[]): Judgement {
  const counts = emptyCounts();
  for (const part of parts) {
    for (const key of Object.keys(counts) as (keyof JudgementCounts)[]) counts[key] += part.counts[key];
  }
  return {
    publications: parts.flatMap((p) => p.publications),
    counts,
    samples: parts.flatMap((p) => p.samples),
    observations: parts.flatMap((p) => p.observations),
    context: parts.flatMap((p) => p.context),
  };
}

class JudgementBuilder {
  readonly publications: Publication[] = [];
  readonly counts = emptyCounts();
  readonly samples: BatchSample[] = [];
  readonly observations: Observation[] = [];
  readonly context: ContextEntry[] = [];

  /** `withVerdicts` false: alerts and dead letters only, for comparisons that never publish verdicts (replays, shadows). */
  constructor(private readonly withVerdicts = true) {}

  deadLetter(reason: DeadLetterReason, error: unknown, subject: string, payload: Uint8Array, factId = ''): void {
    this.counts.deadLetters++;
    const text = String((error as Error)?.message ?? error);
    this.publications.push({
      subject: subjects.deadLetter(reason),
      payload: encodeDeadLetter({ reason, error: text, subject, payload, received_at_ms: Date.now(), fact_id: factId }),
    });
  }

  /**
   * The verdict for one fact, with the findings of the bundles that judged it
   * and the errors of those that failed on it; an alert per finding.
   */
  verdict(pending: Pending, kind: FactKind, hits: readonly RuleHit[], errors: readonly Error[], revision: string, now: number, deadLetterErrors = true): void {
    const { fact } = pending;
    const factId = fact.id ?? '';
    const host = fact.source?.host ?? '';
    const target = subjectOf(pending.input, kind, host);
    this.counts.verdicts++;
    if (pending.missing) this.counts.contextMissing++;
    if (deadLetterErrors) {
      for (const error of errors) this.deadLetter('evaluation', error, pending.subject, encodeFactBatch({ facts: [fact] }), factId);
    }
    const findings = findingsFrom(hits, target);
    if (this.withVerdicts) this.publications.push({
      subject: subjects.verdicts(kind, host),
      // The verdict stream keeps one verdict per fact, however often the fact is redelivered.
      ...(factId === '' ? {} : { msgId: `verdict-${factId}` }),
      payload: encodeVerdict({
        fact_id: factId,
        kind,
        source: fact.source ?? null,
        subject: target,
        findings,
        evaluated_at_ms: now,
        bundle_revision: revision,
        ...(errors.length === 0 ? {} : { error: errors.map(String).join('; ') }),
        ...(pending.missing ? { context_missing: pending.missing } : {}),
      }),
    });
    for (const alert of alertsFrom(fact, findings, now)) {
      const severity = severityName(alert.finding?.severity) as SeverityName;
      this.counts.alerts++;
      this.publications.push({
        subject: subjects.alerts(severity, kind, host),
        payload: encodeAlert(alert),
        msgId: alert.id ?? undefined,
        throttleKey: throttleKey(alert),
        observedAtMs: Number(alert.observed_at_ms ?? 0),
      });
    }
  }

  build(): Judgement {
    return { publications: this.publications, counts: this.counts, samples: this.samples, observations: this.observations, context: this.context };
  }
}
