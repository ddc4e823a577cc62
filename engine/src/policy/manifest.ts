import { FACT_KINDS, isFactKind, mergeKernelFilters, type FactKind, type KernelFilter } from '../../../proto/src/index.js';
import { VigilEngineError } from '../errors.js';
import { isSubjectFilter } from './subject-filter.js';
import type { ContextPart, RuleMeta } from './rules.js';
import type { RuleIndexDocument } from './index/rule-index.js';

/** Entrypoints are `vigil/main/<fact kind>`. */
export const ENTRYPOINT_PREFIX = 'vigil/main';

/** The batch entrypoint: `input = {facts: [...]}` → one `{rule_id: [messages]}` per fact. */
export const BATCH_ENTRYPOINT = 'vigil/main/batch';

/** The name of a bundle whose manifest gives none. */
export const DEFAULT_BUNDLE_NAME = 'default';

/**
 * Which facts a bundle is evaluated on: facts of one of `kinds` that arrived
 * on a subject matching one of `subjects` (NATS wildcards; none: every subject).
 */
export interface BundleTriggers {
  kinds: FactKind[];
  subjects: string[];
}

/** What Vigil keeps in the bundle's `.manifest` under `metadata.vigil`. */
export interface VigilManifest {
  format: 1;
  /** Every rule in the bundle, enabled or not, with its metadata. */
  rules: RuleMeta[];
  /** Ids of the rules compiled into the entrypoints. */
  enabled: string[];
  /** The bundle's name; engines serve one bundle per name. Absent: `default`. */
  name?: string;
  /** Absent (bundles built before triggers existed): the kinds of its enabled rules, any subject. */
  triggers?: BundleTriggers;
  /** The union of the enabled rules' kernel filters; absent in bundles built before it existed. */
  kernel_filter?: KernelFilter;
  /** What each runtime rule needs of a fact to fire, derived at build time; absent in bundles built before it existed. */
  index?: RuleIndexDocument;
}

/** What the kernel must report for a bundle's enabled rules: its manifest's, or derived from its rules. */
export function kernelFilterOf(manifest: VigilManifest): KernelFilter {
  if (manifest.kernel_filter) return manifest.kernel_filter;
  const enabled = new Set(manifest.enabled);
  return mergeKernelFilters(manifest.rules.filter((r) => enabled.has(r.id)).map((r) => r.kernel_filter ?? {}));
}

/** Per fact kind, the context its enabled rules read (custom.context); kinds whose rules read none are absent. */
export function contextNeedsOf(manifest: VigilManifest): Map<FactKind, Set<ContextPart>> {
  const enabled = new Set(manifest.enabled);
  const needs = new Map<FactKind, Set<ContextPart>>();
  for (const rule of manifest.rules) {
    if (!enabled.has(rule.id) || !rule.context) continue;
    const parts = needs.get(rule.kind) ?? new Set<ContextPart>();
    for (const part of rule.context) parts.add(part);
    needs.set(rule.kind, parts);
  }
  return needs;
}

/** The triggers a manifest declares or, when it declares none, those its enabled rules imply. */
export function triggersOf(manifest: VigilManifest): BundleTriggers {
  if (manifest.triggers) return manifest.triggers;
  const enabled = new Set(manifest.enabled);
  const kinds = new Set(manifest.rules.filter((r) => enabled.has(r.id)).map((r) => r.kind));
  return { kinds: [...kinds], subjects: [] };
}

export function bundleNameOf(manifest: VigilManifest): string {
  return manifest.name ?? DEFAULT_BUNDLE_NAME;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function checkBundleName(name: string): string {
  if (!NAME.test(name)) throw new VigilEngineError('VIGIL_ERR_ENGINE_CONFIG', ['a bundle name of letters, digits, _ and - (at most 64)', name]);
  return name;
}

/** What is wrong with a manifest's name and triggers, if anything (the rest is checked by the parser). */
export function manifestProblem(manifest: VigilManifest): string | undefined {
  if (!Array.isArray(manifest.enabled) || !manifest.enabled.every((id) => typeof id === 'string')) return 'enabled must list rule ids';
  if (manifest.name !== undefined && (typeof manifest.name !== 'string' || !NAME.test(manifest.name))) {
    return `its name ${JSON.stringify(manifest.name)} is not letters, digits, _ and - (at most 64)`;
  }
  const index = manifest.index as Partial<RuleIndexDocument> | undefined;
  if (index !== undefined) {
    if (index.format !== 1) return `index format ${JSON.stringify(index.format)} is not 1`;
    if (!Array.isArray(index.kinds) || !index.kinds.every((k) => isFactKind(String(k)))) return 'index.kinds must list fact kinds';
    if (typeof index.conditions !== 'object' || index.conditions === null) return 'index.conditions must map rule ids to conditions';
  }
  const triggers = manifest.triggers as Partial<BundleTriggers> | undefined;
  if (triggers === undefined) return undefined;
  if (!Array.isArray(triggers.kinds) || !triggers.kinds.every((k) => isFactKind(String(k)))) {
    return `triggers.kinds must list fact kinds (${FACT_KINDS.join(', ')})`;
  }
  if (!Array.isArray(triggers.subjects) || !triggers.subjects.every((f) => typeof f === 'string' && isSubjectFilter(f))) {
    return 'triggers.subjects must list NATS subject filters (tokens split by ".", "*" for one token, ">" last for the rest)';
  }
  return undefined;
}
