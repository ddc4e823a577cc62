import type { FactInit } from '../../../proto/src/index.js';

/** The host fact as the sink takes it (`vigil.v1.IHostFact`). */
export type HostFactInit = NonNullable<FactInit['host']>;
export type DaemonConfigInit = NonNullable<HostFactInit['daemon']>;
export type RuntimeInfoInit = NonNullable<HostFactInit['runtimes']>[number];
export type FileOwnershipInit = NonNullable<HostFactInit['files']>[number];

export interface UlimitSetting {
  name: string;
  soft: number;
  hard: number;
}

export interface RuntimeSetting {
  path: string;
}

/**
 * Daemon settings as configured, before defaults: what daemon.json or the
 * command line says, `undefined` where it says nothing. Keys follow DaemonConfig.
 */
export interface DaemonSettings {
  icc?: boolean;
  log_level?: string;
  debug?: boolean;
  iptables?: boolean;
  insecure_registries?: string[];
  storage_driver?: string;
  hosts?: string[];
  tls?: boolean;
  tls_verify?: boolean;
  tls_cacert?: string;
  tls_cert?: string;
  tls_key?: string;
  default_ulimits?: UlimitSetting[];
  userns_remap?: string;
  cgroup_parent?: string;
  storage_opts?: string[];
  authorization_plugins?: string[];
  log_driver?: string;
  no_new_privileges?: boolean;
  live_restore?: boolean;
  userland_proxy?: boolean;
  experimental?: boolean;
  seccomp_profile?: string;
  default_runtime?: string;
  selinux_enabled?: boolean;
  runtimes?: Record<string, RuntimeSetting>;
}
