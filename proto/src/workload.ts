/**
 * Workload identity: what a learned profile belongs to. Replicas of one
 * workload, on any host, share one identity and so one profile. In order:
 *
 * 1. the `vigil.dev/workload` label, as given;
 * 2. Kubernetes: `k8s:<namespace>/<owner>`, the owner being the pod name without
 *    the suffixes its controller adds (Deployment `-<hash>-<id>`, StatefulSet
 *    `-<ordinal>`, DaemonSet and Job `-<id>`);
 * 3. Compose: `compose:<project>/<service>`;
 * 4. the image repository, without tag or digest: `image:<repository>`.
 *
 * "" when none is known (a host process, a container without image), or when
 * the label says `none`: such a container joins no profile (Vigil's own
 * `profile verify` containers carry it).
 */
export const WORKLOAD_LABEL = 'vigil.dev/workload';
/** The {@link WORKLOAD_LABEL} value that keeps a container out of every learned profile. */
export const NO_WORKLOAD = 'none';

export interface WorkloadSource {
  image: string;
  labels?: Readonly<Record<string, string>>;
  pod?: string;
  namespace?: string;
}

export function workloadOf(source: WorkloadSource): string {
  const labels = source.labels ?? {};
  const explicit = labels[WORKLOAD_LABEL]?.trim();
  if (explicit === NO_WORKLOAD) return '';
  if (explicit) return explicit;
  const pod = source.pod || labels['io.kubernetes.pod.name'];
  const namespace = source.namespace || labels['io.kubernetes.pod.namespace'];
  if (pod && namespace) return `k8s:${namespace}/${podOwner(pod)}`;
  const project = labels['com.docker.compose.project'];
  const service = labels['com.docker.compose.service'];
  if (project && service) return `compose:${project}/${service}`;
  const repository = imageRepository(source.image);
  return repository ? `image:${repository}` : '';
}

/** The controller's name from a pod's name. */
export function podOwner(pod: string): string {
  const deployment = /^(.+)-[a-z0-9]{5,10}-[a-z0-9]{5}$/.exec(pod);
  if (deployment) return deployment[1]!;
  const statefulSet = /^(.+)-\d+$/.exec(pod);
  if (statefulSet) return statefulSet[1]!;
  const daemonSet = /^(.+)-[a-z0-9]{5}$/.exec(pod);
  return daemonSet ? daemonSet[1]! : pod;
}

/** `docker.io/library/nginx:1.27@sha256:…` → `nginx`; `registry:5000/team/app:v1` → `registry:5000/team/app`. */
export function imageRepository(image: string): string {
  let name = image.trim();
  const at = name.indexOf('@');
  if (at >= 0) name = name.slice(0, at);
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) name = name.slice(0, colon);
  if (/^[0-9a-f]{64}$/.test(name) || name.startsWith('sha256')) return '';
  return name.replace(/^(docker\.io\/|index\.docker\.io\/)/, '').replace(/^library\//, '');
}
