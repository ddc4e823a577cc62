import { collectorMessage } from '../errors.js';
import type { DaemonSettings, RuntimeSetting, UlimitSetting } from './types.js';

export interface ParsedDaemonJson {
  settings: DaemonSettings;
  errors: string[];
}

type Field =
  | { key: keyof DaemonSettings; type: 'boolean' | 'string' | 'string[]' }
  | { key: 'default_ulimits'; type: 'ulimits' }
  | { key: 'runtimes'; type: 'runtimes' };

/** daemon.json keys (as documented for dockerd) that feed DaemonConfig. */
const FIELDS: Record<string, Field> = {
  icc: { key: 'icc', type: 'boolean' },
  'log-level': { key: 'log_level', type: 'string' },
  debug: { key: 'debug', type: 'boolean' },
  iptables: { key: 'iptables', type: 'boolean' },
  'insecure-registries': { key: 'insecure_registries', type: 'string[]' },
  'storage-driver': { key: 'storage_driver', type: 'string' },
  hosts: { key: 'hosts', type: 'string[]' },
  tls: { key: 'tls', type: 'boolean' },
  tlsverify: { key: 'tls_verify', type: 'boolean' },
  tlscacert: { key: 'tls_cacert', type: 'string' },
  tlscert: { key: 'tls_cert', type: 'string' },
  tlskey: { key: 'tls_key', type: 'string' },
  'default-ulimits': { key: 'default_ulimits', type: 'ulimits' },
  'userns-remap': { key: 'userns_remap', type: 'string' },
  'cgroup-parent': { key: 'cgroup_parent', type: 'string' },
  'storage-opts': { key: 'storage_opts', type: 'string[]' },
  'authorization-plugins': { key: 'authorization_plugins', type: 'string[]' },
  'log-driver': { key: 'log_driver', type: 'string' },
  'no-new-privileges': { key: 'no_new_privileges', type: 'boolean' },
  'live-restore': { key: 'live_restore', type: 'boolean' },
  'userland-proxy': { key: 'userland_proxy', type: 'boolean' },
  experimental: { key: 'experimental', type: 'boolean' },
  'seccomp-profile': { key: 'seccomp_profile', type: 'string' },
  'default-runtime': { key: 'default_runtime', type: 'string' },
  'selinux-enabled': { key: 'selinux_enabled', type: 'boolean' },
  runtimes: { key: 'runtimes', type: 'runtimes' },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ulimits(value: unknown): UlimitSetting[] | undefined {
  if (!isRecord(value)) return undefined;
  const result: UlimitSetting[] = [];
  for (const [name, entry] of Object.entries(value)) {
    if (!isRecord(entry) || typeof entry.Soft !== 'number' || typeof entry.Hard !== 'number') return undefined;
    result.push({ name: typeof entry.Name === 'string' && entry.Name !== '' ? entry.Name : name, soft: entry.Soft, hard: entry.Hard });
  }
  return result;
}

function runtimes(value: unknown): Record<string, RuntimeSetting> | undefined {
  if (!isRecord(value)) return undefined;
  const result: Record<string, RuntimeSetting> = {};
  for (const [name, entry] of Object.entries(value)) {
    if (!isRecord(entry)) return undefined;
    result[name] = { path: typeof entry.path === 'string' ? entry.path : '' };
  }
  return result;
}

function convert(field: Field, value: unknown): unknown {
  switch (field.type) {
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'string':
      return typeof value === 'string' ? value : undefined;
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? [...value] : undefined;
    case 'ulimits':
      return ulimits(value);
    case 'runtimes':
      return runtimes(value);
  }
}

/**
 * Reads daemon.json text into settings. Malformed JSON yields no settings and
 * one error (the caller reports Docker's defaults); a key with the wrong type is
 * ignored with an error. Keys that do not feed DaemonConfig are ignored.
 */
export function parseDaemonJson(text: string, where: string): ParsedDaemonJson {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { settings: {}, errors: [collectorMessage('VIGIL_ERR_HOST_DAEMON_JSON_MALFORMED', where, (error as Error).message)] };
  }
  if (!isRecord(document)) {
    return { settings: {}, errors: [collectorMessage('VIGIL_ERR_HOST_DAEMON_JSON_MALFORMED', where, 'expected a JSON object')] };
  }
  const settings: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const [name, value] of Object.entries(document)) {
    const field = FIELDS[name];
    if (field === undefined) continue;
    const converted = convert(field, value);
    if (converted === undefined) {
      errors.push(collectorMessage('VIGIL_ERR_HOST_DAEMON_JSON_FIELD', where, field.type, name, JSON.stringify(value)));
    } else {
      settings[field.key] = converted;
    }
  }
  return { settings: settings as DaemonSettings, errors };
}
