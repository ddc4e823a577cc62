import type { FactKind } from '../../../../proto/src/index.js';
import { compileCondition, ValueTable, type Condition } from './conditions.js';

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

type Test = () => boolean;

/**
 * The build-time index at evaluation time: per fact, the rules whose
 * conditions hold. A fact no rule can match never enters WASM; one that some
 * can is evaluated with only those (the dispatch in the generated main.rego).
 */
export class RuleIndex {
  private readonly byKind = new Map<FactKind, Array<{ id: string; test: Test | undefined }>>();
  private readonly table = new ValueTable();

  constructor(document: RuleIndexDocument, rules: ReadonlyArray<{ id: string; kind: FactKind }>) {
    const indexed = new Set(document.kinds);
    for (const rule of rules) {
      if (!indexed.has(rule.kind)) continue;
      const condition = document.conditions[rule.id];
      const list = this.byKind.get(rule.kind) ?? [];
      list.push({ id: rule.id, test: condition ? compileCondition(condition, this.table) : undefined });
      this.byKind.set(rule.kind, list);
    }
    for (const kind of indexed) if (!this.byKind.has(kind)) this.byKind.set(kind, []);
  }

  /**
   * The rules of the fact's kind that can fire on it, as the set the dispatch
   * reads (`{id: true}`), or undefined when its kind is not indexed (every rule of it is evaluated).
   */
  select(kind: FactKind, input: unknown, data: unknown): { ids: Record<string, true>; count: number } | undefined {
    const rules = this.byKind.get(kind);
    if (!rules) return undefined;
    const ids: Record<string, true> = {};
    let count = 0;
    this.table.begin(input, data);
    for (const rule of rules) {
      if (rule.test && !rule.test()) continue;
      ids[rule.id] = true;
      count++;
    }
    return { ids, count };
  }
}
