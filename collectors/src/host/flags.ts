import { collectorMessage } from '../errors.js';
import { parseGoBool, parseUlimit } from './settings-values.js';
import type { DaemonSettings } from './types.js';

type FlagKind = 'bool' | 'string' | 'list' | 'ulimit' | 'runtime' | 'config-file';

interface FlagSpec {
  kind: FlagKind;
  key?: keyof DaemonSettings;
}

/** The dockerd flags that feed DaemonConfig, long names (and short aliases) to what they set. */
const FLAGS: Record<string, FlagSpec> = {
  icc: { kind: 'bool', key: 'icc' },
  'log-level': { kind: 'string', key: 'log_level' },
  debug: { kind: 'bool', key: 'debug' },
  iptables: { kind: 'bool', key: 'iptables' },
  'insecure-registry': { kind: 'list', key: 'insecure_registries' },
  'storage-driver': { kind: 'string', key: 'storage_driver' },
  host: { kind: 'list', key: 'hosts' },
  tls: { kind: 'bool', key: 'tls' },
  tlsverify: { kind: 'bool', key: 'tls_verify' },
  tlscacert: { kind: 'string', key: 'tls_cacert' },
  tlscert: { kind: 'string', key: 'tls_cert' },
  tlskey: { kind: 'string', key: 'tls_key' },
  'default-ulimit': { kind: 'ulimit' },
  'userns-remap': { kind: 'string', key: 'userns_remap' },
  'cgroup-parent': { kind: 'string', key: 'cgroup_parent' },
  'storage-opt': { kind: 'list', key: 'storage_opts' },
  'authorization-plugin': { kind: 'list', key: 'authorization_plugins' },
  'log-driver': { kind: 'string', key: 'log_driver' },
  'no-new-privileges': { kind: 'bool', key: 'no_new_privileges' },
  'live-restore': { kind: 'bool', key: 'live_restore' },
  'userland-proxy': { kind: 'bool', key: 'userland_proxy' },
  experimental: { kind: 'bool', key: 'experimental' },
  'seccomp-profile': { kind: 'string', key: 'seccomp_profile' },
  'default-runtime': { kind: 'string', key: 'default_runtime' },
  'selinux-enabled': { kind: 'bool', key: 'selinux_enabled' },
  'add-runtime': { kind: 'runtime' },
  'config-file': { kind: 'config-file' },
};

const SHORT: Record<string, string> = { l: 'log-level', s: 'storage-driver', H: 'host', D: 'debug' };

export interface ParsedFlags {
  /** What the command line configures; keys it does not mention stay undefined. */
  settings: DaemonSettings;
  /** `--config-file`, when given (dockerd's default is /etc/docker/daemon.json). */
  configFile?: string;
  errors: string[];
}

/**
 * Parses dockerd's argv (argv[0] included) the way its flag library (spf13/pflag)
 * does: `--flag=value`, `--flag value`, `-l value`, `-lvalue`, `-l=value`;
 * booleans take a value only after `=` (`--icc=false`), a bare `--icc` is true.
 * Repeated list flags accumulate; for other flags the last one wins. Flags that
 * do not feed DaemonConfig are skipped along with their value.
 */
export function parseDockerdFlags(argv: readonly string[]): ParsedFlags {
  const settings: DaemonSettings = {};
  const parsed: ParsedFlags = { settings, errors: [] };
  const fail = (flag: string, why: string): void => {
    parsed.errors.push(collectorMessage('VIGIL_ERR_HOST_FLAG', flag, why));
  };

  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else if (arg.startsWith('-') && arg.length > 1) {
      const letter = arg[1]!;
      name = SHORT[letter] ?? letter;
      const rest = arg.slice(2);
      inline = rest === '' ? undefined : rest.startsWith('=') ? rest.slice(1) : rest;
    } else {
      continue; // dockerd takes no positional arguments; nothing to learn here
    }

    const spec = FLAGS[name];
    if (spec === undefined || spec.kind !== 'bool') {
      // Every non-boolean flag takes a value: inline, or the next argument.
      if (inline === undefined) {
        const next = argv[i + 1];
        if (next !== undefined && (spec !== undefined || !next.startsWith('-'))) {
          inline = next;
          i++;
        }
      }
      if (spec === undefined) continue;
      if (inline === undefined) {
        fail(arg, 'needs a value');
        continue;
      }
    }

    switch (spec.kind) {
      case 'bool': {
        const value = inline === undefined ? true : parseGoBool(inline);
        if (value === undefined) fail(arg, `expected true or false (actual: ${inline})`);
        else (settings as Record<string, unknown>)[spec.key!] = value;
        break;
      }
      case 'string':
        (settings as Record<string, unknown>)[spec.key!] = inline;
        break;
      case 'list': {
        const key = spec.key as 'insecure_registries' | 'hosts' | 'storage_opts' | 'authorization_plugins';
        (settings[key] ??= []).push(inline!);
        break;
      }
      case 'ulimit': {
        const ulimit = parseUlimit(inline!);
        if (ulimit === undefined) fail(arg, `expected NAME=SOFT[:HARD] (actual: ${inline})`);
        else settings.default_ulimits = [...(settings.default_ulimits ?? []).filter((u) => u.name !== ulimit.name), ulimit];
        break;
      }
      case 'runtime': {
        const eq = inline!.indexOf('=');
        if (eq <= 0) fail(arg, `expected NAME=PATH (actual: ${inline})`);
        else (settings.runtimes ??= {})[inline!.slice(0, eq)] = { path: inline!.slice(eq + 1) };
        break;
      }
      case 'config-file':
        parsed.configFile = inline;
        break;
    }
  }
  return parsed;
}
