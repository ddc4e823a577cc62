import type { FactKind } from '../../../../proto/src/index.js';
import type { Condition } from './conditions.js';
import { generateSelector, type Selector } from './codegen.js';

/** The fact kinds the build indexes: runtime events, judged at kernel rates. */
export const INDEXED_KINDS: readonly FactKind[] = ['process_exec', 'file_access', 'network_connection', 'privilege_change', 'syscall_set'];

/** The input key through which the engine tells the generated dispatch which rules to evaluate. */
export const SELECTED_RULES_KEY = '_vigil_rules';

/** What a bundle's manifest carries under `metadata.vigil.index`. */
export interface RuleIndexDocument {
  format: 1;
  /** Kinds whose rules were indexed; a rule of one of them without a condition is always evaluated. */
  kinds: FactKind[];
  /** Per rule id, what a fact must meet for that rule to fire. */
  conditions: Record<string, Condition>;
}

/**
 * The build-time index at evaluation time: per fact, the rules whose
 * conditions hold. A fact no rule can match never enters WASM; one that some
 * can is evaluated with only those (the dispatch in the generated main.rego).
 */
export class RuleIndex {
  private readonly byKind = new Map<FactKind, Selector>();

  constructor(document: RuleIndexDocument, rules: ReadonlyArray<{ id: string; kind: FactKind }>) {
    const indexed = new Set(document.kinds);
    const byKind = new Map<FactKind, Array<{ id: string; condition: Condition | undefined }>>();
    for (const kind of indexed) byKind.set(kind, []);
    for (const rule of rules) {
      if (indexed.has(rule.kind)) byKind.get(rule.kind)!.push({ id: rule.id, condition: document.conditions[rule.id] });
    }
    for (const [kind, list] of byKind) this.byKind.set(kind, generateSelector(list));
  }

  /**
   * The rules of the fact's kind that can fire on it, as the set the dispatch
   * reads (`{id: true}`), or undefined when its kind is not indexed (every rule of it is evaluated).
   */
  select(kind: FactKind, input: unknown, data: unknown): { ids: Record<string, true>; count: number } | undefined {
    return this.byKind.get(kind)?.(input, data);
  }
}
