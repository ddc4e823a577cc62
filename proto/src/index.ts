export * from './kinds.js';
export * from './subjects.js';
export * from './streams.js';
export * from './codec.js';
export * from './status.js';
export { FACT_SCHEMA_FILE, schemaDirectory } from './schemas.js';
export { ensureStreams, unjudgedFacts, type StreamOptions } from './jetstream.js';
export { EMPTY_KERNEL_FILTER, KERNEL_FILTER_KEYS, kernelFilterProblem, mergeKernelFilters, type KernelFilter } from './kernel-filter.js';
export { imageRepository, NO_WORKLOAD, podOwner, workloadOf, WORKLOAD_LABEL, type WorkloadSource } from './workload.js';
