import type { FactKind, PolicyInput } from '../../../proto/src/index.js';
import { VigilEngineError } from '../errors.js';
import type { BundleMeta, PolicyEvaluator, RuleHit } from './evaluator.js';
import { bundleNameOf, contextNeedsOf, triggersOf } from './manifest.js';
import type { ContextPart } from './rules.js';
import { subjectMatches } from './subject-filter.js';

/** A bundle as one member of the set an engine serves; names are unique in a set. */
export interface NamedBundle {
  name: string;
  bundle: BundleMeta;
}

/** A loaded bundle under the name it is served as. */
export interface LoadedMember {
  name: string;
  evaluator: PolicyEvaluator;
}

/** One fact to judge and the subject it arrived on. */
export interface RoutedFact {
  input: PolicyInput;
  subject: string;
}

/** One fact's outcome across every bundle it triggered. */
export interface FactOutcome {
  hits: RuleHit[];
  /** A bundle that failed on the fact; the other bundles' hits still count. */
  errors: Error[];
}

/**
 * Checks that bundles can be served side by side: at least one, unique names,
 * and no rule enabled in two of them (alert ids and throttling go by rule id),
 * unless they are judged `sideBySide` (versions of one bundle compared).
 * Returns the set's revision.
 */
export function checkPolicySet(members: readonly NamedBundle[], options: { sideBySide?: boolean } = {}): string {
  if (members.length === 0) throw new VigilEngineError('VIGIL_ERR_POLICY_SET', ['there is none: an engine serves at least one bundle']);
  const owners = new Map<string, string>();
  const names = new Set<string>();
  for (const { name, bundle } of members) {
    if (names.has(name)) throw new VigilEngineError('VIGIL_ERR_POLICY_SET', [`two bundles are named ${name}`]);
    names.add(name);
    for (const id of bundle.manifest.enabled) {
      const owner = owners.get(id);
      if (owner !== undefined && options.sideBySide !== true) throw new VigilEngineError('VIGIL_ERR_POLICY_SET', [`rule ${id} is enabled in both ${owner} and ${name}`]);
      owners.set(id, name);
    }
  }
  return policySetRevision(members);
}

/** One bundle: its own revision. Several: `name@revision` of each, by name. */
export function policySetRevision(members: readonly NamedBundle[]): string {
  if (members.length === 1) return members[0]!.bundle.revision;
  return [...members]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((m) => `${m.name}@${m.bundle.revision}`)
    .join(',');
}

interface Member {
  name: string;
  evaluator: PolicyEvaluator;
  /** Empty: every subject. */
  subjects: readonly string[];
  matches: Map<string, boolean>;
}

/** Subjects remembered per member; fact subjects are one per kind and host, so this bounds a fleet of hosts. */
const MATCH_CACHE_LIMIT = 50_000;

/**
 * The bundles one worker serves, and the routing table from fact kind to the
 * bundles that kind triggers, built once when the set is loaded. A fact is
 * evaluated by every bundle its kind and subject trigger, one batch call per
 * bundle for all the facts routed to it.
 */
const NO_CONTEXT: ReadonlySet<ContextPart> = new Set();

export class PolicySet {
  readonly revision: string;
  readonly evaluators: readonly PolicyEvaluator[];
  private readonly byKind: ReadonlyMap<FactKind, readonly Member[]>;
  /** Per fact kind, the context its rules read, over every member. */
  private readonly needs = new Map<FactKind, Set<ContextPart>>();
  /** The context parts some rule reads: facts of those kinds are kept as context. */
  readonly contextParts = new Set<ContextPart>();

  /** Side by side: the member that takes some rules' findings from another instead of judging them. */
  private readonly shared: { from: string; to: string; rules: ReadonlySet<string> } | undefined;

  constructor(members: readonly LoadedMember[], options: { sideBySide?: boolean; shared?: { from: string; to: string; rules: readonly string[] } } = {}) {
    this.revision = checkPolicySet(
      members.map((m) => ({ name: m.name, bundle: m.evaluator.bundle })),
      options,
    );
    this.evaluators = members.map((m) => m.evaluator);
    this.shared = sharedRules(members, options);
    const byKind = new Map<FactKind, Member[]>();
    for (const { name, evaluator } of members) {
      for (const [kind, parts] of contextNeedsOf(evaluator.bundle.manifest)) {
        const all = this.needs.get(kind) ?? new Set<ContextPart>();
        for (const part of parts) {
          all.add(part);
          this.contextParts.add(part);
        }
        this.needs.set(kind, all);
      }
      const triggers = triggersOf(evaluator.bundle.manifest);
      const member: Member = { name, evaluator, subjects: triggers.subjects, matches: new Map() };
      for (const kind of new Set(triggers.kinds)) {
        let list = byKind.get(kind);
        if (list === undefined) byKind.set(kind, (list = []));
        list.push(member);
      }
    }
    this.byKind = byKind;
  }

  /** A set of one bundle, named as its manifest says. */
  static single(evaluator: PolicyEvaluator): PolicySet {
    return new PolicySet([{ name: bundleNameOf(evaluator.bundle.manifest), evaluator }]);
  }

  /** What the rules judging facts of this kind read as `input.context` (empty: attach nothing). */
  contextNeeds(kind: FactKind): ReadonlySet<ContextPart> {
    return this.needs.get(kind) ?? NO_CONTEXT;
  }

  /** Names of the bundles a fact of this kind on this subject triggers. */
  route(kind: FactKind, subject: string): string[] {
    return (this.byKind.get(kind) ?? []).filter((m) => this.wants(m, subject)).map((m) => m.name);
  }

  /**
   * Judges facts of one kind with every bundle they trigger; `onCall` hears of
   * each bundle's call (facts, seconds) for latency metrics.
   */
  judge(kind: FactKind, facts: readonly RoutedFact[], onCall?: (facts: number, seconds: number) => void): FactOutcome[] {
    const outcomes: FactOutcome[] = facts.map(() => ({ hits: [], errors: [] }));
    const members = this.byKind.get(kind) ?? [];
    const named = this.evaluators.length > 1;
    for (const member of members) {
      const routed = member.subjects.length === 0 ? undefined : indicesWanted(facts, (subject) => this.wants(member, subject));
      if (routed !== undefined && routed.length === 0) continue;
      const inputs = routed === undefined ? facts.map((f) => f.input) : routed.map((i) => facts[i]!.input);
      const start = process.hrtime.bigint();
      const results = member.evaluator.evaluateBatch(inputs);
      onCall?.(inputs.length, Number(process.hrtime.bigint() - start) / 1e9);
      results.forEach((result, j) => {
        const outcome = outcomes[routed === undefined ? j : routed[j]!]!;
        if (result instanceof Error) {
          outcome.errors.push(named ? new Error(`bundle ${member.name}: ${result.message}`, { cause: result }) : result);
          return;
        }
        const copied = this.shared?.to === member.name ? outcome.hits.filter((h) => h.bundle === this.shared!.from && this.shared!.rules.has(h.rule.id)) : [];
        for (const hit of result) {
          hit.bundle = member.name;
          outcome.hits.push(hit);
        }
        for (const hit of copied) outcome.hits.push({ ...hit, bundle: member.name });
      });
    }
    return outcomes;
  }

  /** Replaces the operator's data in every bundle. */
  setDataOverlay(overlay: Record<string, unknown>): void {
    for (const evaluator of this.evaluators) evaluator.setDataOverlay(overlay);
  }

  private wants(member: Member, subject: string): boolean {
    if (member.subjects.length === 0) return true;
    let wanted = member.matches.get(subject);
    if (wanted === undefined) {
      wanted = member.subjects.some((filter) => subjectMatches(filter, subject));
      if (member.matches.size >= MATCH_CACHE_LIMIT) member.matches.clear();
      member.matches.set(subject, wanted);
    }
    return wanted;
  }
}

/**
 * The shared rules, checked: both members present, side by side, `from`
 * judged first, the same triggers, and `to` able to leave rules out (its
 * bundle has a rule index); otherwise every member judges every rule.
 */
function sharedRules(
  members: readonly LoadedMember[],
  options: { sideBySide?: boolean; shared?: { from: string; to: string; rules: readonly string[] } },
): { from: string; to: string; rules: ReadonlySet<string> } | undefined {
  const wanted = options.shared;
  if (!wanted || options.sideBySide !== true || wanted.rules.length === 0) return undefined;
  const from = members.findIndex((m) => m.name === wanted.from);
  const to = members.findIndex((m) => m.name === wanted.to);
  if (from < 0 || to <= from) return undefined;
  const same = JSON.stringify(triggersOf(members[from]!.evaluator.bundle.manifest)) === JSON.stringify(triggersOf(members[to]!.evaluator.bundle.manifest));
  const rules = new Set(wanted.rules);
  if (!same || !members[to]!.evaluator.leaveOut(rules)) return undefined;
  return { from: wanted.from, to: wanted.to, rules };
}

function indicesWanted(facts: readonly RoutedFact[], wants: (subject: string) => boolean): number[] {
  const indices: number[] = [];
  facts.forEach((fact, i) => {
    if (wants(fact.subject)) indices.push(i);
  });
  return indices;
}
