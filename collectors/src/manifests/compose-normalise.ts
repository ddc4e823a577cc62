import path from 'node:path';
import type { ContainerFactInit } from '../../../proto/src/index.js';
import { effectiveCapabilities, normaliseCapabilities, parseSecurityOpt } from '../container/index.js';
import { composeBytes, composeDurationMs } from './quantity.js';
import { isSandboxedRuntime } from './runtimes.js';
import { bool, compare, integer, list, record, text, type Json } from './values.js';

type MountInit = NonNullable<ContainerFactInit['mounts']>[number];
type PortInit = NonNullable<ContainerFactInit['ports']>[number];
type DeviceInit = NonNullable<ContainerFactInit['devices']>[number];
type HealthCheckInit = NonNullable<ContainerFactInit['health_check']>;
type UlimitInit = NonNullable<ContainerFactInit['ulimits']>[number];

/** What a service needs to know about the file around it. */
export interface ComposeProject {
  name: string;
  /** The compose file, to resolve relative bind sources against its directory. */
  file: string;
  /** Top-level `volumes:`: named volumes, some of which are binds in disguise. */
  volumes: Json;
  sandboxedRuntimes?: readonly string[];
}

const PROPAGATIONS = new Set(['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate']);
const MAX_PORT_RANGE = 1024;
const RESTART_CONDITIONS: Record<string, string> = { none: 'no', 'on-failure': 'on-failure', any: 'always' };

/**
 * One compose service → a ContainerFact (engine "compose") as Docker would
 * report the container compose creates from it.
 */
export function normaliseComposeService(service: string, definition: Json, project: ComposeProject): ContainerFactInit {
  const privileged = bool(definition.privileged) === true;
  const capAdd = normaliseCapabilities(strings(definition.cap_add));
  const capDrop = normaliseCapabilities(strings(definition.cap_drop));
  const security = parseSecurityOpt(strings(definition.security_opt));
  const user = text(definition.user) ?? '';
  const runtime = text(definition.runtime) ?? '';
  const limits = record(record(record(definition.deploy)?.resources)?.limits) ?? {};
  const image = text(definition.image) ?? (definition.build === undefined ? '' : `${project.name}-${service}`);

  const fact: ContainerFactInit = {
    id: `${project.file}#${service}`,
    name: service,
    image,
    image_id: '',
    engine: 'compose',
    state: '',
    privileged,
    capabilities: effectiveCapabilities(capAdd, capDrop, privileged),
    cap_add: capAdd,
    cap_drop: capDrop,
    mounts: mountsOf(definition, project),
    seccomp_profile: security.seccomp ?? (privileged ? 'unconfined' : 'default'),
    apparmor_profile: security.apparmor ?? (privileged ? 'unconfined' : ''),
    selinux_options: security.selinux,
    no_new_privileges: security.noNewPrivileges,
    read_only_rootfs: bool(definition.read_only) === true,
    user,
    ...runAs(user),
    namespaces: {
      pid: text(definition.pid) ?? '',
      ipc: text(definition.ipc) ?? '',
      network: networkOf(definition, project.name),
      uts: text(definition.uts) ?? '',
      userns: text(definition.userns_mode) ?? '',
      cgroupns: text(definition.cgroup) ?? '',
    },
    devices: devicesOf(definition.devices),
    runtime,
    sandboxed: isSandboxedRuntime(runtime, project.sandboxedRuntimes),
    resources: {
      memory_bytes: composeBytes(definition.mem_limit ?? limits.memory) ?? 0,
      nano_cpus: nanoCpus(definition.cpus ?? limits.cpus),
      cpu_shares: integer(definition.cpu_shares) ?? 0,
      pids_limit: integer(definition.pids_limit ?? limits.pids) ?? 0,
      cgroup_parent: text(definition.cgroup_parent) ?? '',
    },
    ports: portsOf(definition.ports),
    restart_policy: restartOf(definition),
    health_status: '',
    labels: keyValues(definition.labels),
    ulimits: ulimitsOf(definition.ulimits),
    sysctls: keyValues(definition.sysctls),
    masked_paths: [],
    readonly_paths: [],
    created_at_ms: 0,
    restart_count: 0,
  };
  const health = healthCheckOf(definition.healthcheck);
  if (health) fact.health_check = health;
  return fact;
}

/** `uid[:gid]` → numeric ids where they are numbers (or root); a name leaves them unknown. */
function runAs(user: string): { run_as_uid?: number; run_as_gid?: number } {
  if (user === '') return {};
  const [uidPart = '', gidPart] = user.split(':', 2);
  const out: { run_as_uid?: number; run_as_gid?: number } = {};
  const uid = numericId(uidPart);
  if (uid !== undefined) out.run_as_uid = uid;
  const gid = gidPart === undefined ? undefined : numericId(gidPart);
  if (gid !== undefined) out.run_as_gid = gid;
  return out;
}

function numericId(part: string): number | undefined {
  if (part === 'root') return 0;
  return /^\d+$/.test(part) ? Number(part) : undefined;
}

/**
 * `network_mode` as written (host, none, service:…, container:…, bridge);
 * otherwise the first network the service joins, named as compose creates it
 * (`<project>_<network>`), which is never Docker's default bridge.
 */
function networkOf(definition: Json, project: string): string {
  const mode = text(definition.network_mode);
  if (mode) return mode;
  const networks = Array.isArray(definition.networks)
    ? strings(definition.networks)
    : Object.keys(record(definition.networks) ?? {});
  return `${project}_${networks[0] ?? 'default'}`;
}

function mountsOf(definition: Json, project: ComposeProject): MountInit[] {
  const mounts: MountInit[] = [];
  for (const entry of list(definition.volumes)) {
    const mount = typeof entry === 'string' ? shortVolume(entry, project) : longVolume(record(entry), project);
    if (mount) mounts.push(mount);
  }
  const tmpfs = typeof definition.tmpfs === 'string' ? [definition.tmpfs] : strings(definition.tmpfs);
  for (const entry of tmpfs) {
    const [destination = '', options = ''] = splitOnce(entry, ':');
    mounts.push({ type: 'tmpfs', source: '', destination, read_write: !options.split(',').includes('ro'), propagation: '' });
  }
  return mounts.sort((a, b) => compare(a.destination ?? '', b.destination ?? ''));
}

/** `[source:]target[:options]`; options: ro, rw, z, Z, nocopy, a propagation mode. */
function shortVolume(entry: string, project: ComposeProject): MountInit | undefined {
  const parts = entry.split(':');
  if (parts.length === 0 || entry === '') return undefined;
  if (parts.length === 1) return { type: 'volume', source: '', destination: entry, read_write: true, propagation: '' };
  const [source = '', destination = '', optionText = ''] = parts;
  const options = optionText.split(',').filter((option) => option !== '');
  const readOnly = options.includes('ro');
  const propagation = options.find((option) => PROPAGATIONS.has(option));
  return sourced(source, destination, readOnly, propagation, project);
}

function longVolume(entry: Json | undefined, project: ComposeProject): MountInit | undefined {
  if (!entry) return undefined;
  const type = text(entry.type) ?? 'volume';
  const destination = text(entry.target) ?? '';
  const readOnly = bool(entry.read_only) === true;
  const source = text(entry.source) ?? '';
  const propagation = text(record(entry.bind)?.propagation);
  if (type === 'bind') return bindMount(resolveSource(source, project), destination, readOnly, propagation);
  if (type === 'volume') return sourced(source, destination, readOnly, propagation, project, true);
  return { type, source, destination, read_write: !readOnly, propagation: propagation ?? '' };
}

/**
 * A path (absolute, ./relative, ~/home) is a bind; a name is a named volume,
 * unless the top-level volume is a local bind in disguise
 * (`driver_opts: {type: none, o: bind, device: /host/path}`).
 */
function sourced(
  source: string,
  destination: string,
  readOnly: boolean,
  propagation: string | undefined,
  project: ComposeProject,
  namedOnly = false,
): MountInit {
  if (source === '') return { type: 'volume', source: '', destination, read_write: !readOnly, propagation: '' };
  if (!namedOnly && /^[/.~]/.test(source)) return bindMount(resolveSource(source, project), destination, readOnly, propagation);
  const options = record(record(project.volumes[source])?.driver_opts) ?? {};
  const device = text(options.device);
  if (device && (text(options.o) ?? '').split(',').includes('bind')) {
    return bindMount(resolveSource(device, project), destination, readOnly, propagation);
  }
  return { type: 'volume', source, destination, read_write: !readOnly, propagation: propagation ?? '' };
}

function bindMount(source: string, destination: string, readOnly: boolean, propagation: string | undefined): MountInit {
  return { type: 'bind', source, destination, read_write: !readOnly, propagation: propagation ?? 'rprivate' };
}

/** Relative sources are relative to the compose file's directory; `~` is left as written. */
function resolveSource(source: string, project: ComposeProject): string {
  if (source.startsWith('.')) return path.resolve(path.dirname(project.file), source);
  return source;
}

/** `/dev/x[:/dev/y[:rwm]]`, or `{source, target, permissions}`. */
function devicesOf(value: unknown): DeviceInit[] {
  return list(value).flatMap((entry): DeviceInit[] => {
    if (typeof entry === 'string') {
      const [host = '', inside, permissions] = entry.split(':');
      if (host === '') return [];
      return [{ path_on_host: host, path_in_container: inside || host, permissions: permissions || 'rwm' }];
    }
    const device = record(entry);
    const host = text(device?.source) ?? '';
    if (host === '') return [];
    return [
      { path_on_host: host, path_in_container: text(device?.target) || host, permissions: text(device?.permissions) || 'rwm' },
    ];
  });
}

function nanoCpus(value: unknown): number {
  const cpus = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(cpus) && cpus > 0 ? Math.round(cpus * 1e9) : 0;
}

/**
 * Short syntax `[[host_ip:]host_port:]container_port[/protocol]`, with ranges
 * and bracketed IPv6 hosts; long syntax `{target, published, host_ip, protocol}`.
 * A port without a host port is published on a random one (host_port 0).
 */
function portsOf(value: unknown): PortInit[] {
  const out: PortInit[] = [];
  for (const entry of list(value)) {
    if (typeof entry === 'number' || typeof entry === 'string') out.push(...shortPort(String(entry)));
    else {
      const port = record(entry);
      if (!port) continue;
      out.push(
        ...pair(text(port.published) ?? '', text(port.target) ?? '', text(port.host_ip) ?? '', text(port.protocol) ?? 'tcp'),
      );
    }
  }
  return out.sort(
    (a, b) =>
      (a.container_port ?? 0) - (b.container_port ?? 0) ||
      compare(a.protocol ?? '', b.protocol ?? '') ||
      compare(a.host_ip ?? '', b.host_ip ?? '') ||
      (a.host_port ?? 0) - (b.host_port ?? 0),
  );
}

function shortPort(entry: string): PortInit[] {
  const [spec = '', protocol = 'tcp'] = splitOnce(entry.trim(), '/');
  const colon = spec.lastIndexOf(':');
  if (colon < 0) return pair('', spec, '', protocol);
  const target = spec.slice(colon + 1);
  const rest = spec.slice(0, colon);
  const hostColon = rest.lastIndexOf(':');
  if (hostColon < 0) return pair(rest, target, '', protocol);
  const hostIp = rest.slice(0, hostColon).replace(/^\[(.*)\]$/, '$1');
  return pair(rest.slice(hostColon + 1), target, hostIp, protocol);
}

function pair(published: string, target: string, hostIp: string, protocol: string): PortInit[] {
  const containers = range(target);
  if (containers.length === 0) return [];
  const hosts = published === '' ? [] : range(published);
  return containers.map((containerPort, index) => ({
    container_port: containerPort,
    protocol: protocol.toLowerCase(),
    host_ip: hostIp,
    host_port: hosts.length === containers.length ? (hosts[index] ?? 0) : (hosts[0] ?? 0),
  }));
}

function range(value: string): number[] {
  const match = /^(\d+)(?:-(\d+))?$/.exec(value.trim());
  if (!match) return [];
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  if (end < start || end - start >= MAX_PORT_RANGE) return [start];
  return Array.from({ length: end - start + 1 }, (_, index) => start + index);
}

/** `restart:` wins; else swarm's deploy.restart_policy; default "no". */
function restartOf(definition: Json): NonNullable<ContainerFactInit['restart_policy']> {
  const restart = text(definition.restart);
  if (restart) {
    const [name = 'no', retries = '0'] = splitOnce(restart, ':');
    return { name, maximum_retry_count: integer(retries) ?? 0 };
  }
  const policy = record(record(definition.deploy)?.restart_policy);
  if (policy) {
    return {
      name: RESTART_CONDITIONS[text(policy.condition) ?? 'any'] ?? 'always',
      maximum_retry_count: integer(policy.max_attempts) ?? 0,
    };
  }
  return { name: 'no', maximum_retry_count: 0 };
}

/**
 * `disable: true` and `test: NONE` both give ["NONE"] (disabled); a string test
 * is a shell command, ["CMD-SHELL", …]. No `healthcheck:` key: unset (the
 * image's own HEALTHCHECK, if any, is not visible from the file).
 */
function healthCheckOf(value: unknown): HealthCheckInit | undefined {
  const check = record(value);
  if (!check) return undefined;
  let test: string[];
  if (bool(check.disable) === true) test = ['NONE'];
  else if (typeof check.test === 'string') test = check.test.trim().toUpperCase() === 'NONE' ? ['NONE'] : ['CMD-SHELL', check.test];
  else test = strings(check.test);
  return {
    test,
    interval_ms: composeDurationMs(check.interval) ?? 0,
    timeout_ms: composeDurationMs(check.timeout) ?? 0,
    retries: integer(check.retries) ?? 0,
  };
}

/** `nofile: {soft, hard}` or `nproc: 65535`; sorted by name like the Docker collector. */
function ulimitsOf(value: unknown): UlimitInit[] {
  return Object.entries(record(value) ?? {})
    .flatMap(([name, limit]): UlimitInit[] => {
      const single = integer(limit);
      if (single !== undefined) return [{ name, soft: single, hard: single }];
      const pairValue = record(limit);
      if (!pairValue) return [];
      return [{ name, soft: integer(pairValue.soft) ?? 0, hard: integer(pairValue.hard) ?? 0 }];
    })
    .sort((a, b) => compare(a.name ?? '', b.name ?? ''));
}

/** A `KEY=value` list or a map (labels, sysctls). */
function keyValues(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const entry of strings(value)) {
      const [key = '', item = ''] = splitOnce(entry, '=');
      if (key !== '') out[key] = item;
    }
    return out;
  }
  for (const [key, item] of Object.entries(record(value) ?? {})) out[key] = item === null ? '' : (text(item) ?? '');
  return out;
}

function strings(value: unknown): string[] {
  return list(value).flatMap((item) => {
    const scalar = text(item);
    return scalar === undefined ? [] : [scalar];
  });
}

function splitOnce(value: string, separator: string): [string, string | undefined] {
  const index = value.indexOf(separator);
  return index < 0 ? [value, undefined] : [value.slice(0, index), value.slice(index + separator.length)];
}
