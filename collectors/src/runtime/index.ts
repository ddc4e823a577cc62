/**
 * Vigil's runtime collector: watches what processes in containers do and
 * publishes ProcessExec, FileAccess, NetworkConnection and PrivilegeChange
 * facts. See docs/runtime.md.
 */
export { startRuntimeCollector } from './collector.js';
export type { RuntimeCollector, RuntimeCollectorOptions, RuntimeCollectorStats } from './collector.js';
export { selectRuntimeSource } from './select.js';
export type { SelectOptions } from './select.js';
export type { RuntimeSource, RuntimeLogger } from './source.js';
export type {
  RuntimeEvent,
  RuntimeEventHandler,
  ExecEvent,
  FileEvent,
  NetworkEvent,
  PrivilegeEvent,
  PrivilegeChange,
  ProcessSnapshot,
  ContainerHint,
  StdioKind,
} from './events.js';
export { BpftraceSource } from './bpftrace/source.js';
export type { BpftraceSourceOptions } from './bpftrace/source.js';
export { detectEbpf } from './bpftrace/detect.js';
export type { EbpfSupport } from './bpftrace/detect.js';
export {
  buildScript,
  PROBE_NAMES,
} from './bpftrace/script.js';
export type { ProbeName, ScriptOptions } from './bpftrace/script.js';
export { BpftraceLineParser } from './bpftrace/parser.js';
export { ProcfsSource, parseProcNetTcp } from './procfs/source.js';
export type { ProcfsSourceOptions } from './procfs/source.js';
export { JsonLinesSource, falcoSource, tetragonSource, sensorSource, sensorInputProblem, type SensorInput } from './adapters/json-lines.js';
export { DEFAULT_PYTHON, DEFAULT_RUNSC, GvisorSource } from './gvisor/source.js';
export { combineSources } from './combine.js';
export type { GvisorSourceOptions } from './gvisor/source.js';
export { seccheckToEvent } from './gvisor/decode.js';
export { falcoToEvent } from './adapters/falco.js';
export { tetragonToEvent } from './adapters/tetragon.js';
export { containerFromCgroupPath, containerFromProcCgroup, parseProcCgroup } from './cgroup.js';
export type { CgroupAttribution, ContainerEngineHint } from './cgroup.js';
export { CgroupIndex } from './cgroup-index.js';
export { DockerDiskResolver, CachedResolver, exeDrift } from './metadata.js';
export type { ContainerMetadata, ContainerMetadataResolver, Drift } from './metadata.js';
export { capabilityNames } from './capabilities.js';
export { X86_64_SYSCALLS } from './syscall-names.js';
export { startEpermTracer, type EpermCounts, type EpermTracer } from './bpftrace/denials.js';
export { DockerDiskPeers, type PeerDirectory } from './peers.js';
