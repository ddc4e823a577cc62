import { FACT_KINDS, isFactKind, isSeverityName, kernelFilterProblem, type FactKind, type KernelFilter, type SeverityName } from '../../../proto/src/index.js';

/** A rule's metadata as written in its METADATA block, checked and normalised. */
export interface RuleMeta {
  id: string;
  title: string;
  description: string;
  kind: FactKind;
  severity: SeverityName;
  maturity: 'stable' | 'incubating';
  recommended_action: string;
  frameworks: Record<string, string[]>;
  /** Rego package, e.g. `vigil.container.privileged`. */
  package: string;
  file: string;
  /** What the rule needs the kernel to report (runtime rules on paths), from `custom.kernel_filter`. */
  kernel_filter?: Partial<KernelFilter>;
  /** Words its findings carry for filtering (`custom.tags`), e.g. would-block. */
  tags?: string[];
  /** What the engine must attach as `input.context` for this rule (`custom.context`), e.g. ["container"]. */
  context?: ContextPart[];
  /**
   * Set by the build: a hash of everything the rule's findings can depend on
   * (its file, the rule packages it imports, every library and data file).
   * Two bundles' rules with the same id and digest find the same on any input.
   */
  digest?: string;
}

/** What a fact can be judged with beside itself: the latest facts of its container, image and host, and its workload's profile. */
export const CONTEXT_PARTS = ['container', 'image', 'host', 'profile'] as const;
export type ContextPart = (typeof CONTEXT_PARTS)[number];

/** One annotation as printed by `opa inspect -a --format json`. */
export interface InspectAnnotation {
  annotations: {
    scope?: string;
    title?: string;
    description?: string;
    custom?: Record<string, unknown>;
  };
  location?: { file?: string };
  path: { type: string; value: string }[];
}

const MATURITIES = ['stable', 'incubating'] as const;

/**
 * Turns package-scoped annotations of rule packages (`vigil.<domain>.<rule>`,
 * not `vigil.lib.*`) into rule metadata. Returns every problem found rather
 * than the first, so an author fixes them in one go.
 */
export function rulesFromAnnotations(annotations: readonly InspectAnnotation[]): { rules: RuleMeta[]; problems: string[] } {
  const rules: RuleMeta[] = [];
  const problems: string[] = [];
  const seenIds = new Map<string, string>();

  for (const entry of annotations) {
    if (entry.annotations.scope !== 'package') continue;
    const pkg = entry.path.slice(1).map((p) => p.value).join('.');
    if (!pkg.startsWith('vigil.') || pkg.startsWith('vigil.lib.') || pkg.startsWith('vigil.main')) continue;
    const custom = entry.annotations.custom ?? {};
    if (custom.library === true) continue;
    const where = `${entry.location?.file ?? '?'} (${pkg})`;
    const fail = (what: string): void => {
      problems.push(`${where}: ${what}`);
    };

    const id = custom.id;
    const kind = custom.kind;
    const severity = typeof custom.severity === 'string' ? custom.severity.toUpperCase() : custom.severity;
    const maturity = custom.maturity ?? 'stable';
    const action = custom.recommended_action;
    const frameworks = custom.frameworks;
    const tags = custom.tags;
    const context = custom.context;
    const contextValid = context === undefined || (Array.isArray(context) && context.length > 0 && context.every((c) => (CONTEXT_PARTS as readonly unknown[]).includes(c)));
    const tagsValid = tags === undefined || (Array.isArray(tags) && tags.every((t) => typeof t === 'string' && /^[a-z0-9][a-z0-9:-]*$/.test(t)));

    if (typeof id !== 'string' || id.length === 0) fail('custom.id is missing');
    if (typeof kind !== 'string' || !isFactKind(kind)) fail(`custom.kind must be one of ${FACT_KINDS.join(', ')} (actual: ${String(kind)})`);
    if (typeof severity !== 'string' || !isSeverityName(severity)) fail(`custom.severity must be LOW, MEDIUM, HIGH or CRITICAL (actual: ${String(severity)})`);
    if (typeof maturity !== 'string' || !(MATURITIES as readonly string[]).includes(maturity)) fail(`custom.maturity must be stable or incubating (actual: ${String(maturity)})`);
    if (typeof action !== 'string' || action.length === 0) fail('custom.recommended_action is missing');
    const normalisedFrameworks = normaliseFrameworks(frameworks);
    if (normalisedFrameworks === undefined) fail('custom.frameworks must map framework names to non-empty lists of ids');
    if (!entry.annotations.title) fail('title is missing');
    if (!contextValid) fail(`custom.context must list what the rule reads of ${CONTEXT_PARTS.join(', ')} (actual: ${JSON.stringify(context)})`);
    if (!tagsValid) fail('custom.tags must be a list of lower-case words (a-z, 0-9, - and :)');
    const kernelFilter = custom.kernel_filter;
    const filterProblem = kernelFilter === undefined ? undefined : kernelFilterProblem(kernelFilter);
    if (filterProblem !== undefined) fail(`custom.kernel_filter ${filterProblem}`);
    if (typeof id === 'string' && seenIds.has(id)) fail(`duplicate id ${id}, also used by ${seenIds.get(id)}`);
    if (typeof id === 'string') seenIds.set(id, where);

    if (
      typeof id === 'string' && id.length > 0 &&
      typeof kind === 'string' && isFactKind(kind) &&
      typeof severity === 'string' && isSeverityName(severity) &&
      typeof action === 'string' && action.length > 0 &&
      normalisedFrameworks !== undefined &&
      (maturity === 'stable' || maturity === 'incubating')
    ) {
      rules.push({
        id,
        title: entry.annotations.title ?? '',
        description: (entry.annotations.description ?? '').trim(),
        kind,
        severity,
        maturity,
        recommended_action: action,
        frameworks: normalisedFrameworks,
        package: pkg,
        file: entry.location?.file ?? '',
        ...(kernelFilter !== undefined && filterProblem === undefined ? { kernel_filter: kernelFilter as Partial<KernelFilter> } : {}),
        ...(tagsValid && Array.isArray(tags) && tags.length > 0 ? { tags: tags as string[] } : {}),
        ...(contextValid && Array.isArray(context) ? { context: [...new Set(context as ContextPart[])] } : {}),
      });
    }
  }
  rules.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  return { rules, problems };
}

function normaliseFrameworks(value: unknown): Record<string, string[]> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const out: Record<string, string[]> = {};
  for (const [name, ids] of Object.entries(value)) {
    if (!Array.isArray(ids) || ids.length === 0) return undefined;
    out[name] = ids.map((x) => String(x));
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
