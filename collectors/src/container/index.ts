/**
 * Container collector: enumerates containers from the Docker API, Docker's
 * on-disk state or containerd's task bundles, normalises each to a
 * `ContainerFact` and publishes it into a `FactSink`.
 */
export { startContainerCollector, DEFAULT_CONTAINER_INTERVAL_MS } from './collector.js';
export type { ContainerCollector, ContainerCollectorOptions } from './collector.js';
export { DockerApiSource, isHealthProbe } from './docker-api-source.js';
export type { DockerApiSourceOptions } from './docker-api-source.js';
export {
  DockerHttpClient,
  DEFAULT_DOCKER_SOCKET,
  DEFAULT_DOCKER_TIMEOUT_MS,
  DOCKER_API_MAX,
  DOCKER_API_MIN,
  compareVersions,
} from './docker-http.js';
export type { DockerHttpOptions } from './docker-http.js';
export { DockerDiskSource, inspectFromDisk } from './docker-disk-source.js';
export type {
  DockerDiskSourceOptions,
  DockerDiskConfig,
  DockerDiskMountPoint,
  DockerImageDefaults,
  InspectFromDiskOptions,
} from './docker-disk-source.js';
export { ContainerdDiskSource, DEFAULT_CONTAINERD_TASK_ROOT, runtimeOf } from './containerd-disk-source.js';
export type { ContainerdDiskSourceOptions } from './containerd-disk-source.js';
export { normaliseDockerInspect, parseSecurityOpt, parseBind, parseDockerTime, stateString } from './normalise-docker.js';
export type { SecurityOptions } from './normalise-docker.js';
export { normaliseOciSpec, isSandbox } from './normalise-oci.js';
export type { OciContext } from './normalise-oci.js';
export type { OciSpec } from './oci-spec.js';
export type { DockerInspect, DockerExecInspect, DockerHostConfig } from './docker-inspect.js';
export {
  ALL_CAPABILITIES,
  DOCKER_DEFAULT_CAPABILITIES,
  effectiveCapabilities,
  normaliseCapability,
  normaliseCapabilities,
} from './capabilities.js';
export { JsonStreamDecoder } from './json-stream.js';
export type { JsonStreamItem } from './json-stream.js';
export { watchByRescan } from './rescan-watch.js';
export type {
  ContainerEvent,
  ContainerEventAction,
  ContainerFactInit,
  ContainerFailure,
  ContainerListing,
  ContainerLogger,
  ContainerSource,
  ContainerWatch,
} from './types.js';
