import type { ContainerFactInit } from '../../../proto/src/index.js';
import { effectiveSecurity } from './kubernetes-security.js';
import type { PodTemplate } from './kubernetes-workloads.js';
import { kubernetesBytes, kubernetesCpuShares, kubernetesNanoCpus } from './quantity.js';
import { isSandboxedRuntime } from './runtimes.js';
import { bool, compare, integer, list, record, records, stringMap, text, type Json } from './values.js';

type MountInit = NonNullable<ContainerFactInit['mounts']>[number];
type PortInit = NonNullable<ContainerFactInit['ports']>[number];
type HealthCheckInit = NonNullable<ContainerFactInit['health_check']>;

export type ContainerType = 'container' | 'init' | 'ephemeral';

/** Where a container sits in its pod spec. */
export interface ContainerSlot {
  container: Json;
  type: ContainerType;
  /** Path of the container from the document root, e.g. "spec.template.spec.initContainers[0]". */
  path: string;
}

export interface NormaliseOptions {
  /** RuntimeClass names that mark a container sandboxed (default DEFAULT_SANDBOXED_RUNTIMES). */
  sandboxedRuntimes?: readonly string[];
  /** Collects quantities that could not be read. */
  problems?: QuantityProblem[];
}

/** A quantity that could not be read: reported, and treated as unset. */
export interface QuantityProblem {
  field: string;
  value: string;
}

const CONTAINER_LISTS: readonly (readonly [string, ContainerType])[] = [
  ['initContainers', 'init'],
  ['containers', 'container'],
  ['ephemeralContainers', 'ephemeral'],
];

/**
 * Volume types whose content the kubelet writes itself and always mounts
 * read-only into containers (the atomic-writer volumes).
 */
const ALWAYS_READ_ONLY = new Set(['secret', 'configMap', 'downwardAPI', 'projected']);

const PROPAGATION: Record<string, string> = { Bidirectional: 'rshared', HostToContainer: 'rslave', None: 'rprivate' };
const RESTART: Record<string, string> = { Always: 'always', OnFailure: 'on-failure', Never: 'no' };

/** Every container of a pod: init containers, containers, ephemeral containers. */
export function containersOf(template: PodTemplate): ContainerSlot[] {
  return CONTAINER_LISTS.flatMap(([key, type]) =>
    list(template.spec[key]).flatMap((item, index) => {
      const container = record(item);
      return container ? [{ container, type, path: `${template.specPath}.${key}[${index}]` }] : [];
    }),
  );
}

/** Subject name for findings: `<namespace>/<workload_kind>/<workload_name>:<container>`. */
export function workloadName(template: PodTemplate): string {
  return `${template.namespace}/${template.kind}/${template.name}`;
}

/**
 * One container of a pod template → a ContainerFact (engine "kubernetes"),
 * field for field what the Docker collector reports for a running container.
 */
export function normaliseKubernetesContainer(
  template: PodTemplate,
  slot: ContainerSlot,
  id: string,
  options: NormaliseOptions = {},
): ContainerFactInit {
  const problems = options.problems ?? [];
  const spec = template.spec;
  const container = slot.container;
  const containerName = text(container.name) ?? '';
  const annotations = stringMap(template.annotations);
  const podContext = record(spec.securityContext) ?? {};
  const security = effectiveSecurity({
    podContext,
    containerContext: record(container.securityContext) ?? {},
    annotations,
    containerName,
    podContextPath: `${template.specPath}.securityContext`,
    containerContextPath: `${slot.path}.securityContext`,
  });
  const hostNetwork = bool(spec.hostNetwork) === true;
  const hostUsers = bool(spec.hostUsers) !== false;
  const volumes = volumesOf(spec);
  const runtime = text(spec.runtimeClassName) ?? '';

  const fact: ContainerFactInit = {
    id,
    name: `${workloadName(template)}:${containerName}`,
    image: text(container.image) ?? '',
    image_id: '',
    engine: 'kubernetes',
    state: '',
    privileged: security.privileged,
    capabilities: security.capabilities,
    cap_add: security.capAdd,
    cap_drop: security.capDrop,
    mounts: mountsOf(container, volumes),
    seccomp_profile: security.seccompProfile,
    apparmor_profile: security.apparmorProfile,
    selinux_options: security.seLinuxOptions,
    no_new_privileges: security.noNewPrivileges,
    read_only_rootfs: security.readOnlyRootFilesystem,
    user: security.runAsUser === undefined ? '' : String(security.runAsUser),
    namespaces: {
      pid: bool(spec.hostPID) === true ? 'host' : bool(spec.shareProcessNamespace) === true ? 'pod' : '',
      ipc: bool(spec.hostIPC) === true ? 'host' : 'pod',
      network: hostNetwork ? 'host' : 'pod',
      // CRI runtimes leave a host-network pod in the host's UTS namespace.
      uts: hostNetwork ? 'host' : '',
      userns: hostUsers ? 'host' : '',
      cgroupns: '',
    },
    devices: [],
    runtime,
    sandboxed: isSandboxedRuntime(runtime, options.sandboxedRuntimes),
    resources: resourcesOf(record(container.resources) ?? {}, problems),
    ports: portsOf(container, hostNetwork),
    restart_policy: {
      name:
        slot.type === 'ephemeral'
          ? 'no'
          : (RESTART[text(container.restartPolicy) ?? ''] ?? RESTART[text(spec.restartPolicy) ?? 'Always'] ?? 'always'),
      maximum_retry_count: 0,
    },
    health_status: '',
    labels: stringMap(template.labels),
    ulimits: [],
    sysctls: sysctlsOf(podContext),
    masked_paths: [],
    readonly_paths: [],
    kubernetes: {
      namespace: template.namespace,
      pod: template.pod,
      workload_kind: template.kind,
      workload_name: template.name,
      container_type: slot.type,
      volume_types: [...new Set([...volumes.values()].map((volume) => volume.type))].filter((type) => type !== '').sort(compare),
      host_users: hostUsers,
      proc_mount: security.procMount,
      service_account: text(spec.serviceAccountName) || text(spec.serviceAccount) || 'default',
      automount_service_account_token: bool(spec.automountServiceAccountToken) !== false,
      annotations,
      windows_host_process: security.windowsHostProcess,
      cap_add_as_written: security.capAddAsWritten,
      cap_drop_as_written: security.capDropAsWritten,
      probe_hosts: probeHosts(container),
      os_name: text(record(spec.os)?.name) ?? '',
      pod_selinux_options: security.podSeLinuxOptions,
      pod_seccomp_profile: security.podSeccompProfile,
      pod_apparmor_profile: security.podApparmorProfile,
      ...setOnly({
        pod_run_as_non_root: bool(podContext.runAsNonRoot),
        container_run_as_non_root: bool(record(container.securityContext)?.runAsNonRoot),
        pod_run_as_user: integer(podContext.runAsUser),
        container_run_as_user: integer(record(container.securityContext)?.runAsUser),
      }),
    },
    created_at_ms: 0,
    restart_count: 0,
  };
  if (security.runAsUser !== undefined) fact.run_as_uid = security.runAsUser;
  if (security.runAsGroup !== undefined) fact.run_as_gid = security.runAsGroup;
  if (security.runAsNonRoot !== undefined) fact.run_as_non_root = security.runAsNonRoot;
  const health = healthCheckOf(container);
  if (health) fact.health_check = health;
  return fact;
}

/** The entries whose value is set. */
function setOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Hosts the container's probes and lifecycle handlers name (httpGet.host, tcpSocket.host). */
function probeHosts(container: Json): string[] {
  const lifecycle = record(container.lifecycle) ?? {};
  const handlers = [container.livenessProbe, container.readinessProbe, container.startupProbe, lifecycle.postStart, lifecycle.preStop].map(record);
  const hosts: string[] = [];
  for (const handler of handlers) {
    for (const action of [record(handler?.httpGet), record(handler?.tcpSocket)]) {
      const host = text(action?.host);
      if (host) hosts.push(host);
    }
  }
  return hosts;
}

interface Volume {
  type: string;
  /** hostPath.path for hostPath, else the volume's name. */
  source: string;
}

/** Pod volumes by name; the type is the volume source's key (hostPath, emptyDir, …). */
function volumesOf(spec: Json): Map<string, Volume> {
  const out = new Map<string, Volume>();
  for (const volume of records(spec.volumes)) {
    const name = text(volume.name) ?? '';
    const type = Object.keys(volume).find((key) => key !== 'name') ?? '';
    const source = type === 'hostPath' ? (text(record(volume.hostPath)?.path) ?? '') : name;
    out.set(name, { type, source });
  }
  return out;
}

function mountsOf(container: Json, volumes: Map<string, Volume>): MountInit[] {
  return records(container.volumeMounts)
    .map((mount) => {
      const name = text(mount.name) ?? '';
      const volume = volumes.get(name) ?? { type: '', source: name };
      const subPath = text(mount.subPath) ?? text(mount.subPathExpr) ?? '';
      const source =
        volume.type === 'hostPath' && subPath !== '' ? `${volume.source.replace(/\/+$/, '')}/${subPath}` : volume.source;
      const readOnly = bool(mount.readOnly) === true || ALWAYS_READ_ONLY.has(volume.type);
      return {
        type: volume.type,
        source,
        destination: text(mount.mountPath) ?? '',
        read_write: !readOnly,
        propagation: PROPAGATION[text(mount.mountPropagation) ?? 'None'] ?? 'rprivate',
      };
    })
    .sort((a, b) => compare(a.destination, b.destination));
}

/**
 * Ports bound on the node: those with a hostPort. With hostNetwork the API
 * server defaults hostPort to containerPort, so every declared port counts.
 */
function portsOf(container: Json, hostNetwork: boolean): PortInit[] {
  return records(container.ports)
    .flatMap((port) => {
      const containerPort = integer(port.containerPort) ?? 0;
      const hostPort = integer(port.hostPort) || (hostNetwork ? containerPort : 0);
      if (hostPort <= 0) return [];
      return [
        {
          container_port: containerPort,
          protocol: (text(port.protocol) ?? 'TCP').toLowerCase(),
          host_ip: text(port.hostIP) ?? '',
          host_port: hostPort,
        },
      ];
    })
    .sort((a, b) => a.container_port - b.container_port || compare(a.protocol, b.protocol));
}

function resourcesOf(resources: Json, problems: QuantityProblem[]): NonNullable<ContainerFactInit['resources']> {
  const limits = record(resources.limits) ?? {};
  const requests = record(resources.requests) ?? {};
  const read = <T>(field: string, value: unknown, parse: (v: unknown) => T | undefined): T | undefined => {
    if (value === undefined || value === null) return undefined;
    const parsed = parse(value);
    if (parsed === undefined) problems.push({ field, value: String(text(value) ?? JSON.stringify(value)) });
    return parsed;
  };
  const memory = read('resources.limits.memory', limits.memory, kubernetesBytes) ?? 0;
  const cpu = read('resources.limits.cpu', limits.cpu, kubernetesNanoCpus) ?? 0;
  // The API server defaults a missing request to the limit; the kubelet turns
  // the request into cpu.shares. No request and no limit: left at 0 (unset).
  const request = requests.cpu ?? limits.cpu;
  const shares =
    requests.cpu === undefined
      ? request === undefined
        ? 0
        : (kubernetesCpuShares(request) ?? 0)
      : (read('resources.requests.cpu', requests.cpu, kubernetesCpuShares) ?? 0);
  return { memory_bytes: memory, nano_cpus: cpu, cpu_shares: shares, pids_limit: 0, cgroup_parent: '' };
}

/**
 * A liveness probe, else a readiness probe, counts as a health check: an exec
 * probe as ["CMD", …command] (Docker's HEALTHCHECK form), any other handler
 * (httpGet, tcpSocket, grpc) as the marker ["probe"]. Kubernetes' defaults fill
 * what the probe leaves out (period 10 s, timeout 1 s, failure threshold 3).
 */
function healthCheckOf(container: Json): HealthCheckInit | undefined {
  const probe = record(container.livenessProbe) ?? record(container.readinessProbe);
  if (!probe) return undefined;
  const command = list(record(probe.exec)?.command).flatMap((part) => {
    const value = text(part);
    return value === undefined ? [] : [value];
  });
  return {
    test: command.length > 0 ? ['CMD', ...command] : ['probe'],
    interval_ms: (integer(probe.periodSeconds) ?? 10) * 1000,
    timeout_ms: (integer(probe.timeoutSeconds) ?? 1) * 1000,
    retries: integer(probe.failureThreshold) ?? 3,
  };
}

function sysctlsOf(podContext: Json): Record<string, string> {
  const out: Record<string, string> = {};
  for (const sysctl of records(podContext.sysctls)) {
    const name = text(sysctl.name);
    if (name) out[name] = text(sysctl.value) ?? '';
  }
  return out;
}
