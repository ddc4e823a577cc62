/**
 * Reading untyped YAML: manifests are user input, so every field is checked
 * for its shape and anything else is treated as absent.
 */
export type Json = Record<string, unknown>;

export function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function records(value: unknown): Json[] {
  return list(value).flatMap((item) => {
    const r = record(item);
    return r ? [r] : [];
  });
}

/** Strings as they are, numbers and booleans as written; anything else absent. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

const TRUE = new Set(['true', 'yes', 'y', 'on']);
const FALSE = new Set(['false', 'no', 'n', 'off']);

/**
 * A boolean as YAML 1.1 readers (Kubernetes' sigs.k8s.io/yaml, older compose)
 * understand it: `yes`, `on` and `true` are true. The parser reads YAML 1.2, where
 * those are strings; reading them here keeps `hostNetwork: yes` from slipping by.
 */
export function bool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const lower = value.trim().toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  return undefined;
}

/** An integer, from a number or a numeric string. */
export function integer(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** A string-to-string map (labels, annotations); non-scalar values are skipped. */
export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(record(value) ?? {})) {
    const scalar = item === null ? '' : text(item);
    if (scalar !== undefined) out[key] = scalar;
  }
  return out;
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
