import { workloadOf, type ContainerFactInit } from '../../../proto/src/index.js';
import { ALL_CAPABILITIES, DOCKER_DEFAULT_CAPABILITIES, normaliseCapabilities } from './capabilities.js';
import { isSandboxRuntime } from '../sandbox-runtime.js';
import type { OciMount, OciNamespace, OciSpec } from './oci-spec.js';

type MountInit = NonNullable<ContainerFactInit['mounts']>[number];
type KubernetesInit = NonNullable<ContainerFactInit['kubernetes']>;

/** Where the spec was found and what the bundle directory says about it. */
export interface OciContext {
  id: string;
  /** containerd namespace, e.g. "k8s.io". */
  namespace: string;
  /** Runtime as containerd names it: "io.containerd.runc.v2", "io.containerd.runsc.v1", or a binary name. */
  runtime: string;
  /** "running" when the task has a live init process, else "created". */
  state: string;
  created_at_ms: number;
}

const PSEUDO_FILESYSTEMS = new Set(['proc', 'sysfs', 'devpts', 'mqueue', 'cgroup', 'cgroup2']);
const PROPAGATIONS = ['rshared', 'rslave', 'rprivate', 'shared', 'slave', 'private'];
const KUBELET_VOLUME = /\/volumes\/kubernetes\.io~([^/]+)\//;
const KUBELET_VOLUME_TYPES: Record<string, string> = {
  'empty-dir': 'emptyDir',
  secret: 'secret',
  configmap: 'configMap',
  projected: 'projected',
  'downward-api': 'downwardAPI',
  csi: 'csi',
  nfs: 'nfs',
};
/** Capabilities 0…37: present on every kernel a container runtime supports. */
const BASE_CAPABILITIES = ALL_CAPABILITIES.slice(0, ALL_CAPABILITIES.indexOf('AUDIT_READ') + 1);
const NAMESPACE_KEYS = {
  pid: 'pid',
  ipc: 'ipc',
  network: 'network',
  uts: 'uts',
  user: 'userns',
  cgroup: 'cgroupns',
} as const;

/**
 * OCI runtime spec → ContainerFact (engine "containerd"). What the spec does
 * not say (restart policy, health check, ports, image id) is left at defaults.
 */
export function normaliseOciSpec(spec: OciSpec, context: OciContext): ContainerFactInit {
  const process = spec.process ?? {};
  const linux = spec.linux ?? {};
  const annotations = spec.annotations ?? {};
  const capabilities = normaliseCapabilities(process.capabilities?.bounding ?? process.capabilities?.effective).sort();
  const maskedPaths = [...(linux.maskedPaths ?? [])];
  const privileged = BASE_CAPABILITIES.every((cap) => capabilities.includes(cap)) && maskedPaths.length === 0;
  const uid = process.user?.uid ?? 0;
  const gid = process.user?.gid ?? 0;
  const mounts = (spec.mounts ?? []).filter((mount) => !isSystemMount(mount)).map(mountOf);
  const namespaces = namespacesOf(linux.namespaces ?? []);
  const resources = linux.resources ?? {};
  const quota = resources.cpu?.quota ?? 0;
  const period = resources.cpu?.period ?? 0;
  const kubernetes = kubernetesOf(annotations, mounts, namespaces.userns === 'private', maskedPaths.length === 0 && !privileged);
  const name = annotations['io.kubernetes.cri.container-name'] ?? annotations['io.kubernetes.container.name'] ?? context.id;

  const fact: ContainerFactInit = {
    id: context.id,
    name,
    image: annotations['io.kubernetes.cri.image-name'] ?? annotations['io.kubernetes.container.image'] ?? '',
    image_id: '',
    engine: 'containerd',
    state: context.state,
    privileged,
    capabilities,
    cap_add: capabilities.filter((cap) => !DOCKER_DEFAULT_CAPABILITIES.includes(cap)),
    cap_drop: DOCKER_DEFAULT_CAPABILITIES.filter((cap) => !capabilities.includes(cap)),
    mounts,
    seccomp_profile: linux.seccomp ? 'default' : 'unconfined',
    apparmor_profile: process.apparmorProfile ?? '',
    selinux_options: process.selinuxLabel ? [process.selinuxLabel] : [],
    no_new_privileges: process.noNewPrivileges === true,
    read_only_rootfs: spec.root?.readonly === true,
    user: `${uid}:${gid}`,
    run_as_uid: uid,
    run_as_gid: gid,
    namespaces,
    devices: (linux.devices ?? []).map((device) => ({
      path_on_host: device.path ?? '',
      path_in_container: device.path ?? '',
      permissions: deviceAccess(spec, device.type, device.major, device.minor),
    })),
    runtime: context.runtime,
    sandboxed: isSandboxRuntime(context.runtime),
    resources: {
      memory_bytes: resources.memory?.limit ?? 0,
      nano_cpus: quota > 0 && period > 0 ? Math.round((quota / period) * 1e9) : 0,
      cpu_shares: resources.cpu?.shares ?? 0,
      pids_limit: resources.pids?.limit ?? 0,
      cgroup_parent: cgroupParent(linux.cgroupsPath ?? ''),
    },
    ports: [],
    labels: kubernetesLabels(annotations),
    ulimits: (process.rlimits ?? [])
      .map((limit) => ({
        name: (limit.type ?? '').replace(/^RLIMIT_/, '').toLowerCase(),
        soft: limit.soft ?? 0,
        hard: limit.hard ?? 0,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    sysctls: { ...(linux.sysctl ?? {}) },
    masked_paths: maskedPaths,
    readonly_paths: [...(linux.readonlyPaths ?? [])],
    created_at_ms: context.created_at_ms,
    restart_count: 0,
  };
  if (kubernetes) fact.kubernetes = kubernetes;
  fact.workload = workloadOf({ image: fact.image ?? '', labels: fact.labels ?? {} });
  return fact;
}

/** Whether the spec is a pod's sandbox (pause) container rather than a workload. */
export function isSandbox(spec: OciSpec): boolean {
  const annotations = spec.annotations ?? {};
  return (
    annotations['io.kubernetes.cri.container-type'] === 'sandbox' ||
    annotations['io.kubernetes.cri-o.ContainerType'] === 'sandbox'
  );
}

/**
 * Absent namespace type: shared with the host. Present without a path: its
 * own. Present with a path: joined — the host's when the path is pid 1's,
 * else reported as "path:<path>" (a pod's sandbox, another container).
 * pid/uts use Docker's "" for private, as the proto documents.
 */
function namespacesOf(entries: readonly OciNamespace[]): NonNullable<ContainerFactInit['namespaces']> {
  const out = { pid: 'host', ipc: 'host', network: 'host', uts: 'host', userns: 'host', cgroupns: 'host' };
  for (const entry of entries) {
    const key = NAMESPACE_KEYS[(entry.type ?? '') as keyof typeof NAMESPACE_KEYS];
    if (!key) continue;
    if (entry.path) out[key] = /^\/proc\/1\/ns\//.test(entry.path) ? 'host' : `path:${entry.path}`;
    else out[key] = key === 'pid' || key === 'uts' ? '' : 'private';
  }
  return out;
}

function isSystemMount(mount: OciMount): boolean {
  if (PSEUDO_FILESYSTEMS.has(mount.type ?? '')) return true;
  const destination = mount.destination ?? '';
  return mount.type === 'tmpfs' && (destination === '/dev' || destination === '/dev/shm') && !(mount.source ?? '').startsWith('/');
}

function mountOf(mount: OciMount): MountInit {
  const options = mount.options ?? [];
  const source = mount.source ?? '';
  const volume = KUBELET_VOLUME.exec(source)?.[1];
  const isBind = mount.type === 'bind' || options.includes('bind') || options.includes('rbind');
  const type = volume ? (KUBELET_VOLUME_TYPES[volume] ?? volume) : isBind ? 'bind' : (mount.type ?? '');
  return {
    type,
    source,
    destination: mount.destination ?? '',
    read_write: !options.includes('ro'),
    propagation: options.find((option) => PROPAGATIONS.includes(option)) ?? '',
  };
}

function deviceAccess(spec: OciSpec, type?: string, major?: number, minor?: number): string {
  let access = '';
  for (const rule of spec.linux?.resources?.devices ?? []) {
    const matches =
      (rule.type === undefined || rule.type === 'a' || rule.type === type) &&
      (rule.major === undefined || rule.major === null || rule.major === major) &&
      (rule.minor === undefined || rule.minor === null || rule.minor === minor);
    if (matches) access = rule.allow ? (rule.access ?? 'rwm') : '';
  }
  return access;
}

/** "/kubepods/burstable/pod…/<id>" → "/kubepods/burstable/pod…"; systemd "slice:prefix:name" → "slice". */
function cgroupParent(cgroupsPath: string): string {
  if (cgroupsPath === '') return '';
  if (!cgroupsPath.startsWith('/') && cgroupsPath.includes(':')) return cgroupsPath.split(':')[0] ?? '';
  const index = cgroupsPath.lastIndexOf('/');
  return index > 0 ? cgroupsPath.slice(0, index) : '';
}

const POD_NAME = ['io.kubernetes.cri.sandbox-name', 'io.kubernetes.pod.name'];
const POD_NAMESPACE = ['io.kubernetes.cri.sandbox-namespace', 'io.kubernetes.pod.namespace'];
const CONTAINER_NAME = ['io.kubernetes.cri.container-name', 'io.kubernetes.container.name'];
const LABEL_KEYS = [
  'io.kubernetes.pod.name',
  'io.kubernetes.pod.namespace',
  'io.kubernetes.pod.uid',
  'io.kubernetes.container.name',
];

function first(annotations: Record<string, string>, keys: readonly string[]): string | undefined {
  for (const key of keys) if (annotations[key] !== undefined) return annotations[key];
  return undefined;
}

/** The kubelet's well-known pod labels, from whichever form the spec carries. */
function kubernetesLabels(annotations: Record<string, string>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const key of LABEL_KEYS) if (annotations[key] !== undefined) labels[key] = annotations[key];
  const pod = first(annotations, POD_NAME);
  const namespace = first(annotations, POD_NAMESPACE);
  const container = first(annotations, CONTAINER_NAME);
  const uid = annotations['io.kubernetes.cri.sandbox-uid'];
  if (pod !== undefined) labels['io.kubernetes.pod.name'] = pod;
  if (namespace !== undefined) labels['io.kubernetes.pod.namespace'] = namespace;
  if (container !== undefined) labels['io.kubernetes.container.name'] = container;
  if (uid !== undefined) labels['io.kubernetes.pod.uid'] ??= uid;
  return labels;
}

function kubernetesOf(
  annotations: Record<string, string>,
  mounts: readonly MountInit[],
  userNamespace: boolean,
  unmasked: boolean,
): KubernetesInit | undefined {
  const pod = first(annotations, POD_NAME);
  const namespace = first(annotations, POD_NAMESPACE);
  if (pod === undefined && namespace === undefined) return undefined;
  const containerType = annotations['io.kubernetes.cri.container-type'];
  const volumeTypes = [
    ...new Set(mounts.filter((mount) => KUBELET_VOLUME.test(mount.source ?? '')).map((mount) => mount.type ?? '')),
  ].sort();
  return {
    namespace: namespace ?? '',
    pod: pod ?? '',
    container_type: containerType === undefined || containerType === 'container' ? 'container' : containerType,
    volume_types: volumeTypes,
    host_users: !userNamespace,
    proc_mount: unmasked ? 'Unmasked' : 'Default',
    annotations: { ...annotations },
  };
}
