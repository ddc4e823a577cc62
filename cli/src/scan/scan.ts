import {
  ContextCache,
  contextKeyOf,
  contextNeedsOf,
  contextValueOf,
  defaultBundlePath,
  findingsFrom,
  PolicyEvaluator,
  readBundleFile,
  subjectOf,
  type Bundle,
  type ContextPart,
} from '../../../engine/src/index.js';
import {
  factKindOf,
  findingToJSON,
  toPolicyInput,
  type FactInit,
  type FactKind,
  type FindingJSON,
  type SubjectInit,
} from '../../../proto/src/index.js';
import type { FieldProbe } from '../../../collectors/src/index.js';
import { causeLines, findingKey, SCAN_EVALUATION_BUDGET } from './field-lines.js';
import { gatherFacts } from './gather.js';
import type { FeedRecord } from './vulnerability-feed.js';

export interface ScanOptions {
  targets: string[];
  docker?: boolean;
  dockerImages?: boolean;
  hostRoot?: string;
  /** Judge the Docker host itself (daemon, host settings, Docker's files: CIS 1-3), seen at hostRoot (default /). */
  host?: boolean;
  socketPath?: string;
  bundlePath?: string;
  /** The bundle already read (the caller needs its manifest too): read once, not twice. */
  bundle?: Bundle;
  /** Draw a progress bar on stderr while images are read. */
  progress?: boolean;
  /** Globs (relative to the working directory) of directories and files a directory walk leaves out. */
  skip?: { dirs: string[]; files: string[] };
  /** The Kubernetes minor version (1.x) whose Pod Security Standards judge manifests; default the newest. */
  pssVersion?: number;
  /**
   * Point each manifest finding at the line of the node that causes it (more
   * evaluations per container with findings); else at its container's start.
   */
  causeLines?: boolean;
  /** Fact files (`vigil facts export`) whose facts are judged as they are. */
  factFiles?: string[];
  /** OSV records for VGL-IMG-016, in place of the bundle's own data.vigil.vulnerabilities. */
  vulnerabilities?: FeedRecord[];
}

/** The Pod Security Standards versions `vigil scan` judges by, as Kubernetes' Pod Security admission has them. */
export const PSS_VERSIONS = { oldest: 25, newest: 37 } as const;

export interface ScanError {
  source: string;
  error: string;
}

/** A finding a manifest-declared exception waived, with the reason the manifest gives. */
export interface ExceptedFindingJSON extends FindingJSON {
  exception: { justification: string; expires: string };
}

export interface ScanReport {
  findings: ScanFinding[];
  /** Findings waived by the exceptions manifests declare for themselves (vigil.dev/exceptions). */
  excepted: ExceptedFindingJSON[];
  errors: ScanError[];
}

/** A fact to judge and where it came from (a file, the Docker socket, a host root). */
export interface SourcedFact {
  fact: FactInit;
  source: string;
  /** 1-based line in the source file where what the fact describes starts (manifests). */
  line?: number;
  /** For manifest containers: finds the line of the node that causes each finding. */
  probe?: FieldProbe;
}

/** A finding of a scan, with the line of its source file: the rule's own (Dockerfiles), else where its manifest object starts. */
export type ScanFinding = FindingJSON & { line?: number };

/** One-shot scan: gather facts from the targets, evaluate each in-process, no NATS. */
export async function scan(options: ScanOptions): Promise<ScanReport> {
  const overlay = {
    vigil: {
      ...(options.pssVersion === undefined ? {} : { config: { pss_version: options.pssVersion } }),
      ...(options.vulnerabilities === undefined ? {} : { vulnerabilities: options.vulnerabilities }),
    },
  };
  const evaluator = await PolicyEvaluator.load(options.bundle ?? (await readBundleFile(options.bundlePath ?? defaultBundlePath())), overlay);
  const { facts, errors } = await gatherFacts(options);
  return { ...evaluateAll(evaluator, facts, errors, options.causeLines === true), errors };
}

export function evaluateAll(
  evaluator: PolicyEvaluator,
  facts: readonly SourcedFact[],
  errors: ScanError[],
  findCauseLines = false,
): { findings: ScanFinding[]; excepted: ExceptedFindingJSON[] } {
  const findings: ScanFinding[] = [];
  const excepted: ExceptedFindingJSON[] = [];
  const budget = { left: SCAN_EVALUATION_BUDGET };
  const context = contextOf(evaluator, facts);
  for (const { fact, source, line, probe } of facts) {
    const kind = factKindOf(fact);
    if (!kind) {
      errors.push({ source, error: 'fact has no kind' });
      continue;
    }
    const input = toPolicyInput(fact);
    const needs = context.needs.get(kind);
    if (needs) context.cache.attach(kind, input, needs);
    try {
      const subject = subjectOf(input, kind, source);
      const kept = findingsFrom(evaluator.evaluate(input, kind), subject).map(findingToJSON);
      const causes = findCauseLines && probe && kept.length > 0 ? causeLines(evaluator, kind, subject, kept, probe, budget) : undefined;
      findings.push(...kept.map((f) => ({ ...f, ...lineOf(f, causes, line) })));
      excepted.push(...waivedByDeclarations(evaluator, fact, kind, subject, kept));
    } catch (error) {
      errors.push({ source, error: `policy evaluation failed: ${(error as Error).message}` });
    }
  }
  return { findings, excepted };
}

/**
 * What rules reading `input.context` are joined with: the latest container,
 * image and host fact among the scanned ones (a fact file holds a stretch of
 * time; the scan judges each event with what the whole file knows of its
 * container, not only with what came before it, as an engine would).
 */
function contextOf(evaluator: PolicyEvaluator, facts: readonly SourcedFact[]): { cache: ContextCache; needs: Map<FactKind, Set<ContextPart>> } {
  const needs = contextNeedsOf(evaluator.bundle.manifest);
  const cache = new ContextCache();
  if (needs.size === 0) return { cache, needs };
  const latest = new Map<string, { at: number; value: Uint8Array }>();
  for (const { fact } of facts) {
    const kind = factKindOf(fact);
    const key = kind && contextKeyOf(kind, fact);
    if (!key) continue;
    const at = Number(fact.observed_at_ms ?? 0);
    if ((latest.get(key)?.at ?? -1) <= at) latest.set(key, { at, value: contextValueOf(fact) });
  }
  cache.apply([...latest].map(([key, { value }]) => [key, value]));
  return { cache, needs };
}

/** The finding's own line, else the node that causes it, else where its object starts. */
function lineOf(finding: FindingJSON, causes: Map<string, number> | undefined, start: number | undefined): { line?: number } {
  const line = finding.line ?? causes?.get(findingKey(finding)) ?? start;
  return line === undefined ? {} : { line };
}

/**
 * What the fact's own declared exceptions waived: the findings of the same
 * fact evaluated without them, less those that stand. The policy library
 * decides what a declaration waives; this only makes it visible. One more
 * evaluation, for facts that declare something.
 */
function waivedByDeclarations(
  evaluator: PolicyEvaluator,
  fact: FactInit,
  kind: FactKind,
  subject: SubjectInit,
  kept: readonly FindingJSON[],
): ExceptedFindingJSON[] {
  const declared = fact.container?.declared_exceptions ?? fact.image?.declared_exceptions ?? fact.dockerfile?.declared_exceptions ?? [];
  if (declared.length === 0) return [];
  const undeclared = toPolicyInput(
    fact.container
      ? { ...fact, container: { ...fact.container, declared_exceptions: [] } }
      : fact.image
        ? { ...fact, image: { ...fact.image, declared_exceptions: [] } }
        : { ...fact, dockerfile: { ...fact.dockerfile, declared_exceptions: [] } },
  );
  const standing = new Set(kept.map(findingKey));
  return findingsFrom(evaluator.evaluate(undeclared, kind), subject)
    .map(findingToJSON)
    .filter((f) => !standing.has(findingKey(f)))
    .map((f) => {
      const entry = declared.find((e) => (e.rules ?? []).includes(f.rule_id) && (e.justification ?? '').trim() !== '');
      return { ...f, exception: { justification: entry?.justification ?? '', expires: entry?.expires ?? '' } };
    });
}
