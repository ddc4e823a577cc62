/**
 * Manifest sources for `vigil scan`: Kubernetes manifests and compose files,
 * normalised to the same ContainerFact the Docker collector produces, so the
 * same container rules (CIS Docker section 5, Pod Security Standards) apply.
 */
export { parseKubernetesManifests, type ManifestOptions } from './kubernetes.js';
export { parseComposeFile, projectName, type ComposeOptions } from './compose.js';
export { scanPath, type PathScan, type ScanPathOptions } from './scan-path.js';
export { detectFileKind } from './detect.js';
export { fieldProbe, type FieldProbe, type NodePath } from './field-probe.js';
export { dockerfileCandidate, finalStageLabels, looksLikeDockerfile, parseDockerfile, type DockerfileScan } from './dockerfile.js';
export {
  EXCEPTIONS_KEY,
  parseDeclaredExceptions,
  declaredExceptionsIn,
  type DeclaredExceptionInit,
  type DeclaredExceptions,
} from './declared-exceptions.js';
export { DEFAULT_SANDBOXED_RUNTIMES, isSandboxedRuntime } from './runtimes.js';
export { kubernetesCapabilities } from './kubernetes-security.js';
export { interpolate as interpolateComposeString } from './compose-interpolate.js';
export {
  parseKubernetesQuantity,
  kubernetesBytes,
  kubernetesNanoCpus,
  kubernetesCpuShares,
  composeBytes,
  composeDurationMs,
} from './quantity.js';
export type { ContainerFactInit, FileKind, ManifestContainer, ManifestError, ManifestScan } from './types.js';
