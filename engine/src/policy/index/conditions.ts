import { requiredLiterals, subjectFor, type RequiredLiterals } from './regex-literals.js';

/**
 * Conditions the rule index derives from a rule's Rego at build time: what
 * must hold of a fact (and of the data documents) for the rule to fire at all.
 * They are necessary, never sufficient: an event that meets them is still
 * judged in WASM, one that does not cannot produce a finding of that rule.
 */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { test: 'defined' | 'truthy' | 'falsy'; of: ValuePath }
  | { test: 'eq' | 'ne' | 'startswith' | 'endswith' | 'contains'; of: ValuePath; values: Scalar[] }
  | { test: 'regex'; of: ValuePath; patterns: string[] }
  /** The value is a member of the collection at `in` (a base document) or, when that is not there, of `otherwise`. */
  | { test: 'member'; of: ValuePath; in: ValuePath; otherwise: Scalar[] };

export type Scalar = string | number | boolean | null;

/** A value read from the input (the policy input, i.e. the fact) or the data documents. */
export interface ValuePath {
  root: 'input' | 'data';
  steps: Step[];
  /** Applied in order to each value reached. */
  transforms?: Transform[];
}

/** An object key or array index; `each` iterates; `key` is a key read from the input. */
export type Step = string | number | { each: true } | { key: ValuePath };

export type Transform = 'lower' | 'trim_space' | 'basename' | { trim_prefix: string } | { trim_suffix: string };

export const ALWAYS: Condition = { all: [] };
export const NEVER: Condition = { any: [] };

export function all(parts: Condition[]): Condition {
  return combine('all', parts);
}

export function any(parts: Condition[]): Condition {
  return combine('any', parts);
}

/** Flattens nested parts of the same operator; NEVER absorbs `all`, ALWAYS absorbs `any`. */
function combine(op: 'all' | 'any', parts: Condition[]): Condition {
  const [absorbing, neutral] = op === 'all' ? [isNever, isAlways] : [isAlways, isNever];
  const kept: Condition[] = [];
  for (const part of parts) {
    if (absorbing(part)) return op === 'all' ? NEVER : ALWAYS;
    if (neutral(part)) continue;
    if (op === 'all' && 'all' in part) kept.push(...part.all);
    else if (op === 'any' && 'any' in part) kept.push(...part.any);
    else kept.push(part);
  }
  if (kept.length === 1) return kept[0]!;
  return op === 'all' ? { all: kept } : { any: kept };
}

export function isAlways(c: Condition): boolean {
  return 'all' in c && c.all.length === 0;
}

export function isNever(c: Condition): boolean {
  return 'any' in c && c.any.length === 0;
}

/** A value no twin can mirror exactly (a non-ASCII string to lower): the test holds. */
export const UNKNOWN = Symbol('unknown');
type Reached = unknown;

/**
 * The values conditions read, each worked out at most once per fact: rules
 * of one kind test the same few fields (the container, the process's names).
 */
export class ValueTable {
  private readonly readers: Array<(input: unknown, data: unknown) => Reached[]> = [];
  private readonly slots = new Map<string, number>();
  private cache: Array<Reached[] | undefined> = [];
  private stamps: number[] = [];
  private generation = 0;
  private input: unknown;
  private data: unknown;

  slot(path: ValuePath): number {
    const key = JSON.stringify(path);
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.readers.length;
      this.readers.push(compileValue(path));
      this.slots.set(key, slot);
    }
    return slot;
  }

  /** Starts a fact: values read before are forgotten. */
  begin(input: unknown, data: unknown): void {
    this.input = input;
    this.data = data;
    this.generation++;
  }

  read(slot: number): Reached[] {
    if (this.stamps[slot] === this.generation) return this.cache[slot]!;
    const values = this.readers[slot]!(this.input, this.data);
    this.cache[slot] = values;
    this.stamps[slot] = this.generation;
    return values;
  }
}

/**
 * Compiles a condition into a test of the fact the table was begun with,
 * regex literals worked out once. Wherever a value cannot be mirrored exactly
 * in JS the test holds, so the WASM decides.
 */
export function compileCondition(condition: Condition, table: ValueTable): () => boolean {
  if ('all' in condition) {
    const parts = condition.all.map((c) => compileCondition(c, table));
    return () => {
      for (const part of parts) if (!part()) return false;
      return true;
    };
  }
  if ('any' in condition) {
    const parts = condition.any.map((c) => compileCondition(c, table));
    return () => {
      for (const part of parts) if (part()) return true;
      return false;
    };
  }
  const slot = table.slot(condition.of);
  const read = (): Reached[] => table.read(slot);
  switch (condition.test) {
    case 'defined':
      return () => read().length > 0;
    case 'truthy':
      return () => {
        for (const v of read()) if (v !== false) return true;
        return false;
      };
    case 'falsy':
      return () => {
        for (const v of read()) if (v !== UNKNOWN && v !== false) return false;
        return true;
      };
    case 'eq': {
      const values = new Set<unknown>(condition.values);
      return () => {
        for (const v of read()) if (v === UNKNOWN || values.has(v)) return true;
        return false;
      };
    }
    case 'ne': {
      const values = condition.values;
      return () => read().some((v) => v === UNKNOWN || values.some((c) => c !== v));
    }
    case 'startswith':
    case 'endswith':
    case 'contains': {
      const test = condition.test;
      const values = condition.values.filter((v): v is string => typeof v === 'string');
      const check = (s: string): boolean =>
        values.some((c) => (test === 'startswith' ? s.startsWith(c) : test === 'endswith' ? s.endsWith(c) : s.includes(c)));
      return () => read().some((v) => v === UNKNOWN || (typeof v === 'string' && check(v)));
    }
    case 'member': {
      const collection = table.slot(condition.in);
      const otherwise = new Set<unknown>(condition.otherwise);
      return () => {
        const [found] = table.read(collection);
        let members: Set<unknown> = otherwise;
        if (found !== undefined) {
          const items = Array.isArray(found) ? found : isObject(found) ? Object.values(found) : undefined;
          // Not a collection, or one holding more than scalars: leave it to the WASM.
          if (!items || items.some((i) => typeof i === 'object' && i !== null) || found === UNKNOWN) return true;
          members = new Set<unknown>(items);
        }
        for (const v of read()) if (v === UNKNOWN || members.has(v)) return true;
        return false;
      };
    }
    case 'regex': {
      const matches = literalMatcher(condition.patterns);
      if (matches === undefined) return () => true;
      return () => read().some((v) => v === UNKNOWN || (typeof v === 'string' && matches(v)));
    }
  }
}

/**
 * Whether a string holds the literals one of `patterns` requires; undefined
 * when a pattern has none it knows (it could match anything).
 */
export function literalMatcher(patterns: readonly string[]): ((s: string) => boolean) | undefined {
  const sets = patterns.map(requiredLiterals);
  if (sets.some((s) => s === undefined)) return undefined;
  const known = sets as RequiredLiterals[];
  return (s) => {
    let lowered: string | undefined;
    return known.some((set) => {
      const subject = set.caseInsensitive ? (lowered ??= subjectFor(s, set)) : s;
      return set.any.some((lit) => subject.includes(lit));
    });
  };
}

function compileValue(path: ValuePath): (input: unknown, data: unknown) => Reached[] {
  const transforms = path.transforms ?? [];
  const finish = (values: Reached[]): Reached[] => {
    for (const transform of transforms) {
      const next: Reached[] = [];
      for (const value of values) {
        const out = applyTransform(transform, value);
        if (out !== NOTHING) next.push(out);
      }
      values = next;
    }
    return values;
  };
  if (path.steps.every((s) => typeof s === 'string')) {
    const names = path.steps as string[];
    // Only a name Object.prototype also has needs the slower own-property test.
    const inherited = names.some((name) => name in Object.prototype);
    const plain = transforms.length === 0;
    return (input, data) => {
      let value: unknown = path.root === 'input' ? input : data;
      for (let i = 0; i < names.length; i++) {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
        const name = names[i]!;
        if (inherited && !Object.hasOwn(value, name)) return [];
        value = (value as Record<string, unknown>)[name];
        if (value === undefined) return [];
      }
      return plain ? [value] : finish([value]);
    };
  }
  const keys = path.steps.map((s) => (typeof s === 'object' && 'key' in s ? compileValue(s.key) : undefined));
  return (input, data) => {
    let values: Reached[] = [path.root === 'input' ? input : data];
    path.steps.forEach((step, i) => {
      const next: Reached[] = [];
      const keyOf = keys[i];
      for (const value of values) {
        if (value === UNKNOWN) {
          next.push(UNKNOWN);
          continue;
        }
        if (typeof step === 'string') {
          if (isObject(value) && Object.hasOwn(value, step)) next.push(value[step]);
        } else if (typeof step === 'number') {
          if (Array.isArray(value) && step >= 0 && step < value.length) next.push(value[step]);
        } else if ('each' in step) {
          if (Array.isArray(value)) next.push(...value);
          else if (isObject(value)) next.push(...Object.values(value));
        } else if (keyOf) {
          for (const key of keyOf(input, data)) {
            if (key === UNKNOWN) next.push(UNKNOWN);
            else if (typeof key === 'string' && isObject(value) && Object.hasOwn(value, key)) next.push(value[key]);
            else if (typeof key === 'number' && Array.isArray(value) && key >= 0 && key < value.length) next.push(value[key]);
          }
        }
      }
      values = next;
    });
    return finish(values);
  };
}

/** What a builtin given a non-string gives in OPA: undefined, nothing reached. */
export const NOTHING = Symbol('nothing');
const ASCII = /^[\x00-\x7f]*$/;

export function applyTransform(transform: Transform, value: Reached): Reached {
  if (value === UNKNOWN) return UNKNOWN;
  if (typeof value !== 'string') return NOTHING;
  if (transform === 'lower') return ASCII.test(value) ? value.toLowerCase() : UNKNOWN;
  if (transform === 'trim_space') return ASCII.test(value) ? value.replace(/^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g, '') : UNKNOWN;
  if (transform === 'basename') return basename(value);
  if ('trim_prefix' in transform) return value.startsWith(transform.trim_prefix) ? value.slice(transform.trim_prefix.length) : value;
  return value.endsWith(transform.trim_suffix) && transform.trim_suffix !== '' ? value.slice(0, value.length - transform.trim_suffix.length) : value;
}

/** data.vigil.lib.paths.basename, mirrored: the last part of the cleaned path. */
export function basename(path: string): string {
  if (!path.includes('//') && !path.endsWith('/')) return path.slice(path.lastIndexOf('/') + 1);
  const stripped = path.split('//').join('/').replace(/\/+$/, '');
  const clean = stripped === '' ? (path.startsWith('/') ? '/' : '') : stripped;
  const parts = clean.split('/');
  return parts[parts.length - 1]!;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
