import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { isFactKind, type FactKind, type PolicyInput } from '../../../proto/src/index.js';
import { VigilEngineError } from '../errors.js';
import type { Bundle } from './bundle.js';
import { checkBuiltins, CUSTOM_BUILTINS } from './builtins.js';
import { BATCH_ENTRYPOINT, ENTRYPOINT_PREFIX } from './manifest.js';
import type { RuleMeta } from './rules.js';
import { RuleIndex, SELECTED_RULES_KEY } from './index/rule-index.js';
import { wasm, type WasmModule } from './wasm.js';

export interface RuleHit {
  rule: RuleMeta;
  messages: string[];
  /**
   * Per message, the framework ids that finding is about, when the rule says
   * (a deny entry `{"msg": …, "frameworks": {"cis-docker": ["1.1.15"]}}`): one rule
   * covering several controls reports each finding under its own.
   */
  frameworks?: Array<Record<string, string[]> | undefined>;
  /** Per message, the line of the subject's source file it is about, when the rule says (`{"msg": …, "line": 12}`). */
  lines?: Array<number | undefined>;
  /** The name of the bundle whose rule fired, when several are served. */
  bundle?: string;
}

/**
 * Compiles a bundle's WASM once, for any number of instances, and returns it
 * with the rest of the bundle. VIGIL_ERR_BUNDLE_INVALID (naming `label`) when
 * the module does not compile.
 */
export async function compileBundle(bundle: Bundle, label = 'policy.wasm'): Promise<{ module: WasmModule; meta: BundleMeta }> {
  const { wasm: bytes, ...meta } = bundle;
  try {
    return { module: await wasm.compile(bytes), meta };
  } catch (error) {
    throw new VigilEngineError('VIGIL_ERR_BUNDLE_INVALID', [label, String(error)], { cause: error });
  }
}

/** One fact's outcome in a batch: the rules that fired, or why it could not be judged. */
export type BatchOutcome = RuleHit[] | Error;

/** A bundle without its WASM bytes: what a worker needs beside the compiled module. */
export type BundleMeta = Omit<Bundle, 'wasm'>;

export interface LoadOptions {
  /** Caps the instance's linear memory (64 KiB pages); an evaluation needing more fails. */
  maxMemoryPages?: number;
  /** Facts per call of the batch entrypoint. */
  batchSize?: number;
  /**
   * Use the bundle's rule index (default true): facts no rule can match skip
   * WASM, the others are evaluated with only the rules that can. False
   * evaluates every rule of a kind for every fact, as bundles without an index are.
   */
  index?: boolean;
}

/** What the index decided for one fact: the input to evaluate, or that no rule can fire. */
const NO_RULE = Symbol('no rule can fire');

/** The SDK's default first size; memory grows from there up to maxMemoryPages. */
const INITIAL_MEMORY_PAGES = 5;

/**
 * Facts per call of `vigil/main/batch`. Measured on the default bundle with the
 * bench's container facts (one instance, CPU time, best of 6): one call per fact
 * 6.9k facts/s; batches of 8: 8.6k; 32: 9.0k; 128: 8.4k; 256: 8.5k. Larger
 * batches only grow the instance's memory (256 facts: 21 MB), so 32.
 */
const DEFAULT_BATCH_SIZE = 32;

/**
 * One loaded instance of a bundle's WASM. The module is compiled once and the
 * instance reused for every evaluation; entrypoint ids and the rule index are
 * resolved at load time so an evaluation is one call and one lookup.
 */
export class PolicyEvaluator {
  readonly revision: string;
  readonly rules: readonly RuleMeta[];
  /** What this instance was loaded from, so worker threads can load the same. */
  readonly bundle: BundleMeta;
  readonly module: WasmModule;
  private readonly policy: LoadedPolicy;
  private readonly entrypoints: ReadonlyMap<FactKind, number>;
  private readonly batchEntrypoint: number | undefined;
  private readonly batchSize: number;
  private readonly rulesById: ReadonlyMap<string, RuleMeta>;
  private overlay: Record<string, unknown>;
  private baseData: Record<string, unknown>;
  private readonly calls = { batch: 0, single: 0, skipped: 0 };
  private readonly index: RuleIndex | undefined;
  /** Rules left out of every evaluation (see leaveOut). */
  private left: ReadonlySet<string> | undefined;
  private readonly enabledByKind: ReadonlyMap<FactKind, readonly string[]>;
  /** The data document as set in the instance, which index conditions on data read. */
  private dataInUse: Record<string, unknown> = {};
  private today = '';
  private todayCheckedAt = 0;

  private constructor(policy: LoadedPolicy, module: WasmModule, bundle: BundleMeta, overlay: Record<string, unknown>, options: LoadOptions) {
    this.policy = policy;
    this.module = module;
    this.bundle = bundle;
    this.overlay = overlay;
    this.revision = bundle.revision;
    this.rules = bundle.manifest.rules;
    this.rulesById = new Map(bundle.manifest.rules.map((r) => [r.id, r]));
    this.baseData = mergeData(bundle.data, overlay);
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    const ids = new Map<FactKind, number>();
    const all = policy.entrypoints as Record<string, number>;
    for (const [name, id] of Object.entries(all)) {
      const kind = name.startsWith(`${ENTRYPOINT_PREFIX}/`) ? name.slice(ENTRYPOINT_PREFIX.length + 1) : '';
      if (isFactKind(kind)) ids.set(kind, id);
    }
    this.entrypoints = ids;
    // Bundles built before the batch entrypoint existed are judged one fact at a time.
    this.batchEntrypoint = all[BATCH_ENTRYPOINT];
    this.index = options.index === false ? undefined : loadIndex(bundle);
    const enabled = new Set(bundle.manifest.enabled);
    const byKind = new Map<FactKind, string[]>();
    for (const rule of bundle.manifest.rules) if (enabled.has(rule.id)) byKind.set(rule.kind, [...(byKind.get(rule.kind) ?? []), rule.id]);
    this.enabledByKind = byKind;
    this.refreshDate(Date.now());
  }

  /**
   * @param dataOverlay merged over the bundle's data.json (per top-level key under
   *   `vigil`), e.g. exceptions or allowlists supplied by the operator.
   */
  static async load(bundle: Bundle, dataOverlay: Record<string, unknown> = {}, options: LoadOptions = {}): Promise<PolicyEvaluator> {
    const { module, meta } = await compileBundle(bundle);
    return PolicyEvaluator.fromModule(module, meta, dataOverlay, options);
  }

  /** Instantiates an already compiled module (compiled once, instantiated per thread). */
  static async fromModule(
    module: WasmModule,
    bundle: BundleMeta,
    dataOverlay: Record<string, unknown> = {},
    options: LoadOptions = {},
  ): Promise<PolicyEvaluator> {
    let policy: LoadedPolicy;
    try {
      const memory = options.maxMemoryPages === undefined
        ? { initial: INITIAL_MEMORY_PAGES }
        : { initial: Math.min(INITIAL_MEMORY_PAGES, options.maxMemoryPages), maximum: options.maxMemoryPages };
      policy = await loadPolicy(module, memory, CUSTOM_BUILTINS);
    } catch (error) {
      throw new VigilEngineError('VIGIL_ERR_BUNDLE_INVALID', ['policy.wasm', String(error)], { cause: error });
    }
    checkBuiltins(policy, `revision ${bundle.revision || '?'}`);
    return new PolicyEvaluator(policy, module, bundle, dataOverlay, options);
  }

  /** Evaluates one fact against the rules of its kind. Throws when the policy errors. */
  evaluate(input: PolicyInput, kind: FactKind): RuleHit[] {
    if (!this.entrypoints.has(kind)) return [];
    this.checkDate();
    const prepared = this.prepare(input, kind);
    return prepared === NO_RULE ? [] : this.evaluatePrepared(prepared, kind);
  }

  private evaluatePrepared(input: PolicyInput, kind: FactKind): RuleHit[] {
    const entrypoint = this.entrypoints.get(kind);
    if (entrypoint === undefined) return [];
    this.calls.single++;
    const resultSet = this.call(input, entrypoint) as { result?: unknown }[] | undefined;
    return this.hitsOf(resultSet?.[0]?.result);
  }

  /**
   * Leaves these rules out of every evaluation from now on (a replay's
   * candidate, for the rules its baseline judges identically). Only a bundle
   * built to choose which rules run can: false, and nothing changes, for an
   * older one.
   */
  leaveOut(rules: ReadonlySet<string>): boolean {
    // Bundles whose main selects rules by input._vigil_rules: those with an index, or with rule digests (built since).
    if (!this.index && !this.rules.some((r) => r.digest)) return false;
    this.left = rules;
    return true;
  }

  /**
   * The input as WASM gets it: with the index's choice of rules, or NO_RULE
   * when none can fire. When the index fails on an input, every rule is
   * evaluated (less those left out).
   */
  private prepare(input: PolicyInput, kind: FactKind): PolicyInput | typeof NO_RULE {
    if (!this.index && this.left === undefined) return input;
    let chosen: ReturnType<RuleIndex['select']>;
    try {
      chosen = this.index?.select(kind, input, this.dataInUse);
    } catch {
      chosen = undefined;
    }
    if (this.left !== undefined) {
      const left = this.left;
      const ids = (chosen === undefined ? (this.enabledByKind.get(kind) ?? []) : Object.keys(chosen.ids)).filter((id) => !left.has(id));
      chosen = { ids: Object.fromEntries(ids.map((id) => [id, true as const])), count: ids.length };
    }
    if (chosen === undefined) return input;
    if (chosen.count === 0) {
      this.calls.skipped++;
      return NO_RULE;
    }
    return { ...input, [SELECTED_RULES_KEY]: chosen.ids };
  }

  /**
   * Evaluates many facts (policy inputs carrying their `kind`) with one call of
   * the batch entrypoint per `batchSize` facts: the same findings as
   * `evaluate` on each, for a fraction of the per-call cost. When a batch
   * fails, its facts are evaluated one by one so only the culprit fails.
   */
  evaluateBatch(inputs: readonly PolicyInput[]): BatchOutcome[] {
    this.checkDate();
    const outcomes: BatchOutcome[] = new Array<BatchOutcome>(inputs.length);
    const pending: number[] = [];
    const prepared: PolicyInput[] = [];
    inputs.forEach((input, i) => {
      const kind = String(input.kind);
      const ready = isFactKind(kind) && this.entrypoints.has(kind) ? this.prepare(input, kind) : NO_RULE;
      if (ready === NO_RULE) {
        outcomes[i] = [];
        return;
      }
      pending.push(i);
      prepared.push(ready);
    });
    for (let start = 0; start < prepared.length; start += this.batchSize) {
      const chunk = prepared.slice(start, start + this.batchSize);
      const results = this.batchEntrypoint === undefined || chunk.length === 1 ? undefined : this.tryBatch(chunk, this.batchEntrypoint);
      chunk.forEach((input, j) => {
        const at = pending[start + j]!;
        if (results !== undefined) {
          outcomes[at] = this.hitsOf(results[j]);
          return;
        }
        try {
          outcomes[at] = this.evaluatePrepared(input, input.kind as FactKind);
        } catch (error) {
          outcomes[at] = error as Error;
        }
      });
    }
    return outcomes;
  }

  /** How many calls of the batch and of the per-kind entrypoints this instance made, and how many facts the index kept out of WASM. */
  callCounts(): { batch: number; single: number; skipped: number } {
    return { ...this.calls };
  }

  /** The operator's data, merged over the bundle's data.json. */
  get dataOverlay(): Record<string, unknown> {
    return this.overlay;
  }

  /** Replaces the operator's data overlay (exceptions, allowlists) for the next evaluations. */
  setDataOverlay(dataOverlay: Record<string, unknown>): void {
    const next = mergeData(this.bundle.data, dataOverlay);
    this.setData(withToday(next, this.today));
    this.baseData = next;
    this.overlay = dataOverlay;
  }

  private tryBatch(chunk: readonly PolicyInput[], entrypoint: number): unknown[] | undefined {
    this.calls.batch++;
    try {
      const resultSet = this.call({ facts: chunk }, entrypoint) as { result?: unknown }[] | undefined;
      const results = resultSet?.[0]?.result;
      return Array.isArray(results) && results.length === chunk.length ? results : undefined;
    } catch {
      return undefined;
    }
  }

  private call(input: unknown, entrypoint: number): unknown {
    try {
      return this.policy.evaluate(input, entrypoint);
    } catch (error) {
      // opa-wasm throws strings and plain objects as well as Errors.
      if (error instanceof Error) throw error;
      const message = typeof (error as { message?: unknown })?.message === 'string' ? (error as { message: string }).message : String(error);
      throw new Error(message);
    }
  }

  private hitsOf(result: unknown): RuleHit[] {
    const hits: RuleHit[] = [];
    if (result === null || typeof result !== 'object') return hits;
    for (const [id, messages] of Object.entries(result)) {
      const rule = this.rulesById.get(id);
      if (!rule || !Array.isArray(messages)) continue;
      // Per-finding ids and lines are rare: their arrays exist only once an entry names some.
      const texts: string[] = [];
      let frameworks: Array<Record<string, string[]> | undefined> | undefined;
      let lines: Array<number | undefined> | undefined;
      messages.forEach((m, i) => {
        if (typeof m === 'string') {
          texts.push(m);
          return;
        }
        const entry = typeof m === 'object' && m !== null && typeof (m as { msg?: unknown }).msg === 'string' ? (m as { msg: string; frameworks?: unknown; line?: unknown }) : undefined;
        texts.push(entry ? entry.msg : JSON.stringify(m));
        const own = entry ? ownFrameworks(rule, entry.frameworks) : undefined;
        if (own) (frameworks ??= new Array<Record<string, string[]> | undefined>(messages.length))[i] = own;
        const line = entry?.line;
        if (typeof line === 'number' && Number.isInteger(line) && line > 0) (lines ??= new Array<number | undefined>(messages.length))[i] = line;
      });
      hits.push({ rule, messages: texts, ...(frameworks ? { frameworks } : {}), ...(lines ? { lines } : {}) });
    }
    return hits;
  }

  private checkDate(): void {
    const now = Date.now();
    if (now - this.todayCheckedAt > 60_000) this.refreshDate(now);
  }

  /** The date exceptions are judged against; set as `data.vigil.today`. */
  private refreshDate(now: number): void {
    this.todayCheckedAt = now;
    const today = new Date(now).toISOString().slice(0, 10);
    if (today === this.today) return;
    this.today = today;
    this.setData(withToday(this.baseData, today));
  }

  private setData(data: Record<string, unknown>): void {
    this.policy.setData(data);
    this.dataInUse = data;
  }
}

function loadIndex(bundle: BundleMeta): RuleIndex | undefined {
  const document = bundle.manifest.index;
  if (!document) return undefined;
  const enabled = new Set(bundle.manifest.enabled);
  try {
    return new RuleIndex(document, bundle.manifest.rules.filter((r) => enabled.has(r.id)));
  } catch (error) {
    throw new VigilEngineError('VIGIL_ERR_BUNDLE_INVALID', ['.manifest', `its rule index does not load: ${String(error)}`], { cause: error });
  }
}

function withToday(data: Record<string, unknown>, today: string): Record<string, unknown> {
  const vigil = (data.vigil as Record<string, unknown> | undefined) ?? {};
  return { ...data, vigil: { ...vigil, today } };
}

function mergeData(base: Record<string, unknown>, overlay: Record<string, unknown>): Record<string, unknown> {
  const baseVigil = (base.vigil as Record<string, unknown> | undefined) ?? {};
  const overlayVigil = (overlay.vigil as Record<string, unknown> | undefined) ?? {};
  const config = { ...((baseVigil.config as object | undefined) ?? {}), ...((overlayVigil.config as object | undefined) ?? {}) };
  return { ...base, ...overlay, vigil: { ...baseVigil, ...overlayVigil, config } };
}

/**
 * The framework ids a deny entry names, kept only where the rule's METADATA
 * declares them: a message cannot claim a control its rule does not cover.
 * Undefined (the rule's own) when it names none that hold.
 */
function ownFrameworks(rule: RuleMeta, value: unknown): Record<string, string[]> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const out: Record<string, string[]> = {};
  for (const [name, ids] of Object.entries(value as Record<string, unknown>)) {
    const declared = rule.frameworks[name];
    if (!declared || !Array.isArray(ids)) continue;
    const kept = ids.map(String).filter((id) => declared.includes(id));
    if (kept.length > 0) out[name] = kept;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
