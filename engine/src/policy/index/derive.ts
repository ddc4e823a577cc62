import { all, ALWAYS, any, NEVER, type Condition, type Scalar, type Step, type Transform, type ValuePath } from './conditions.js';

/** The JSON AST `opa parse --format json` prints, as far as the index reads it. */
export interface AstTerm {
  type: string;
  value: unknown;
}
interface AstExpr {
  terms: AstTerm | AstTerm[] | { symbols: AstTerm[] };
  negated?: boolean;
  with?: unknown[];
}
interface AstRule {
  head: { name?: string; ref?: AstTerm[]; args?: AstTerm[]; value?: AstTerm; key?: AstTerm };
  body: AstExpr[];
  else?: AstRule;
  default?: boolean;
}
export interface AstModule {
  package: { path: AstTerm[] };
  imports?: { path: AstTerm; alias?: string }[];
  rules?: AstRule[];
}

/** What a term stands for while a body is read. */
type Abstract =
  | { k: 'value'; path: ValuePath }
  | { k: 'consts'; values: Scalar[] }
  | { k: 'collection'; items: Scalar[] }
  | { k: 'object'; keys: string[]; values: Map<string, Abstract> }
  /** A collection read from a base document when it is there, else a constant one (a configurable list with its default). */
  | { k: 'either'; primary: ValuePath; otherwise: Scalar[] }
  | { k: 'unknown' };

const UNKNOWN: Abstract = { k: 'unknown' };
const MAX_DEPTH = 8;

interface Module {
  path: string;
  imports: Map<string, string[]>;
  rules: Map<string, AstRule[]>;
}

/**
 * Derives, per rule package, the condition an input must meet for its `deny`
 * to have any member. It reads the Rego itself: field tests against constants
 * (`fact.read`, `fact.change == "mount"`, `p.uid == 0`, `x in {"nc", ...}`,
 * `not fact.container.host`), string tests (`startswith`, `endswith`,
 * `contains`, `regex.match` through its required literals), iteration
 * (`some dir in _dirs`, `some arg in p.args`) and calls of the policy's own
 * functions, inlined with their arguments. Whatever it cannot read counts as
 * true, so the condition only ever errs towards judging a fact.
 */
export class IndexDeriver {
  private readonly modules = new Map<string, Module>();
  /** Conditions met by reading a term (a constant object's key), gathered per expression. */
  private pending: Condition[] = [];
  private readonly packages = new Set<string>();

  constructor(modules: readonly AstModule[]) {
    for (const ast of modules) {
      const path = (constantSegments(ast.package.path) ?? []).slice(1).join('.');
      this.packages.add(path);
      const module: Module = this.modules.get(path) ?? { path, imports: new Map(), rules: new Map() };
      for (const imp of ast.imports ?? []) {
        const segments = refPath(imp.path);
        if (segments[0] !== 'data') continue;
        module.imports.set(imp.alias ?? segments[segments.length - 1]!, segments.slice(1));
      }
      for (const rule of ast.rules ?? []) {
        const name = ruleName(rule);
        if (name === undefined) continue;
        module.rules.set(name, [...(module.rules.get(name) ?? []), rule]);
      }
      this.modules.set(path, module);
    }
  }

  /** The condition for `data.<pkg>.deny` to be non-empty; ALWAYS when nothing is known. */
  denyCondition(pkg: string): Condition {
    const module = this.modules.get(pkg);
    const rules = module?.rules.get('deny');
    if (!module || !rules) return ALWAYS;
    return any(rules.map((rule) => this.body(rule.body, new Map(), module, 0)));
  }

  private body(exprs: readonly AstExpr[], env: Map<string, Abstract>, module: Module, depth: number): Condition {
    const scope = new Map(env);
    const parts: Condition[] = [];
    for (const expr of exprs) parts.push(this.expr(expr, scope, module, depth));
    return all(parts);
  }

  private expr(expr: AstExpr, env: Map<string, Abstract>, module: Module, depth: number): Condition {
    const outer = this.pending;
    this.pending = [];
    try {
      const condition = this.exprAlone(expr, env, module, depth);
      return expr.negated || (expr.with && expr.with.length > 0) ? condition : all([...this.pending, condition]);
    } finally {
      this.pending = outer;
    }
  }

  private exprAlone(expr: AstExpr, env: Map<string, Abstract>, module: Module, depth: number): Condition {
    const terms = expr.terms;
    if (expr.with && expr.with.length > 0) {
      forgetAssigned(terms, env);
      return ALWAYS;
    }
    if (!Array.isArray(terms) && 'symbols' in terms) {
      for (const symbol of terms.symbols) this.some(symbol, env, module);
      return ALWAYS;
    }
    if (expr.negated) {
      if (Array.isArray(terms)) return ALWAYS;
      const value = this.term(terms, env, module);
      return value.k === 'value' && !iterates(value.path) ? { test: 'falsy', of: value.path } : ALWAYS;
    }
    if (!Array.isArray(terms)) return this.single(terms, env, module, depth);
    const [operator, ...args] = terms;
    const name = operatorName(operator!);
    switch (name) {
      case 'assign':
      case 'eq':
        return this.unify(args[0]!, args[1]!, env, module, depth, name === 'assign');
      case 'equal':
        return compare('eq', this.term(args[0]!, env, module), this.term(args[1]!, env, module));
      case 'neq':
        return compare('ne', this.term(args[0]!, env, module), this.term(args[1]!, env, module));
      case 'internal.member_2':
        return membership(this.term(args[0]!, env, module), this.term(args[1]!, env, module));
      case 'startswith':
      case 'endswith':
      case 'contains':
        return stringTest(name, this.term(args[0]!, env, module), this.term(args[1]!, env, module));
      case 'regex.match': {
        const pattern = this.term(args[0]!, env, module);
        const subject = this.term(args[1]!, env, module);
        if (subject.k !== 'value' || pattern.k !== 'consts' || !pattern.values.every((p) => typeof p === 'string')) return ALWAYS;
        return { test: 'regex', of: subject.path, patterns: pattern.values as string[] };
      }
      default:
        return this.call(operator!, args, env, module, depth);
    }
  }

  /** `x := value`, `x = value`: binds x; a call's definedness is required. */
  private unify(left: AstTerm, right: AstTerm, env: Map<string, Abstract>, module: Module, depth: number, declares: boolean): Condition {
    // `:=` declares its left side; `=` binds whichever side is a variable not yet bound and not naming a rule or import.
    const free = (t: AstTerm): boolean =>
      t.type === 'var' && !env.has(String(t.value)) && (declares || (!module.rules.has(String(t.value)) && !module.imports.has(String(t.value))));
    if (!declares && free(right) && !free(left)) [left, right] = [right, left];
    if (free(left)) {
      const rule = this.ruleValue(right, env, module, depth);
      if (rule) {
        env.set(String(left.value), rule.value);
        return rule.condition;
      }
      env.set(String(left.value), this.term(right, env, module));
      if (right.type === 'call') {
        const [operator, ...args] = right.value as AstTerm[];
        return this.call(operator!, args, env, module, depth);
      }
      return ALWAYS;
    }
    // Destructuring binds the variables inside the pattern to values not followed here.
    if (left.type !== 'var') forgetVars(left, env);
    if (right.type !== 'var') forgetVars(right, env);
    return compare('eq', this.term(left, env, module), this.term(right, env, module));
  }

  /**
   * `fact := _outbound`, a rule of the policy without arguments: its bodies'
   * condition, and its value when that is a plain ref into the input.
   */
  private ruleValue(term: AstTerm, env: Map<string, Abstract>, module: Module, depth: number): { value: Abstract; condition: Condition } | undefined {
    if (term.type !== 'var' && term.type !== 'ref') return undefined;
    const head = term.type === 'var' ? term : (term.value as AstTerm[])[0];
    if (head?.type !== 'var' || env.has(String(head.value)) || head.value === 'input') return undefined;
    const target = this.rulesOf(term, module);
    if (!target || target.rules.some((r) => r.head.args || r.head.key)) return undefined;
    const condition = this.inline(target.rules, [], target.module, depth);
    const [only] = target.rules;
    const headValue = target.rules.length === 1 && !only!.else ? only!.head.value : undefined;
    const segments = headValue?.type === 'ref' ? constantSegments(headValue.value as AstTerm[]) : undefined;
    const value: Abstract = segments?.[0] === 'input' ? { k: 'value', path: { root: 'input', steps: segments.slice(1) } } : UNKNOWN;
    return { value, condition };
  }

  /** `some x in xs`, `some k, v in xs`. */
  private some(symbol: AstTerm, env: Map<string, Abstract>, module: Module): void {
    if (symbol.type !== 'call') {
      if (symbol.type === 'var') env.set(String(symbol.value), UNKNOWN);
      return;
    }
    const [operator, ...args] = symbol.value as AstTerm[];
    const name = operatorName(operator!);
    const element = name === 'internal.member_2' ? args[0] : name === 'internal.member_3' ? args[1] : undefined;
    if (name === 'internal.member_3' && args[0]?.type === 'var') env.set(String(args[0].value), UNKNOWN);
    const over = args[args.length - 1];
    if (!element || element.type !== 'var' || !over) return;
    const collection = this.term(over, env, module);
    env.set(String(element.value), elementsOf(collection));
  }

  /** A lone term as an expression: a field must be truthy, a boolean rule must hold. */
  private single(term: AstTerm, env: Map<string, Abstract>, module: Module, depth: number): Condition {
    if (term.type === 'boolean') return term.value === true ? ALWAYS : NEVER;
    if (term.type === 'call') {
      const [operator, ...args] = term.value as AstTerm[];
      return this.call(operator!, args, env, module, depth);
    }
    if (term.type === 'ref' || term.type === 'var') {
      const head = term.type === 'var' ? term : (term.value as AstTerm[])[0];
      const local = head?.type === 'var' && (env.has(String(head.value)) || head.value === 'input');
      const rules = local ? undefined : this.rulesOf(term, module);
      if (rules) return this.inline(rules.rules, [], rules.module, depth);
      const value = this.term(term, env, module);
      if (value.k === 'value') return { test: 'truthy', of: value.path };
    }
    return ALWAYS;
  }

  /** A call of the policy's own function: the condition of any of its bodies, arguments bound. */
  private call(operator: AstTerm, args: readonly AstTerm[], env: Map<string, Abstract>, module: Module, depth: number): Condition {
    const target = this.rulesOf(operator, module);
    if (!target) return ALWAYS;
    return this.inline(target.rules, args.map((a) => this.term(a, env, module)), target.module, depth);
  }

  private inline(rules: readonly AstRule[], args: readonly Abstract[], module: Module, depth: number): Condition {
    if (depth >= MAX_DEPTH) return ALWAYS;
    const bodies: Condition[] = [];
    for (const first of rules) {
      if (first.default) return ALWAYS;
      for (let rule: AstRule | undefined = first; rule; rule = rule.else) {
        const scope = new Map<string, Abstract>();
        const params = rule.head.args ?? [];
        if (params.length !== args.length) return ALWAYS;
        const bound: Condition[] = [];
        params.forEach((param, i) => {
          if (param.type === 'var') {
            if (!String(param.value).startsWith('$')) scope.set(String(param.value), args[i]!);
            return;
          }
          const constant = constantOf(param);
          bound.push(constant === undefined ? ALWAYS : compare('eq', args[i]!, { k: 'consts', values: [constant] }));
        });
        bodies.push(all([...bound, this.body(rule.body, scope, module, depth + 1)]));
      }
    }
    return any(bodies);
  }

  /** The rules a ref or var names, when it names a rule of a known package. */
  private rulesOf(term: AstTerm, module: Module): { rules: AstRule[]; module: Module } | undefined {
    const segments = term.type === 'var' ? [String(term.value)] : term.type === 'ref' ? constantSegments(term.value as AstTerm[]) : undefined;
    if (!segments || segments.length === 0) return undefined;
    if (segments.length === 1) {
      const own = module.rules.get(segments[0]!);
      return own ? { rules: own, module } : undefined;
    }
    const absolute = segments[0] === 'data' ? segments.slice(1) : [...(module.imports.get(segments[0]!) ?? []), ...segments.slice(1)];
    if (segments[0] !== 'data' && !module.imports.has(segments[0]!)) return undefined;
    const pkg = absolute.slice(0, -1).join('.');
    const target = this.modules.get(pkg);
    const rules = target?.rules.get(absolute[absolute.length - 1]!);
    return target && rules ? { rules, module: target } : undefined;
  }

  private term(term: AstTerm, env: Map<string, Abstract>, module: Module): Abstract {
    const constant = constantOf(term);
    if (constant !== undefined) return { k: 'consts', values: [constant] };
    switch (term.type) {
      case 'object': {
        const pairs = term.value as AstTerm[][];
        const keys = pairs.map(([key]) => (key?.type === 'string' ? String(key.value) : undefined));
        if (!keys.every((k) => k !== undefined)) return UNKNOWN;
        const values = new Map<string, Abstract>(pairs.map(([, value], i) => [keys[i]!, this.term(value!, env, module)]));
        return { k: 'object', keys: keys as string[], values };
      }
      case 'array':
      case 'set': {
        const items = (term.value as AstTerm[]).map(constantOf);
        return items.every((i) => i !== undefined) ? { k: 'collection', items: items as Scalar[] } : UNKNOWN;
      }
      case 'var': {
        const name = String(term.value);
        if (env.has(name)) return env.get(name)!;
        if (name === 'input') return { k: 'value', path: { root: 'input', steps: [] } };
        return this.ruleConstant(term, module);
      }
      case 'ref':
        return this.ref(term.value as AstTerm[], env, module);
      case 'call':
        return this.transform(term.value as AstTerm[], env, module);
      default:
        return UNKNOWN;
    }
  }

  private ref(parts: AstTerm[], env: Map<string, Abstract>, module: Module): Abstract {
    const [head, ...rest] = parts;
    if (!head || head.type !== 'var') return UNKNOWN;
    const name = String(head.value);
    let base: Abstract;
    if (env.has(name)) base = env.get(name)!;
    else if (name === 'input') base = { k: 'value', path: { root: 'input', steps: [] } };
    else if (module.rules.has(name) && rest.length > 0) return this.constantLookup(parts, env, module);
    else if (name === 'data' || module.imports.has(name) || module.rules.has(name)) return this.dataRef(parts, env, module);
    else return UNKNOWN;
    if (rest.length === 0) return base;
    if (base.k !== 'value' || base.path.transforms) return UNKNOWN;
    const steps: Step[] = [...base.path.steps];
    for (const part of rest) {
      const step = this.step(part, env, module, base.path.root);
      if (step === undefined) return UNKNOWN;
      steps.push(step);
    }
    return { k: 'value', path: { root: base.path.root, steps } };
  }

  /** `_kinds[fact.operation]` of a constant object: defined only when the key is one of its keys. */
  private constantLookup(parts: AstTerm[], env: Map<string, Abstract>, module: Module): Abstract {
    const object = this.ruleConstant(parts[0]!, module);
    if (object.k !== 'object') return this.dataRef(parts, env, module);
    const key = this.term(parts[1]!, env, module);
    if (key.k === 'value' && !iterates(key.path)) this.pending.push({ test: 'eq', of: key.path, values: object.keys });
    return UNKNOWN;
  }

  /** A ref into data: a rule's constant value, or a base document the engine also holds. */
  private dataRef(parts: AstTerm[], env: Map<string, Abstract>, module: Module): Abstract {
    const ref: AstTerm = { type: 'ref', value: parts };
    if (constantSegments(parts) && this.rulesOf(ref, module)) return this.ruleConstant(ref, module);
    const head = String((parts[0] as AstTerm).value);
    const prefix = head === 'data' ? [] : module.imports.get(head);
    if (!prefix) return UNKNOWN;
    const steps: Step[] = [...prefix];
    for (const part of parts.slice(1)) {
      const step = this.step(part, env, module, 'data');
      if (step === undefined) return UNKNOWN;
      steps.push(step);
    }
    // Only base documents: a path at, under or above a package is a rule's value, which JS cannot compute.
    const constantPrefix: string[] = [];
    for (const step of steps) {
      if (typeof step !== 'string') break;
      constantPrefix.push(step);
    }
    const joined = constantPrefix.join('.');
    for (const pkg of this.packages) {
      if (pkg === joined || pkg.startsWith(`${joined}.`) || joined.startsWith(`${pkg}.`)) return UNKNOWN;
    }
    if (constantPrefix.length === 0) return UNKNOWN;
    return { k: 'value', path: { root: 'data', steps } };
  }

  private step(part: AstTerm, env: Map<string, Abstract>, module: Module, root: 'input' | 'data'): Step | undefined {
    if (part.type === 'string') return String(part.value);
    if (part.type === 'number' && Number.isInteger(part.value)) return part.value as number;
    if (part.type === 'var') {
      const name = String(part.value);
      const bound = env.get(name);
      if (!bound && (name.startsWith('$') || name === '_')) return { each: true };
      if (!bound) return undefined;
      if (bound.k === 'value' && root === 'data' && !iterates(bound.path)) return { key: bound.path };
      if (bound.k === 'consts' && bound.values.length === 1 && typeof bound.values[0] === 'string') return bound.values[0];
      return undefined;
    }
    if (part.type === 'ref' && root === 'data') {
      const value = this.ref(part.value as AstTerm[], env, module);
      return value.k === 'value' && !iterates(value.path) ? { key: value.path } : undefined;
    }
    return undefined;
  }

  /** Builtins and library functions with exact JS twins, applied to an input value. */
  private transform(parts: AstTerm[], env: Map<string, Abstract>, module: Module): Abstract {
    const [operator, ...args] = parts;
    const name = this.functionName(operator!, module);
    if (name === 'vigil.lib.config.value' && args.length === 1) return this.configValue(args[0]!, env, module);
    const subject = args[0] ? this.term(args[0], env, module) : UNKNOWN;
    if (subject.k !== 'value') return UNKNOWN;
    let transform: Transform | undefined;
    if (name === 'lower' && args.length === 1) transform = 'lower';
    else if (name === 'trim_space' && args.length === 1) transform = 'trim_space';
    else if (name === 'vigil.lib.paths.basename' && args.length === 1) transform = 'basename';
    else if ((name === 'trim_prefix' || name === 'trim_suffix') && args.length === 2) {
      const affix = this.term(args[1]!, env, module);
      if (affix.k !== 'consts' || affix.values.length !== 1 || typeof affix.values[0] !== 'string') return UNKNOWN;
      transform = name === 'trim_prefix' ? { trim_prefix: affix.values[0] } : { trim_suffix: affix.values[0] };
    }
    if (!transform) return UNKNOWN;
    return { k: 'value', path: { ...subject.path, transforms: [...(subject.path.transforms ?? []), transform] } };
  }

  /**
   * The library's `config.value(key)`: data.vigil.config[key] when the
   * operator set it, else the library's default list, read from its `defaults`.
   */
  private configValue(keyTerm: AstTerm, env: Map<string, Abstract>, module: Module): Abstract {
    const key = this.term(keyTerm, env, module);
    const library = this.modules.get('vigil.lib.config');
    if (key.k !== 'consts' || key.values.length !== 1 || typeof key.values[0] !== 'string' || !library) return UNKNOWN;
    const defaults = this.ruleConstant({ type: 'var', value: 'defaults' }, library);
    const fallback = defaults.k === 'object' ? defaults.values.get(key.values[0]) : undefined;
    if (fallback?.k !== 'collection') return UNKNOWN;
    return { k: 'either', primary: { root: 'data', steps: ['vigil', 'config', key.values[0]] }, otherwise: fallback.items };
  }

  private configurable(rule: AstRule, module: Module): Abstract {
    const fallback = rule.else;
    const [only] = rule.body;
    if (!fallback || fallback.else || !fallback.head.value || !isTrivial(fallback.body) || rule.body.length !== 1 || !only || !Array.isArray(only.terms) || only.with) return UNKNOWN;
    const [operator, left, right] = only.terms;
    if (operatorName(operator!) !== 'assign' || left?.type !== 'var' || rule.head.value!.type !== 'var' || rule.head.value!.value !== left.value || right?.type !== 'ref') return UNKNOWN;
    const primary = this.dataRef(right.value as AstTerm[], new Map(), module);
    const otherwise = this.term(fallback.head.value, new Map(), module);
    if (primary.k !== 'value' || iterates(primary.path) || otherwise.k !== 'collection') return UNKNOWN;
    return { k: 'either', primary: primary.path, otherwise: otherwise.items };
  }

  private functionName(operator: AstTerm, module: Module): string | undefined {
    const segments = operator.type === 'ref' ? constantSegments(operator.value as AstTerm[]) : undefined;
    if (!segments) return undefined;
    if (segments.length > 1 && module.imports.has(segments[0]!)) return [...module.imports.get(segments[0]!)!, ...segments.slice(1)].join('.');
    if (segments[0] === 'data') return segments.slice(1).join('.');
    return segments.join('.');
  }

  /**
   * `_tools := {"nc", ...}`: a rule whose value is a constant. Or a list the
   * operator may set, with its default: `s := s if { s := data.… } else := [...]`.
   */
  private ruleConstant(term: AstTerm, module: Module): Abstract {
    const target = this.rulesOf(term, module);
    if (!target || target.rules.length !== 1) return UNKNOWN;
    const rule = target.rules[0]!;
    if (rule.head.args || rule.head.key || !rule.head.value) return UNKNOWN;
    if (rule.else) return this.configurable(rule, target.module);
    const trivial = rule.body.length === 1 && !Array.isArray(rule.body[0]!.terms) && (rule.body[0]!.terms as AstTerm).type === 'boolean';
    if (!trivial) return UNKNOWN;
    return this.term(rule.head.value, new Map(), target.module);
  }
}

function isTrivial(body: readonly AstExpr[]): boolean {
  return body.length === 1 && !Array.isArray(body[0]!.terms) && (body[0]!.terms as AstTerm).type === 'boolean' && (body[0]!.terms as AstTerm).value === true;
}

function compare(test: 'eq' | 'ne', left: Abstract, right: Abstract): Condition {
  const [value, constant] = left.k === 'value' ? [left, right] : [right, left];
  if (value.k === 'consts' && constant.k === 'consts') {
    if (value.values.length !== 1 || constant.values.length !== 1) return ALWAYS;
    const same = value.values[0] === constant.values[0];
    return (test === 'eq') === same ? ALWAYS : NEVER;
  }
  if (value.k !== 'value' || constant.k !== 'consts') return ALWAYS;
  return { test, of: value.path, values: constant.values };
}

function membership(element: Abstract, collection: Abstract): Condition {
  if (element.k === 'value' && collection.k === 'either') return { test: 'member', of: element.path, in: collection.primary, otherwise: collection.otherwise };
  if (element.k !== 'value' || collection.k !== 'collection') return ALWAYS;
  return collection.items.length === 0 ? NEVER : { test: 'eq', of: element.path, values: collection.items };
}

function stringTest(test: 'startswith' | 'endswith' | 'contains', subject: Abstract, affix: Abstract): Condition {
  if (subject.k !== 'value' || affix.k !== 'consts') return ALWAYS;
  return { test, of: subject.path, values: affix.values };
}

function elementsOf(collection: Abstract): Abstract {
  if (collection.k === 'collection') return { k: 'consts', values: collection.items };
  if (collection.k === 'value' && !collection.path.transforms) {
    return { k: 'value', path: { root: collection.path.root, steps: [...collection.path.steps, { each: true }] } };
  }
  return UNKNOWN;
}

function iterates(path: ValuePath): boolean {
  return path.steps.some((s) => typeof s === 'object' && ('each' in s || iterates(s.key)));
}

function forgetAssigned(terms: AstExpr['terms'], env: Map<string, Abstract>): void {
  if (!Array.isArray(terms)) return;
  const [operator, left] = terms;
  if (operator && ['assign', 'eq'].includes(operatorName(operator) ?? '') && left?.type === 'var') env.set(String(left.value), UNKNOWN);
}

function forgetVars(term: AstTerm, env: Map<string, Abstract>): void {
  if (term.type === 'array' || term.type === 'object') {
    for (const item of (term.value as unknown[]).flat() as AstTerm[]) forgetVars(item, env);
  } else if (term.type === 'var' && !env.has(String(term.value))) {
    env.set(String(term.value), UNKNOWN);
  }
}

function operatorName(term: AstTerm): string | undefined {
  if (term.type !== 'ref') return undefined;
  return constantSegments(term.value as AstTerm[])?.join('.');
}

function constantOf(term: AstTerm): Scalar | undefined {
  switch (term.type) {
    case 'string':
      return String(term.value);
    case 'number':
      return typeof term.value === 'number' ? term.value : Number(term.value);
    case 'boolean':
      return term.value === true;
    case 'null':
      return null;
    default:
      return undefined;
  }
}

/** A ref's segments when all are constant names: `event.named` → ["event", "named"]. */
function constantSegments(parts: AstTerm[]): string[] | undefined {
  const out: string[] = [];
  for (const [i, part] of parts.entries()) {
    if (i === 0 && part.type === 'var') out.push(String(part.value));
    else if (i > 0 && part.type === 'string') out.push(String(part.value));
    else return undefined;
  }
  return out;
}

function refPath(term: AstTerm): string[] {
  return constantSegments(term.value as AstTerm[]) ?? [];
}

function ruleName(rule: AstRule): string | undefined {
  const ref = rule.head.ref;
  if (ref && ref.length === 1 && ref[0]!.type === 'var') return String(ref[0]!.value);
  if (!ref && rule.head.name) return rule.head.name;
  return undefined;
}
