import type { Profile } from '../profiles/model.js';
import { capabilitiesOf, hardeningName, readOnlyRootfs } from './workload-facts.js';

export interface PatchOptions {
  /** Where the seccomp JSON will be, as the compose file or kubelet sees it. */
  seccompPath: string;
  /** Apply the AppArmor profile too (only where the hosts have AppArmor on; Docker refuses it otherwise). */
  apparmor: boolean;
  /** The compose service or Kubernetes container to patch, when the workload's identity does not say. */
  target?: string;
}

/** The hardening a container gets, in Docker's terms; the compose override and `profile verify` share it. */
export interface DockerHardening {
  securityOpt: string[];
  readOnly: boolean;
  tmpfs: string[];
  capDrop: string[];
  capAdd: string[];
}

export function dockerHardening(profile: Profile, options: Pick<PatchOptions, 'seccompPath' | 'apparmor'>): DockerHardening {
  const rootfs = readOnlyRootfs(profile);
  return {
    securityOpt: [`seccomp=${options.seccompPath}`, ...(options.apparmor ? [`apparmor=${hardeningName(profile.workload)}`] : []), 'no-new-privileges:true'],
    readOnly: rootfs.readOnly,
    tmpfs: rootfs.readOnly ? rootfs.tmpfs : [],
    capDrop: ['ALL'],
    capAdd: capabilitiesOf(profile),
  };
}

/** `docker run` flags for {@link dockerHardening}. */
export function dockerRunFlags(hardening: DockerHardening): string[] {
  return [
    ...hardening.securityOpt.flatMap((o) => ['--security-opt', o]),
    ...(hardening.readOnly ? ['--read-only'] : []),
    ...hardening.tmpfs.flatMap((t) => ['--tmpfs', t]),
    ...hardening.capDrop.flatMap((c) => ['--cap-drop', c]),
    ...hardening.capAdd.flatMap((c) => ['--cap-add', c]),
  ];
}

/**
 * A compose override (`docker compose -f compose.yaml -f THIS up`) that puts
 * the generated hardening on the workload's own service.
 */
export function composePatch(profile: Profile, options: PatchOptions): Record<string, unknown> {
  const service = options.target ?? /^compose:[^/]+\/(.+)$/.exec(profile.workload)?.[1];
  if (!service) throw new Error(`${profile.workload} is not a compose service: name the service to patch`);
  const h = dockerHardening(profile, options);
  return {
    services: {
      [service]: {
        security_opt: h.securityOpt,
        ...(h.readOnly ? { read_only: true, tmpfs: h.tmpfs } : {}),
        cap_drop: h.capDrop,
        ...(h.capAdd.length > 0 ? { cap_add: h.capAdd } : {}),
      },
    },
  };
}

/**
 * A strategic merge patch for the workload's Deployment, StatefulSet or
 * DaemonSet (`kubectl patch … --patch-file THIS`): the container's
 * securityContext with the seccomp profile as Localhost, the AppArmor profile,
 * read-only root file system when the profile allows it, and capabilities
 * dropped to what was used.
 */
export function kubernetesPatch(profile: Profile, options: PatchOptions): Record<string, unknown> {
  const container = options.target ?? containerNameOf(profile);
  if (!container) throw new Error(`the container name of ${profile.workload} is not known: name the container to patch`);
  const rootfs = readOnlyRootfs(profile);
  const capabilities = capabilitiesOf(profile);
  // A read-only root keeps its scratch directories writable as emptyDir volumes.
  const scratch = rootfs.readOnly ? rootfs.tmpfs.map((dir) => ({ name: `vigil-scratch${dir.replace(/\//g, '-')}`, mountPath: dir })) : [];
  return {
    spec: {
      template: {
        spec: {
          ...(scratch.length > 0 ? { volumes: scratch.map((v) => ({ name: v.name, emptyDir: { medium: 'Memory' } })) } : {}),
          containers: [
            {
              name: container,
              ...(scratch.length > 0 ? { volumeMounts: scratch } : {}),
              securityContext: {
                seccompProfile: { type: 'Localhost', localhostProfile: options.seccompPath },
                ...(options.apparmor ? { appArmorProfile: { type: 'Localhost', localhostProfile: hardeningName(profile.workload) } } : {}),
                allowPrivilegeEscalation: false,
                ...(rootfs.readOnly ? { readOnlyRootFilesystem: true } : {}),
                capabilities: { drop: ['ALL'], ...(capabilities.length > 0 ? { add: capabilities } : {}) },
              },
            },
          ],
        },
      },
    },
  };
}

/** The Kubernetes container name its replicas carried (io.kubernetes.container.name), if learned. */
function containerNameOf(profile: Profile): string | undefined {
  for (const entry of Object.keys(profile.items.labels ?? {})) {
    if (entry.startsWith('io.kubernetes.container.name=')) return entry.slice('io.kubernetes.container.name='.length);
  }
  return undefined;
}
