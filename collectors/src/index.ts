// The collectors' public door: what the CLI, the engine's tests and the benches
// use. Everything else is internal (src/internal.ts).
export type { FactSink } from './sink.js';
export { createFactSink, type CollectorSink, type FactSinkOptions, type OutboxStats } from './transport/fact-sink.js';
export { COLLECTOR_ERRORS, CollectorError, collectorMessage, type CollectorErrorCode, type ImageScanError } from './errors.js';
export { spawnOwned, killOwned } from './linux/owned-child.js';
export { startAgentStatus, agentStatusOf, type AgentStatusOptions, type CountedCollector } from './agent-status.js';
export { startAgent, COLLECTOR_NAMES, type AgentOptions, type CollectorName, type RunningAgent } from './agent.js';
export { collectHostFact } from './host/index.js';
export { DockerApiSource, DockerDiskSource, normaliseDockerInspect, type ContainerSource } from './container/index.js';
export { DockerApiImageSource, ImageScanner, scanImage, type ImageSource } from './image/index.js';
export {
  BpftraceSource,
  CgroupIndex,
  selectRuntimeSource,
  sensorInputProblem,
  startEpermTracer,
  startRuntimeCollector,
  X86_64_SYSCALLS,
  type EpermCounts,
  type EpermTracer,
  type RuntimeCollector,
  type RuntimeEventHandler,
  type RuntimeSource,
} from './runtime/index.js';
export {
  detectFileKind,
  dockerfileCandidate,
  EXCEPTIONS_KEY,
  finalStageLabels,
  looksLikeDockerfile,
  parseComposeFile,
  parseDeclaredExceptions,
  parseDockerfile,
  parseKubernetesManifests,
  type FieldProbe,
  type NodePath,
} from './manifests/index.js';
