import { parseSecurityOptions, type EngineInfo } from './engine-api.js';
import { baseDeviceSize } from './settings-values.js';
import type { DaemonConfigInit, DaemonSettings } from './types.js';

/** dockerd's default listening socket when neither -H nor "hosts" is given. */
export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

export interface DaemonConfigSources {
  /** Settings from daemon.json (empty when missing or malformed). */
  file: DaemonSettings;
  /** Settings from the running dockerd's command line. */
  flags: DaemonSettings;
  commandLine: readonly string[];
  configFilePresent: boolean;
  /** `GET /info` of the running engine, when the socket answered. */
  engine?: EngineInfo;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Settings as dockerd sees them: command-line flags over daemon.json. (dockerd
 * refuses to start when both set the same key; for a running daemon the flag is
 * the likelier truth.) Runtimes from both places are merged, flags winning per name.
 */
export function mergeSettings(file: DaemonSettings, flags: DaemonSettings): DaemonSettings {
  const merged: DaemonSettings = { ...definedOnly(file), ...definedOnly(flags) };
  if (file.runtimes !== undefined || flags.runtimes !== undefined) {
    merged.runtimes = { ...file.runtimes, ...flags.runtimes };
  }
  return merged;
}

/**
 * The effective daemon configuration: configured values with Docker's defaults
 * where nothing is configured, then what the running engine reports where the
 * engine is the authority (storage and logging driver, live restore,
 * experimental, default runtime, seccomp profile, SELinux and user namespaces).
 *
 * `cgroup_parent` and `base_device_size` stay empty unless configured: their
 * defaults depend on the cgroup and storage drivers, and empty means "Docker's default".
 */
export function effectiveDaemonConfig(sources: DaemonConfigSources): DaemonConfigInit {
  const s = mergeSettings(sources.file, sources.flags);
  const config: DaemonConfigInit = {
    icc: s.icc ?? true,
    // dockerd --debug forces the debug level whatever --log-level says.
    log_level: s.debug === true ? 'debug' : (s.log_level ?? 'info'),
    iptables: s.iptables ?? true,
    insecure_registries: s.insecure_registries ?? [],
    storage_driver: s.storage_driver ?? '',
    hosts: s.hosts !== undefined && s.hosts.length > 0 ? s.hosts : [DEFAULT_DOCKER_HOST],
    // dockerd: "if they specify --tlsverify at all then we need to turn on TLS".
    tls: (s.tls ?? false) || s.tls_verify !== undefined,
    tls_verify: s.tls_verify ?? false,
    tls_cacert: s.tls_cacert ?? '',
    tls_cert: s.tls_cert ?? '',
    tls_key: s.tls_key ?? '',
    default_ulimits: (s.default_ulimits ?? []).map((u) => ({ name: u.name, soft: u.soft, hard: u.hard })),
    userns_remap: s.userns_remap ?? '',
    cgroup_parent: s.cgroup_parent ?? '',
    base_device_size: baseDeviceSize(s.storage_opts) ?? '',
    authorization_plugins: s.authorization_plugins ?? [],
    log_driver: s.log_driver ?? 'json-file',
    no_new_privileges: s.no_new_privileges ?? false,
    live_restore: s.live_restore ?? false,
    userland_proxy: s.userland_proxy ?? true,
    experimental: s.experimental ?? false,
    seccomp_profile: s.seccomp_profile ?? 'default',
    default_runtime: s.default_runtime ?? 'runc',
    selinux_enabled: s.selinux_enabled ?? false,
    command_line: [...sources.commandLine],
    config_file_present: sources.configFilePresent,
  };

  const engine = sources.engine;
  if (engine !== undefined) {
    if (engine.Driver) config.storage_driver = engine.Driver;
    if (engine.LoggingDriver) config.log_driver = engine.LoggingDriver;
    if (typeof engine.LiveRestoreEnabled === 'boolean') config.live_restore = engine.LiveRestoreEnabled;
    if (typeof engine.ExperimentalBuild === 'boolean') config.experimental = engine.ExperimentalBuild;
    if (engine.DefaultRuntime) config.default_runtime = engine.DefaultRuntime;
    if (engine.SecurityOptions !== undefined) {
      const options = parseSecurityOptions(engine.SecurityOptions);
      const profile = options.get('seccomp')?.profile;
      if (profile) config.seccomp_profile = profile;
      // The engine lists selinux only when --selinux-enabled is on and the host enforces it.
      config.selinux_enabled = options.has('selinux');
      // A running daemon without user namespaces is not remapping, whatever the file says now.
      if (!options.has('userns')) config.userns_remap = '';
      if (options.has('no-new-privileges')) config.no_new_privileges = true;
    }
  }
  return config;
}
