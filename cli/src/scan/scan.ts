import {
  defaultBundlePath,
  findingsFrom,
  PolicyEvaluator,
  readBundleFile,
  subjectOf,
} from '../../../engine/src/index.js';
import { factKindOf, findingToJSON, toPolicyInput, type FactInit, type FindingJSON } from '../../../proto/src/index.js';
import { gatherFacts } from './gather.js';

export interface ScanOptions {
  targets: string[];
  docker?: boolean;
  dockerImages?: boolean;
  hostRoot?: string;
  socketPath?: string;
  bundlePath?: string;
  /** Draw a progress bar on stderr while images are read. */
  progress?: boolean;
}

export interface ScanError {
  source: string;
  error: string;
}

export interface ScanReport {
  findings: FindingJSON[];
  errors: ScanError[];
}

/** A fact to judge and where it came from (a file, the Docker socket, a host root). */
export interface SourcedFact {
  fact: FactInit;
  source: string;
}

/** One-shot scan: gather facts from the targets, evaluate each in-process, no NATS. */
export async function scan(options: ScanOptions): Promise<ScanReport> {
  const evaluator = await PolicyEvaluator.load(await readBundleFile(options.bundlePath ?? defaultBundlePath()));
  const { facts, errors } = await gatherFacts(options);
  return { findings: evaluateAll(evaluator, facts, errors), errors };
}

export function evaluateAll(evaluator: PolicyEvaluator, facts: readonly SourcedFact[], errors: ScanError[]): FindingJSON[] {
  const findings: FindingJSON[] = [];
  for (const { fact, source } of facts) {
    const kind = factKindOf(fact);
    if (!kind) {
      errors.push({ source, error: 'fact has no kind' });
      continue;
    }
    const input = toPolicyInput(fact);
    try {
      for (const finding of findingsFrom(evaluator.evaluate(input, kind), subjectOf(input, kind, source))) {
        findings.push(findingToJSON(finding));
      }
    } catch (error) {
      errors.push({ source, error: `policy evaluation failed: ${(error as Error).message}` });
    }
  }
  return findings;
}
