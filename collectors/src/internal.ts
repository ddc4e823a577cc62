// The collectors' internal door: every name the areas export, for the collectors'
// own tests and siblings. Code outside collectors/ uses src/index.ts.
export type { FactSink } from './sink.js';
export { createFactSink, LOW_VALUE_KINDS, type CollectorSink, type FactSinkOptions, type OutboxStats } from './transport/fact-sink.js';
export { COLLECTOR_ERRORS, CollectorError, collectorMessage, type CollectorErrorCode, type ImageScanError } from './errors.js';
export { MemoryBatchStore, type BatchStore, type QueuedBatch } from './transport/batch-store.js';
export { jetStreamTransport, type BatchTransport } from './transport/batch-transport.js';
export { EnvelopeStamper } from './transport/envelope.js';
export { spawnOwned, killOwned } from './linux/owned-child.js';
export { startAgentStatus, agentStatusOf, type AgentStatusOptions, type CountedCollector } from './agent-status.js';
export { startAgent, COLLECTOR_NAMES, type AgentOptions, type CollectorName, type RunningAgent } from './agent.js';
export * from './container/index.js';
export * from './host/index.js';
export * from './image/index.js';
export * from './runtime/index.js';
export * from './manifests/index.js';
