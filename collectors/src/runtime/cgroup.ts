/**
 * Container attribution from cgroup paths. Pure functions: no I/O.
 *
 * Every container runtime puts a container's processes in a cgroup whose last
 * components name the container. The forms Vigil understands, for cgroup v1
 * (one line per controller in /proc/<pid>/cgroup) and v2 (the `0::` line):
 *
 * - Docker, cgroupfs driver:          /docker/<64 hex>
 * - Docker, systemd driver:           /system.slice/docker-<64 hex>.scope
 * - containerd / CRI:                 /…/cri-containerd-<64 hex>.scope
 * - CRI-O:                            /…/crio-<64 hex>.scope (and crio-conmon-<id>.scope for conmon)
 * - Podman:                           /machine.slice/libpod-<64 hex>.scope
 * - Kubernetes, cgroupfs driver:      /kubepods/burstable/pod<uid>/<64 hex>
 * - Kubernetes, systemd driver:       /kubepods.slice/…/kubepods-…-pod<uid_with_underscores>.slice/<runtime>-<64 hex>.scope
 * - gVisor and Docker-in-Docker nest: /docker/<outer>/docker/<inner>; the innermost id wins.
 */

export type ContainerEngineHint = 'docker' | 'containerd' | 'crio' | 'podman' | 'kubernetes';

export interface CgroupAttribution {
  /** Full 64-hex container id. */
  id: string;
  /** Which runtime's naming scheme matched. */
  engine: ContainerEngineHint;
  /** Kubernetes pod uid when the path carries one (dashes restored). */
  podUid?: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
const SCOPE = /^(docker|cri-containerd|crio|libpod)-([0-9a-f]{64})\.scope$/;
const POD_DIR = /^(?:kubepods-(?:besteffort-|burstable-|guaranteed-)?)?pod([0-9a-f_-]{32,36})(?:\.slice)?$/;

const SCOPE_ENGINE: Record<string, ContainerEngineHint> = {
  docker: 'docker',
  'cri-containerd': 'containerd',
  crio: 'crio',
  libpod: 'podman',
};

/**
 * The container a cgroup path belongs to, or undefined for host cgroups
 * ("/", "/user.slice/…", "/system.slice/docker.service", crio-conmon scopes).
 */
export function containerFromCgroupPath(cgroupPath: string): CgroupAttribution | undefined {
  const parts = cgroupPath.split('/').filter((part) => part !== '');
  let podUid: string | undefined;
  let kube = false;
  let found: CgroupAttribution | undefined;
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index]!;
    if (part.startsWith('kubepods')) kube = true;
    const pod = POD_DIR.exec(part);
    if (pod && (kube || part.startsWith('pod'))) {
      podUid = pod[1]!.replace(/_/g, '-');
      continue;
    }
    const scope = SCOPE.exec(part);
    if (scope) {
      found = { id: scope[2]!, engine: SCOPE_ENGINE[scope[1]!]! };
      continue;
    }
    if (HEX64.test(part)) {
      const parent = parts[index - 1];
      const engine: ContainerEngineHint | undefined =
        parent === 'docker'
          ? 'docker'
          : parent !== undefined && POD_DIR.test(parent)
            ? 'kubernetes'
            : parent === 'libpod_parent' || parent?.startsWith('libpod')
              ? 'podman'
              : undefined;
      if (engine) found = { id: part, engine };
    }
  }
  if (!found) return undefined;
  if (podUid !== undefined || kube) {
    return podUid !== undefined ? { ...found, engine: 'kubernetes', podUid } : { ...found, engine: 'kubernetes' };
  }
  return found;
}

export interface ProcCgroupLine {
  hierarchy: string;
  controllers: string[];
  path: string;
}

/** Parses /proc/<pid>/cgroup ("hierarchy-ID:controller-list:path" per line). */
export function parseProcCgroup(text: string): ProcCgroupLine[] {
  const lines: ProcCgroupLine[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    lines.push({
      hierarchy: line.slice(0, first),
      controllers: controllers === '' ? [] : controllers.split(','),
      path: line.slice(second + 1),
    });
  }
  return lines;
}

/**
 * The container of a process from the content of its /proc/<pid>/cgroup:
 * the first line (v2 unified line, then v1 controllers) that names one.
 */
export function containerFromProcCgroup(text: string): CgroupAttribution | undefined {
  const lines = parseProcCgroup(text);
  lines.sort((a, b) => (a.hierarchy === '0' ? -1 : 0) - (b.hierarchy === '0' ? -1 : 0));
  for (const line of lines) {
    const found = containerFromCgroupPath(line.path);
    if (found) return found;
  }
  return undefined;
}
