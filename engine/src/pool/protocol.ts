import type { EngineErrorCode } from '../errors.js';
import type { BundleMeta } from '../policy/evaluator.js';
import type { WasmModule } from '../policy/wasm.js';
import type { BatchSample, FactMessage, Judgement, JudgementCounts, Publication } from './judge.js';
import type { Observation } from '../profiles/model.js';
import type { ContextEntry } from '../context/context-cache.js';

/** One bundle of the set a worker serves: its compiled module and what else it was read with. */
export interface MemberInit {
  name: string;
  module: WasmModule;
  bundle: BundleMeta;
}

/**
 * Side by side, the rules member `to` does not judge but takes the findings
 * of from member `from`: rules both have with the same digest, which find the
 * same on any fact. Both members must be triggered by the same facts.
 */
export interface SharedRules {
  from: string;
  to: string;
  rules: string[];
}

/** What a worker is started with (its `workerData`). */
export interface WorkerInit {
  members: MemberInit[];
  overlay: Record<string, unknown>;
  /** The members are versions of one bundle compared (see PoolPolicies.sideBySide). */
  sideBySide?: boolean;
  /** Rules one member takes from another instead of judging them (see PoolPolicies.shared). */
  shared?: SharedRules;
  maxMemoryPages: number;
  batchSize?: number;
  /** CPU time to spend judging exemplar facts before taking real ones (0: none). */
  warmupMs?: number;
  /** Extract profile observations from runtime facts. */
  observe?: boolean;
  /** False: judgements carry no verdicts (replays and shadows publish none). */
  verdicts?: boolean;
  /** The context held when the worker was started; changes follow as `context` messages. */
  context?: ContextEntry[];
}

/**
 * Many small byte arrays as one buffer and their end offsets. Small arrays
 * cloned one by one would each copy their whole backing buffer (protobufjs and
 * nats.js hand out views of shared slabs); one packed buffer is transferred.
 */
export interface Packed {
  bytes: Uint8Array;
  ends: number[];
}

export interface PackedMessages extends Packed {
  subjects: string[];
}

export interface PackedJudgement extends Packed {
  subjects: string[];
  msgIds: (string | null)[];
  /** Alerts' throttle keys, so the publishing thread need not decode alerts to throttle them. */
  throttleKeys: (string | null)[];
  /** Alerts' observation times (0 for other publications). */
  observedAt: number[];
  counts: JudgementCounts;
  samples: BatchSample[];
  observations: Observation[];
  context: ContextEntry[];
  revision: string;
}

export type ToWorker =
  | { type: 'task'; id: number; messages: PackedMessages }
  | { type: 'data'; id: number; overlay: Record<string, unknown> }
  /** Latest facts changed; not answered. */
  | { type: 'context'; entries: ContextEntry[] };

export type FromWorker =
  | { type: 'ready'; revision: string }
  /** `error` when the failure was a VigilEngineError, to be made again with its code. */
  | { type: 'load-failed'; message: string; error?: { code: EngineErrorCode; args: readonly string[] } }
  | { type: 'judged'; id: number; judgement: PackedJudgement }
  | { type: 'data-set'; id: number; error?: string };

export function pack(parts: readonly Uint8Array[]): Packed {
  let total = 0;
  for (const part of parts) total += part.byteLength;
  const bytes = new Uint8Array(total);
  const ends: number[] = [];
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
    ends.push(offset);
  }
  return { bytes, ends };
}

/** Views into the packed buffer, in order. */
export function unpack({ bytes, ends }: Packed): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let start = 0;
  for (const end of ends) {
    parts.push(bytes.subarray(start, end));
    start = end;
  }
  return parts;
}

export function packMessages(messages: readonly FactMessage[]): PackedMessages {
  return { ...pack(messages.map((m) => m.data)), subjects: messages.map((m) => m.subject) };
}

export function unpackMessages(packed: PackedMessages): FactMessage[] {
  return unpack(packed).map((data, i) => ({ subject: packed.subjects[i] ?? '', data }));
}

export function packJudgement(judgement: Judgement, revision: string): PackedJudgement {
  const { publications } = judgement;
  return {
    ...pack(publications.map((p) => p.payload)),
    subjects: publications.map((p) => p.subject),
    msgIds: publications.map((p) => p.msgId ?? null),
    throttleKeys: publications.map((p) => p.throttleKey ?? null),
    observedAt: publications.map((p) => p.observedAtMs ?? 0),
    counts: judgement.counts,
    samples: judgement.samples,
    observations: judgement.observations,
    context: judgement.context,
    revision,
  };
}

export function unpackPublications(packed: PackedJudgement): Publication[] {
  return unpack(packed).map((payload, i) => {
    const publication: Publication = { subject: packed.subjects[i] ?? '', payload };
    const msgId = packed.msgIds[i];
    const throttleKey = packed.throttleKeys[i];
    if (msgId) publication.msgId = msgId;
    if (throttleKey) publication.throttleKey = throttleKey;
    const observedAt = packed.observedAt[i];
    if (observedAt) publication.observedAtMs = observedAt;
    return publication;
  });
}
