import { workloadOf, type ContainerFactInit } from '../../../proto/src/index.js';
import { effectiveCapabilities, normaliseCapabilities } from './capabilities.js';
import { isSandboxRuntime } from '../sandbox-runtime.js';
import type {
  DockerHealthcheck,
  DockerHostConfig,
  DockerInspect,
  DockerMountPoint,
  DockerPortMap,
  DockerState,
} from './docker-inspect.js';

type MountInit = NonNullable<ContainerFactInit['mounts']>[number];
type PortInit = NonNullable<ContainerFactInit['ports']>[number];
type HealthCheckInit = NonNullable<ContainerFactInit['health_check']>;

const PROPAGATIONS = new Set(['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate']);
const ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * The one mapping from Docker's view of a container to a `ContainerFact`. The
 * API source passes `GET /containers/{id}/json` as it comes; the disk source
 * first rebuilds that object from config.v2.json and hostconfig.json
 * (`inspectFromDisk`), so both sources agree field for field.
 */
export function normaliseDockerInspect(inspect: DockerInspect): ContainerFactInit {
  const host: DockerHostConfig = inspect.HostConfig ?? {};
  const config = inspect.Config ?? {};
  const state = inspect.State ?? {};
  const privileged = host.Privileged === true;
  const security = parseSecurityOpt(host.SecurityOpt ?? []);
  const capAdd = normaliseCapabilities(host.CapAdd);
  const capDrop = normaliseCapabilities(host.CapDrop);
  const runtime = nonEmpty(host.Runtime) ?? 'runc';
  const status = nonEmpty(state.Status) ?? stateString(state);
  const user = config.User ?? '';

  const fact: ContainerFactInit = {
    id: inspect.Id ?? '',
    name: (inspect.Name ?? '').replace(/^\//, ''),
    image: config.Image ?? '',
    image_id: inspect.Image ?? '',
    engine: 'docker',
    state: status,
    privileged,
    capabilities: effectiveCapabilities(capAdd, capDrop, privileged),
    cap_add: capAdd,
    cap_drop: capDrop,
    mounts: mountsOf(inspect.Mounts ?? [], host),
    seccomp_profile: security.seccomp ?? (privileged ? 'unconfined' : 'default'),
    apparmor_profile: security.apparmor ?? nonEmpty(inspect.AppArmorProfile) ?? (privileged ? 'unconfined' : ''),
    selinux_options: security.selinux,
    no_new_privileges: security.noNewPrivileges,
    read_only_rootfs: host.ReadonlyRootfs === true,
    user,
    ...runAs(user),
    namespaces: {
      pid: host.PidMode ?? '',
      ipc: host.IpcMode ?? '',
      network: networkMode(host.NetworkMode),
      uts: host.UTSMode ?? '',
      userns: host.UsernsMode ?? '',
      cgroupns: host.CgroupnsMode ?? '',
    },
    devices: (host.Devices ?? []).map((device) => ({
      path_on_host: device.PathOnHost ?? '',
      path_in_container: device.PathInContainer ?? '',
      permissions: device.CgroupPermissions ?? '',
    })),
    runtime,
    sandboxed: isSandboxRuntime(runtime),
    resources: {
      memory_bytes: host.Memory ?? 0,
      nano_cpus: host.NanoCpus ?? 0,
      cpu_shares: host.CpuShares ?? 0,
      pids_limit: host.PidsLimit ?? 0,
      cgroup_parent: host.CgroupParent ?? '',
    },
    ports: portsOf(host.PortBindings ?? {}, status === 'running' ? inspect.NetworkSettings?.Ports : undefined),
    restart_policy: {
      name: nonEmpty(host.RestartPolicy?.Name) ?? 'no',
      maximum_retry_count: host.RestartPolicy?.MaximumRetryCount ?? 0,
    },
    health_status: state.Health?.Status ?? '',
    labels: { ...(config.Labels ?? {}) },
    // Sorted: inspect appends the daemon's default ulimits in map order.
    ulimits: (host.Ulimits ?? [])
      .map((ulimit) => ({ name: ulimit.Name ?? '', soft: ulimit.Soft ?? 0, hard: ulimit.Hard ?? 0 }))
      .sort((a, b) => compare(a.name, b.name)),
    sysctls: { ...(host.Sysctls ?? {}) },
    masked_paths: [...(host.MaskedPaths ?? [])],
    readonly_paths: [...(host.ReadonlyPaths ?? [])],
    created_at_ms: parseDockerTime(inspect.Created),
    restart_count: inspect.RestartCount ?? 0,
    workload: workloadOf({ image: config.Image ?? '', labels: config.Labels ?? {} }),
  };
  const health = healthCheckOf(config.Healthcheck);
  if (health) fact.health_check = health;
  return fact;
}

/** Docker's State.StateString(), for state read from disk (which has no Status). */
export function stateString(state: DockerState): string {
  if (state.Running) {
    if (state.Paused) return 'paused';
    if (state.Restarting) return 'restarting';
    return 'running';
  }
  if (state.RemovalInProgress) return 'removing';
  if (state.Dead) return 'dead';
  if (!state.StartedAt || state.StartedAt === ZERO_TIME) return 'created';
  return 'exited';
}

/** RFC 3339 with nanoseconds → unix ms (0 when absent or unparsable). */
export function parseDockerTime(value: string | null | undefined): number {
  if (!value || value === ZERO_TIME) return 0;
  const trimmed = value.replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(trimmed);
  return Number.isFinite(ms) ? ms : 0;
}

export interface SecurityOptions {
  seccomp?: string;
  apparmor?: string;
  selinux: string[];
  noNewPrivileges: boolean;
}

/**
 * HostConfig.SecurityOpt: `key=value`, or the pre-1.11 `key:value`. A seccomp
 * profile given as a file arrives as its JSON text: it is reported as "custom".
 */
export function parseSecurityOpt(options: readonly string[]): SecurityOptions {
  const result: SecurityOptions = { selinux: [], noNewPrivileges: false };
  for (const option of options) {
    const match = /^([^=:]+)[=:]?(.*)$/s.exec(option.trim());
    if (!match) continue;
    const key = (match[1] ?? '').trim().toLowerCase();
    const value = (match[2] ?? '').trim();
    switch (key) {
      case 'seccomp':
        result.seccomp = value.startsWith('{') ? 'custom' : value;
        break;
      case 'apparmor':
        result.apparmor = value;
        break;
      case 'label':
        result.selinux.push(value);
        break;
      case 'no-new-privileges':
        result.noNewPrivileges = value === '' || value.toLowerCase() === 'true';
        break;
      default:
        break;
    }
  }
  return result;
}

function runAs(user: string): { run_as_uid?: number; run_as_gid?: number } {
  if (user === '') return { run_as_uid: 0, run_as_gid: 0 };
  const [uidPart = '', gidPart] = user.split(':', 2);
  const out: { run_as_uid?: number; run_as_gid?: number } = {};
  const uid = numericId(uidPart);
  if (uid !== undefined) out.run_as_uid = uid;
  if (gidPart !== undefined) {
    const gid = numericId(gidPart);
    if (gid !== undefined) out.run_as_gid = gid;
  }
  return out;
}

function numericId(part: string): number | undefined {
  if (part === 'root') return 0;
  return /^\d+$/.test(part) ? Number(part) : undefined;
}

function networkMode(mode: string | null | undefined): string {
  return !mode || mode === 'default' ? 'bridge' : mode;
}

function healthCheckOf(check: DockerHealthcheck | null | undefined): HealthCheckInit | undefined {
  if (!check) return undefined;
  return {
    test: [...(check.Test ?? [])],
    interval_ms: nsToMs(check.Interval),
    timeout_ms: nsToMs(check.Timeout),
    retries: check.Retries ?? 0,
  };
}

function nsToMs(ns: number | null | undefined): number {
  return ns ? Math.round(ns / 1e6) : 0;
}

/**
 * Inspect's `Mounts` (binds, volumes, --mount) is authoritative; HostConfig
 * Binds, Mounts and Tmpfs fill in what it lacks (--tmpfs never appears there).
 * Sorted by destination: Docker lists them in map order.
 */
function mountsOf(points: readonly DockerMountPoint[], host: DockerHostConfig): MountInit[] {
  const byDestination = new Map<string, MountInit>();
  const add = (mount: MountInit): void => {
    const destination = mount.destination ?? '';
    if (destination !== '' && !byDestination.has(destination)) byDestination.set(destination, mount);
  };
  for (const point of points) {
    add({
      type: point.Type ?? '',
      source: point.Source ?? '',
      destination: point.Destination ?? '',
      read_write: point.RW !== false,
      propagation: point.Propagation ?? '',
    });
  }
  for (const bind of host.Binds ?? []) {
    const parsed = parseBind(bind);
    if (parsed) add(parsed);
  }
  for (const spec of host.Mounts ?? []) {
    const type = spec.Type ?? '';
    add({
      type,
      source: spec.Source ?? '',
      destination: spec.Target ?? '',
      read_write: spec.ReadOnly !== true,
      propagation: spec.BindOptions?.Propagation ?? (type === 'bind' ? 'rprivate' : ''),
    });
  }
  for (const [destination, options] of Object.entries(host.Tmpfs ?? {})) {
    add({
      type: 'tmpfs',
      source: '',
      destination,
      read_write: !options.split(',').includes('ro'),
      propagation: '',
    });
  }
  return [...byDestination.values()].sort((a, b) => compare(a.destination ?? '', b.destination ?? ''));
}

/** `-v` syntax: `[source:]destination[:options]`. */
export function parseBind(bind: string): MountInit | undefined {
  const parts = bind.split(':');
  if (parts.length === 0 || parts[0] === '') return undefined;
  let source = '';
  let destination: string;
  let options: string[] = [];
  if (parts.length === 1) destination = parts[0] ?? '';
  else {
    source = parts[0] ?? '';
    destination = parts[1] ?? '';
    options = (parts[2] ?? '').split(',').filter((option) => option !== '');
  }
  const type = source === '' ? 'volume' : source.startsWith('/') ? 'bind' : 'volume';
  const propagation = options.find((option) => PROPAGATIONS.has(option)) ?? (type === 'bind' ? 'rprivate' : '');
  return { type, source, destination, read_write: !options.includes('ro'), propagation };
}

/**
 * Configured bindings, and while running the ports the engine actually
 * published (random host ports, -P). A configured binding that a published
 * port realises is reported once, with the published address.
 */
function portsOf(bindings: DockerPortMap, published: DockerPortMap | null | undefined): PortInit[] {
  const configured = expandPorts(bindings);
  const live = expandPorts(published ?? {});
  const realises = (binding: PortInit, port: PortInit): boolean =>
    binding.container_port === port.container_port &&
    binding.protocol === port.protocol &&
    (binding.host_port === 0 || binding.host_port === port.host_port) &&
    (binding.host_ip === port.host_ip || (binding.host_ip === '' && (port.host_ip === '0.0.0.0' || port.host_ip === '::')));
  const ports = [...live, ...configured.filter((binding) => !live.some((port) => realises(binding, port)))];
  const seen = new Set<string>();
  return ports
    .filter((port) => {
      const key = `${port.container_port}/${port.protocol}/${port.host_ip}/${port.host_port}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort(
      (a, b) =>
        (a.container_port ?? 0) - (b.container_port ?? 0) ||
        compare(a.protocol ?? '', b.protocol ?? '') ||
        compare(a.host_ip ?? '', b.host_ip ?? '') ||
        (a.host_port ?? 0) - (b.host_port ?? 0),
    );
}

function expandPorts(map: DockerPortMap): PortInit[] {
  const out: PortInit[] = [];
  for (const [key, bindings] of Object.entries(map)) {
    const [portText = '', protocol = 'tcp'] = key.split('/', 2);
    const containerPort = Number.parseInt(portText, 10);
    if (!Number.isFinite(containerPort)) continue;
    for (const binding of bindings ?? []) {
      const hostPort = Number.parseInt(binding.HostPort ?? '', 10);
      out.push({
        container_port: containerPort,
        protocol,
        host_ip: binding.HostIp ?? '',
        host_port: Number.isFinite(hostPort) ? hostPort : 0,
      });
    }
  }
  return out;
}

function nonEmpty(value: string | null | undefined): string | undefined {
  return value ? value : undefined;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
