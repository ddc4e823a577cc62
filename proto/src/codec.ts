import { vigil } from '../gen/vigil.js';
import { FACT_KINDS, isFactKind, type FactKind, type SeverityName } from './kinds.js';

export const v1 = vigil.v1;
export type Fact = vigil.v1.Fact;
export type FactInit = vigil.v1.IFact;
export type FactBatch = vigil.v1.FactBatch;
export type ContainerFactInit = vigil.v1.IContainerFact;
export type Finding = vigil.v1.Finding;
export type FindingInit = vigil.v1.IFinding;
export type Verdict = vigil.v1.Verdict;
export type VerdictInit = vigil.v1.IVerdict;
export type Alert = vigil.v1.Alert;
export type AlertInit = vigil.v1.IAlert;
export type DeadLetterInit = vigil.v1.IDeadLetter;
export type SubjectInit = vigil.v1.ISubject;
export type SourceInit = vigil.v1.ISource;

/**
 * The JSON shape policies receive as `input`: the whole `Fact` envelope with
 * proto field names, enums as names, 64-bit integers as numbers, absent scalars
 * and lists filled with their defaults, and `kind` naming the fact kind.
 */
export type PolicyInput = Record<string, unknown> & { kind?: FactKind };

const TO_OBJECT_OPTIONS = {
  enums: String,
  longs: Number,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
} as const;

export function encodeFactBatch(batch: vigil.v1.IFactBatch): Uint8Array {
  return v1.FactBatch.encode(batch).finish();
}

/** Throws when the bytes are not a FactBatch; callers turn that into a dead letter. */
export function decodeFactBatch(bytes: Uint8Array): FactBatch {
  return v1.FactBatch.decode(bytes);
}

export function factKindOf(fact: FactInit): FactKind | undefined {
  for (const kind of FACT_KINDS) {
    if (fact[kind] != null) return kind;
  }
  return undefined;
}

/** Decoded or plain fact → the JSON document policies evaluate. */
export function toPolicyInput(fact: FactInit): PolicyInput {
  const message = fact instanceof v1.Fact ? fact : v1.Fact.fromObject(fact as Record<string, unknown>);
  const input = v1.Fact.toObject(message, TO_OBJECT_OPTIONS) as PolicyInput;
  const kind = typeof input.kind === 'string' && isFactKind(input.kind) ? input.kind : undefined;
  if (kind === undefined) delete input.kind;
  else input.kind = kind;
  return input;
}

export function encodeVerdict(verdict: VerdictInit): Uint8Array {
  return v1.Verdict.encode(verdict).finish();
}

export function decodeVerdict(bytes: Uint8Array): Verdict {
  return v1.Verdict.decode(bytes);
}

export function encodeAlert(alert: AlertInit): Uint8Array {
  return v1.Alert.encode(alert).finish();
}

export function decodeAlert(bytes: Uint8Array): Alert {
  return v1.Alert.decode(bytes);
}

export function encodeDeadLetter(letter: DeadLetterInit): Uint8Array {
  return v1.DeadLetter.encode(letter).finish();
}

export function decodeDeadLetter(bytes: Uint8Array): vigil.v1.DeadLetter {
  return v1.DeadLetter.decode(bytes);
}

export function severityValue(name: SeverityName): vigil.v1.Severity {
  return v1.Severity[name];
}

export function severityName(value: vigil.v1.Severity | null | undefined): SeverityName | 'SEVERITY_UNSPECIFIED' {
  return (v1.Severity[value ?? 0] as SeverityName | undefined) ?? 'SEVERITY_UNSPECIFIED';
}

/** The finding as users see it in JSON output: frameworks as `{name: [ids]}`. */
export interface FindingJSON {
  rule_id: string;
  severity: string;
  title: string;
  message: string;
  recommended_action: string;
  frameworks: Record<string, string[]>;
  subject: { kind: string; name: string; id: string; source: string; image: string };
  /** The rule's tags, e.g. would-block; absent when it has none. */
  tags?: string[];
  /** The line of the subject's source file that causes the finding, when the rule names one. */
  line?: number;
}

export function findingToJSON(finding: FindingInit): FindingJSON {
  const frameworks: Record<string, string[]> = {};
  for (const [name, refs] of Object.entries(finding.frameworks ?? {})) {
    frameworks[name] = [...(refs.ids ?? [])];
  }
  const subject = finding.subject ?? {};
  return {
    rule_id: finding.rule_id ?? '',
    severity: severityName(finding.severity),
    title: finding.title ?? '',
    message: finding.message ?? '',
    recommended_action: finding.recommended_action ?? '',
    frameworks,
    ...(finding.tags && finding.tags.length > 0 ? { tags: [...finding.tags] } : {}),
    ...(finding.line ? { line: finding.line } : {}),
    subject: {
      kind: subject.kind ?? '',
      name: subject.name ?? '',
      id: subject.id ?? '',
      source: subject.source ?? '',
      image: subject.image ?? '',
    },
  };
}

export interface AlertJSON extends FindingJSON {
  alert_id: string;
  fact_id: string;
  host: string;
  observed_at: string;
  raised_at: string;
  count: number;
}

export function alertToJSON(alert: AlertInit): AlertJSON {
  return {
    alert_id: alert.id ?? '',
    ...findingToJSON(alert.finding ?? {}),
    fact_id: alert.fact_id ?? '',
    host: alert.source?.host ?? '',
    observed_at: new Date(Number(alert.observed_at_ms ?? 0)).toISOString(),
    raised_at: new Date(Number(alert.raised_at_ms ?? 0)).toISOString(),
    count: alert.count ?? 1,
  };
}
