import { ALL_CAPABILITIES, DOCKER_DEFAULT_CAPABILITIES, normaliseCapabilities } from '../container/index.js';
import { bool, integer, record, text, type Json } from './values.js';

/**
 * The security settings a container runs with, combined from the pod's and the
 * container's securityContext the way the kubelet does
 * (securitycontext.DetermineEffectiveSecurityContext, kuberuntime seccomp and
 * AppArmor helpers): the container's value wins where both may set a field.
 */
export interface EffectiveSecurity {
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  capabilities: string[];
  noNewPrivileges: boolean;
  readOnlyRootFilesystem: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  seLinuxOptions: string[];
  seccompProfile: string;
  apparmorProfile: string;
  procMount: string;
  /** Paths of the hostProcess fields set to true that apply to this container. */
  windowsHostProcess: string[];
  /** capabilities.add and .drop as written, for Pod Security's exact comparison. */
  capAddAsWritten: string[];
  capDropAsWritten: string[];
  /** The pod's own seLinuxOptions (Pod Security judges the pod's and each container's). */
  podSeLinuxOptions: string[];
  /** The pod's own seccomp and AppArmor fields, "" when unset. */
  podSeccompProfile: string;
  podApparmorProfile: string;
}

export interface SecurityInput {
  podContext: Json;
  containerContext: Json;
  annotations: Record<string, string>;
  containerName: string;
  /** Paths for windows_host_process, e.g. "spec.securityContext", "spec.containers[0].securityContext". */
  podContextPath: string;
  containerContextPath: string;
}

export const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

export function effectiveSecurity(input: SecurityInput): EffectiveSecurity {
  const pod = input.podContext;
  const container = input.containerContext;
  const privileged = bool(container.privileged) === true;
  const capabilities = record(container.capabilities) ?? {};
  const capAddAsWritten = stringList(capabilities.add);
  const capDropAsWritten = stringList(capabilities.drop);
  const capAdd = normaliseCapabilities(capAddAsWritten);
  const capDrop = normaliseCapabilities(capDropAsWritten);
  const effective = kubernetesCapabilities(capAdd, capDrop, privileged);
  // API validation rejects allowPrivilegeEscalation: false with privileged or
  // CAP_SYS_ADMIN; the kubelet treats escalation as allowed in both cases.
  const noNewPrivileges =
    bool(container.allowPrivilegeEscalation) === false && !privileged && !effective.includes('SYS_ADMIN');

  const out: EffectiveSecurity = {
    privileged,
    capAdd,
    capDrop,
    capabilities: effective,
    noNewPrivileges,
    readOnlyRootFilesystem: bool(container.readOnlyRootFilesystem) === true,
    seLinuxOptions: seLinuxOptions(record(container.seLinuxOptions) ?? record(pod.seLinuxOptions)),
    seccompProfile: privileged ? 'unconfined' : seccompProfile(input),
    apparmorProfile: apparmorProfile(input, privileged),
    procMount: text(container.procMount) || 'Default',
    windowsHostProcess: hostProcessFields(input),
    capAddAsWritten,
    capDropAsWritten,
    podSeLinuxOptions: seLinuxOptions(record(pod.seLinuxOptions)),
    podSeccompProfile: seccompField(record(pod.seccompProfile)) ?? '',
    podApparmorProfile: apparmorField(record(pod.appArmorProfile)) ?? '',
  };
  const runAsUser = integer(container.runAsUser) ?? integer(pod.runAsUser);
  const runAsGroup = integer(container.runAsGroup) ?? integer(pod.runAsGroup);
  const runAsNonRoot = bool(container.runAsNonRoot) ?? bool(pod.runAsNonRoot);
  if (runAsUser !== undefined) out.runAsUser = runAsUser;
  if (runAsGroup !== undefined) out.runAsGroup = runAsGroup;
  if (runAsNonRoot !== undefined) out.runAsNonRoot = runAsNonRoot;
  return out;
}

/**
 * containerd's CRI WithCapabilities: start from the runtime's default set;
 * add ALL → every capability; drop ALL → none; then the named adds, then the
 * named drops. Privileged → every capability. Sorted.
 */
export function kubernetesCapabilities(capAdd: readonly string[], capDrop: readonly string[], privileged: boolean): string[] {
  if (privileged) return [...ALL_CAPABILITIES].sort();
  let caps = new Set<string>(DOCKER_DEFAULT_CAPABILITIES);
  if (capAdd.includes('ALL')) caps = new Set(ALL_CAPABILITIES);
  if (capDrop.includes('ALL')) caps = new Set();
  for (const cap of capAdd) if (cap !== 'ALL') caps.add(cap);
  for (const cap of capDrop) if (cap !== 'ALL') caps.delete(cap);
  return [...caps].sort();
}

/** Field order follows the SELinux context: user, role, type, level. */
function seLinuxOptions(options: Json | undefined): string[] {
  if (!options) return [];
  const out: string[] = [];
  for (const key of ['user', 'role', 'type', 'level'] as const) {
    const value = text(options[key]);
    if (value) out.push(`${key}:${value}`);
  }
  return out;
}

/**
 * container field > pod field; unset → "". The seccomp annotations are not
 * read: the kubelet stopped applying them in Kubernetes 1.27, and Pod Security
 * judges the fields.
 */
function seccompProfile(input: SecurityInput): string {
  return seccompField(record(input.containerContext.seccompProfile)) ?? seccompField(record(input.podContext.seccompProfile)) ?? '';
}

function seccompField(profile: Json | undefined): string | undefined {
  const type = profile ? text(profile.type) : undefined;
  if (!type) return undefined;
  if (type === 'RuntimeDefault') return 'default';
  if (type === 'Unconfined') return 'unconfined';
  if (type === 'Localhost') return `localhost/${text(profile?.localhostProfile) ?? ''}`;
  return type;
}

/**
 * container field > container annotation > pod field (apparmor.GetProfile);
 * unset → "" (the runtime applies its default where AppArmor is enabled).
 * Privileged containers run unconfined unless a Localhost profile is named
 * (containerd skips the runtime default for them).
 */
function apparmorProfile(input: SecurityInput, privileged: boolean): string {
  const annotation = input.annotations[`${APPARMOR_ANNOTATION_PREFIX}${input.containerName}`];
  const profile =
    apparmorField(record(input.containerContext.appArmorProfile)) ??
    (annotation ? annotation : undefined) ??
    apparmorField(record(input.podContext.appArmorProfile)) ??
    '';
  if (privileged && !profile.startsWith('localhost/')) return 'unconfined';
  return profile;
}

function apparmorField(profile: Json | undefined): string | undefined {
  const type = profile ? text(profile.type) : undefined;
  if (!type) return undefined;
  if (type === 'RuntimeDefault') return 'runtime/default';
  if (type === 'Unconfined') return 'unconfined';
  if (type === 'Localhost') return `localhost/${text(profile?.localhostProfile) ?? ''}`;
  return type;
}

function hostProcessFields(input: SecurityInput): string[] {
  const out: string[] = [];
  if (bool(record(input.podContext.windowsOptions)?.hostProcess) === true) {
    out.push(`${input.podContextPath}.windowsOptions.hostProcess`);
  }
  if (bool(record(input.containerContext.windowsOptions)?.hostProcess) === true) {
    out.push(`${input.containerContextPath}.windowsOptions.hostProcess`);
  }
  return out;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.flatMap((item) => (typeof item === 'string' ? [item] : [])) : [];
}
