import { findingsFrom, type PolicyEvaluator } from '../../../engine/src/index.js';
import type { FieldProbe, NodePath } from '../../../collectors/src/index.js';
import { findingToJSON, toPolicyInput, type FactKind, type FindingJSON, type SubjectInit } from '../../../proto/src/index.js';

/** Evaluations one container may spend on finding its lines; past it, findings keep their container's line. */
const MAX_EVALUATIONS = 150;

/** What one scan may spend on the search in all: a repository of thousands of manifests stays a matter of seconds. */
export const SCAN_EVALUATION_BUDGET = 20_000;

export interface EvaluationBudget {
  left: number;
}

/** A finding's identity within one subject: its rule and its message. */
export const findingKey = (f: Pick<FindingJSON, 'rule_id' | 'message'>): string => `${f.rule_id}\u0000${f.message}`;

/**
 * The manifest line that causes each finding: the deepest node of the
 * container's part of the document without which the finding disappears
 * (its rule no longer fires with that message). A finding no single node
 * causes, such as a limit that is missing, gets no line here and keeps the
 * line where its container starts.
 */
export function causeLines(
  evaluator: PolicyEvaluator,
  kind: FactKind,
  subject: SubjectInit,
  findings: readonly FindingJSON[],
  probe: FieldProbe,
  budget: EvaluationBudget,
): Map<string, number> {
  const judged = new Map<string, Set<string> | undefined>();
  let evaluations = 0;
  const standing = (path: NodePath): Set<string> | undefined => {
    const id = JSON.stringify(path);
    if (judged.has(id)) return judged.get(id);
    if (evaluations >= MAX_EVALUATIONS || budget.left <= 0) return undefined;
    evaluations++;
    budget.left--;
    const fact = probe.without(path);
    const keys = fact ? new Set(findingsFrom(evaluator.evaluate(toPolicyInput({ container: fact }), kind), subject).map((f) => findingKey(findingToJSON(f)))) : undefined;
    judged.set(id, keys);
    return keys;
  };
  const lines = new Map<string, number>();
  for (const finding of findings) {
    const key = findingKey(finding);
    let candidates = probe.roots;
    let cause: NodePath | undefined;
    for (;;) {
      const causes = candidates.filter((path) => {
        const keys = standing(path);
        return keys !== undefined && !keys.has(key);
      });
      if (causes.length === 0) break;
      // Of several nodes that each cause it, the first in the file.
      cause = causes.map((path) => ({ path, line: probe.lineAt(path) ?? Number.MAX_SAFE_INTEGER })).sort((a, b) => a.line - b.line)[0]!.path;
      candidates = probe.children(cause);
    }
    const line = cause ? probe.lineAt(cause) : undefined;
    if (line !== undefined) lines.set(key, line);
  }
  return lines;
}
