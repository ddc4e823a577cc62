import { applyTransform, compileCondition, literalMatcher, NOTHING, UNKNOWN, ValueTable, type Condition, type Scalar, type ValuePath } from './conditions.js';

/** What a generated selector calls back into: closure tests for what it does not inline, constant sets, transforms, matchers. */
interface Runtime {
  table: ValueTable;
  tests: Array<() => boolean>;
  sets: Array<Set<unknown>>;
  transforms: Array<(value: unknown) => unknown>;
  matchers: Array<(s: string) => boolean>;
}

export type Selector = (input: unknown, data: unknown) => { ids: Record<string, true>; count: number };

const UNSET = Symbol('unset');

/**
 * One JavaScript function per fact kind, generated from the rules'
 * conditions. A value reached by a chain of object keys (then transformed, or
 * not) is one value: it is read at most once per fact, and the tests on it are
 * inlined, UNKNOWN (a transform JS cannot mirror) counting as a match as in
 * `compileCondition`. What iterates, and membership in a base document, call
 * the closures of `compileCondition`. Every literal enters the source through
 * JSON.stringify.
 */
export function generateSelector(rules: ReadonlyArray<{ id: string; condition: Condition | undefined }>): Selector {
  const rt: Runtime = { table: new ValueTable(), tests: [], sets: [], transforms: [], matchers: [] };
  const plain = new Map<string, { index: number; path: ValuePath }>();
  const lines: string[] = [];

  const plainValue = (path: ValuePath): string => {
    const key = JSON.stringify(path);
    let entry = plain.get(key);
    if (entry === undefined) plain.set(key, (entry = { index: plain.size, path }));
    return `(v${entry.index} === UNSET ? (v${entry.index} = ${readExpression(path, rt)}) : v${entry.index})`;
  };
  const viaClosure = (condition: Condition): string => {
    rt.tests.push(compileCondition(condition, rt.table));
    return `rt.tests[${rt.tests.length - 1}]()`;
  };
  const literal = (value: Scalar): string => JSON.stringify(value);

  const expression = (condition: Condition): string => {
    if ('all' in condition) return condition.all.length === 0 ? 'true' : `(${condition.all.map(expression).join(' && ')})`;
    if ('any' in condition) return condition.any.length === 0 ? 'false' : `(${condition.any.map(expression).join(' || ')})`;
    if (!isSingle(condition.of) || condition.test === 'member') return viaClosure(condition);
    const v = plainValue(condition.of);
    switch (condition.test) {
      case 'defined':
        return `(${v} !== undefined)`;
      case 'truthy':
        return `(x = ${v}, x !== undefined && x !== false)`;
      case 'falsy':
        return `(x = ${v}, x === undefined || x === false || x === UNKNOWN)`;
      case 'eq':
        rt.sets.push(new Set<unknown>(condition.values));
        return `(x = ${v}, x === UNKNOWN || rt.sets[${rt.sets.length - 1}].has(x))`;
      case 'ne':
        return `(x = ${v}, x !== undefined && (x === UNKNOWN || ${condition.values.map((c) => `x !== ${literal(c)}`).join(' || ') || 'false'}))`;
      case 'startswith':
      case 'endswith':
      case 'contains': {
        const method = condition.test === 'startswith' ? 'startsWith' : condition.test === 'endswith' ? 'endsWith' : 'includes';
        const strings = condition.values.filter((c): c is string => typeof c === 'string');
        return `(x = ${v}, x === UNKNOWN || (typeof x === 'string' && (${strings.map((c) => `x.${method}(${literal(c)})`).join(' || ') || 'false'})))`;
      }
      case 'regex': {
        const matches = literalMatcher(condition.patterns);
        if (matches === undefined) return 'true';
        rt.matchers.push(matches);
        return `(x = ${v}, x === UNKNOWN || (typeof x === 'string' && rt.matchers[${rt.matchers.length - 1}](x)))`;
      }
    }
  };

  for (const { id, condition } of rules) {
    const test = condition === undefined ? 'true' : expression(condition);
    lines.push(`  if (${test}) { ids[${JSON.stringify(id)}] = true; count++; }`);
  }
  const locals = [...plain.values()].map((p) => `v${p.index} = UNSET`);
  // Only the interpreter's closures read through the table.
  const source = [
    '"use strict";',
    'return function select(input, data) {',
    ...(rt.tests.length > 0 ? ['  rt.table.begin(input, data);'] : []),
    '  const ids = {};',
    '  let count = 0;',
    // The value a test is on; each test sets it before it reads it.
    '  let x;',
    ...(locals.length > 0 ? [`  let ${locals.join(', ')};`] : []),
    ...lines,
    '  return { ids, count };',
    '};',
  ].join('\n');
  return new Function('rt', 'UNSET', 'UNKNOWN', 'field', 'ownField', source)(rt, UNSET, UNKNOWN, field, ownField) as Selector;
}

/** A chain of object keys reaches at most one value. */
function isSingle(path: ValuePath): boolean {
  return path.steps.every((s) => typeof s === 'string');
}

/**
 * A single-valued path as nested field reads (undefined once a step is not
 * an object or lacks the key), then its transforms: undefined where OPA's
 * builtin would be undefined, UNKNOWN where JS cannot mirror it.
 */
function readExpression(path: ValuePath, rt: Runtime): string {
  let expression = path.root === 'input' ? 'input' : 'data';
  for (const step of path.steps as string[]) {
    // Only a name Object.prototype also has needs the slower own-property test.
    expression = `${step in Object.prototype ? 'ownField' : 'field'}(${expression}, ${JSON.stringify(step)})`;
  }
  const transforms = path.transforms ?? [];
  if (transforms.length === 0) return expression;
  rt.transforms.push((value) => {
    let out = value;
    for (const transform of transforms) {
      if (out === undefined) return undefined;
      out = applyTransform(transform, out);
      if (out === NOTHING) return undefined;
    }
    return out;
  });
  return `rt.transforms[${rt.transforms.length - 1}](${expression})`;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined;
}

function ownField(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined;
}
