import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import type { FactKind, PolicyInput } from '../../../proto/src/index.js';
import { VigilEngineError } from '../errors.js';
import type { Bundle } from './bundle.js';
import { ENTRYPOINT_PREFIX } from './manifest.js';
import type { RuleMeta } from './rules.js';

export interface RuleHit {
  rule: RuleMeta;
  messages: string[];
}

/** Built-ins the opa-wasm SDK lacks and Vigil's policies may call. */
const CUSTOM_BUILTINS = {
  'time.now_ns': (): number => Date.now() * 1_000_000,
};

/**
 * One loaded instance of a bundle's WASM. The module is compiled once and the
 * instance reused for every evaluation; entrypoint ids and the rule index are
 * resolved at load time so an evaluation is one call and one lookup.
 */
export class PolicyEvaluator {
  readonly revision: string;
  readonly rules: readonly RuleMeta[];
  private readonly policy: LoadedPolicy;
  private readonly entrypoints: ReadonlyMap<FactKind, number>;
  private readonly rulesById: ReadonlyMap<string, RuleMeta>;
  private readonly baseData: Record<string, unknown>;
  private today = '';
  private todayCheckedAt = 0;

  private constructor(policy: LoadedPolicy, bundle: Bundle, data: Record<string, unknown>) {
    this.policy = policy;
    this.revision = bundle.revision;
    this.rules = bundle.manifest.rules;
    this.rulesById = new Map(bundle.manifest.rules.map((r) => [r.id, r]));
    this.baseData = data;
    const ids = new Map<FactKind, number>();
    for (const [name, id] of Object.entries(policy.entrypoints as Record<string, number>)) {
      if (name.startsWith(`${ENTRYPOINT_PREFIX}/`)) ids.set(name.slice(ENTRYPOINT_PREFIX.length + 1) as FactKind, id);
    }
    this.entrypoints = ids;
    this.refreshDate(Date.now());
  }

  /**
   * @param dataOverlay merged over the bundle's data.json (per top-level key under
   *   `vigil`), e.g. exceptions or allowlists supplied by the operator.
   */
  static async load(bundle: Bundle, dataOverlay: Record<string, unknown> = {}): Promise<PolicyEvaluator> {
    let policy: LoadedPolicy;
    try {
      policy = await loadPolicy(bundle.wasm as Uint8Array<ArrayBuffer>, undefined, CUSTOM_BUILTINS);
    } catch (error) {
      throw new VigilEngineError('VIGIL_ERR_BUNDLE_INVALID', ['policy.wasm', String(error)], { cause: error });
    }
    return new PolicyEvaluator(policy, bundle, mergeData(bundle.data, dataOverlay));
  }

  /** Evaluates one fact against the rules of its kind. Throws when the policy errors. */
  evaluate(input: PolicyInput, kind: FactKind): RuleHit[] {
    const entrypoint = this.entrypoints.get(kind);
    if (entrypoint === undefined) return [];
    const now = Date.now();
    if (now - this.todayCheckedAt > 60_000) this.refreshDate(now);
    let resultSet: unknown;
    try {
      resultSet = this.policy.evaluate(input, entrypoint);
    } catch (error) {
      // opa-wasm throws strings as well as Errors.
      throw error instanceof Error ? error : new Error(String(error));
    }
    const result = (resultSet as { result?: Record<string, unknown> }[] | undefined)?.[0]?.result ?? {};
    const hits: RuleHit[] = [];
    for (const [id, messages] of Object.entries(result)) {
      const rule = this.rulesById.get(id);
      if (!rule || !Array.isArray(messages)) continue;
      hits.push({ rule, messages: messages.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))) });
    }
    return hits;
  }

  /** The date exceptions are judged against; set as `data.vigil.today`. */
  private refreshDate(now: number): void {
    this.todayCheckedAt = now;
    const today = new Date(now).toISOString().slice(0, 10);
    if (today === this.today) return;
    this.today = today;
    const vigil = (this.baseData.vigil as Record<string, unknown> | undefined) ?? {};
    this.policy.setData({ ...this.baseData, vigil: { ...vigil, today } });
  }
}

function mergeData(base: Record<string, unknown>, overlay: Record<string, unknown>): Record<string, unknown> {
  const baseVigil = (base.vigil as Record<string, unknown> | undefined) ?? {};
  const overlayVigil = (overlay.vigil as Record<string, unknown> | undefined) ?? {};
  const config = { ...((baseVigil.config as object | undefined) ?? {}), ...((overlayVigil.config as object | undefined) ?? {}) };
  return { ...base, ...overlay, vigil: { ...baseVigil, ...overlayVigil, config } };
}
