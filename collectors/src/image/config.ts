/**
 * The image configuration (OCI image-spec config.md / Docker image JSON):
 * run-time defaults, build history and the ordered layer diff ids, plus the
 * secrets that ENV entries and history commands carry in plain text.
 */
import { detectSecrets } from './secrets.js';
import type { HistoryEntryInit, ImageConfigInit, SecretFindingInit } from './types.js';

export interface ParsedImageConfig {
  config: ImageConfigInit;
  history: HistoryEntryInit[];
  diffIds: string[];
  created: string;
  os: string;
  architecture: string;
}

export class ConfigError extends Error {}

type Json = Record<string, unknown>;

/** Parses config bytes; throws `ConfigError` with a reason a user can act on. */
export function parseImageConfig(bytes: Buffer): ParsedImageConfig {
  let root: unknown;
  try {
    root = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ConfigError(`not JSON: ${(error as Error).message}`);
  }
  if (!isObject(root)) throw new ConfigError(`expected a JSON object (actual: ${kindOf(root)})`);
  const rootfs = root.rootfs;
  if (rootfs !== undefined && !isObject(rootfs)) throw new ConfigError(`"rootfs" must be an object (actual: ${kindOf(rootfs)})`);
  const diffIds = rootfs?.diff_ids;
  if (diffIds !== undefined && diffIds !== null && !isStringArray(diffIds)) {
    throw new ConfigError(`"rootfs.diff_ids" must be an array of strings (actual: ${kindOf(diffIds)})`);
  }
  const run = root.config ?? root.container_config;
  if (run !== undefined && run !== null && !isObject(run)) throw new ConfigError(`"config" must be an object (actual: ${kindOf(run)})`);
  const history = root.history;
  if (history !== undefined && history !== null && !Array.isArray(history)) {
    throw new ConfigError(`"history" must be an array (actual: ${kindOf(history)})`);
  }
  return {
    config: runConfig(run ?? {}),
    history: (history ?? []).filter(isObject).map(historyEntry),
    diffIds: (diffIds as string[] | undefined | null) ?? [],
    created: str(root.created),
    os: str(root.os),
    architecture: str(root.architecture),
  };
}

function runConfig(run: Json): ImageConfigInit {
  const health = isObject(run.Healthcheck) ? run.Healthcheck : undefined;
  const labels: Record<string, string> = {};
  if (isObject(run.Labels)) for (const [key, value] of Object.entries(run.Labels)) labels[key] = str(value);
  const config: ImageConfigInit = {
    user: str(run.User),
    env: strings(run.Env),
    exposed_ports: isObject(run.ExposedPorts) ? Object.keys(run.ExposedPorts).sort() : [],
    entrypoint: strings(run.Entrypoint),
    cmd: strings(run.Cmd),
    labels,
    working_dir: str(run.WorkingDir),
  };
  if (health) {
    config.health_check = {
      test: strings(health.Test),
      interval_ms: nanosToMs(health.Interval),
      timeout_ms: nanosToMs(health.Timeout),
      retries: typeof health.Retries === 'number' ? health.Retries : 0,
    };
  }
  return config;
}

function historyEntry(entry: Json): HistoryEntryInit {
  const created = Date.parse(str(entry.created));
  return {
    created_by: str(entry.created_by),
    empty_layer: entry.empty_layer === true,
    created_at_ms: Number.isFinite(created) ? created : 0,
  };
}

/**
 * Secrets in ENV entries (location "env", path = variable name) and in
 * history commands (location "history", path = "history[i]", layer = the
 * layer that step produced, or the last one before it for metadata-only steps).
 */
export function configSecrets(parsed: ParsedImageConfig): SecretFindingInit[] {
  const findings: SecretFindingInit[] = [];
  for (const entry of parsed.config.env ?? []) {
    const equals = entry.indexOf('=');
    const name = equals < 0 ? entry : entry.slice(0, equals);
    for (const match of detectSecrets(entry)) {
      findings.push({ rule: match.rule, location: 'env', path: name, layer: -1, deleted_later: false, redacted: match.redacted });
    }
  }
  let layer = -1;
  parsed.history.forEach((step, index) => {
    if (!step.empty_layer) layer++;
    for (const match of detectSecrets(step.created_by ?? '')) {
      findings.push({
        rule: match.rule,
        location: 'history',
        path: `history[${index}]`,
        layer: Math.max(layer, 0),
        deleted_later: false,
        redacted: match.redacted,
      });
    }
  });
  return findings;
}

function nanosToMs(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value / 1e6) : 0;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}
