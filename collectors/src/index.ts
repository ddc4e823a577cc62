export type { FactSink } from './sink.js';
export { JetStreamFactSink, type JetStreamSinkOptions } from './transport/jetstream-sink.js';
export {
  DurableFactSink,
  LOW_VALUE_KINDS,
  OUTBOX_ERRORS,
  OutboxError,
  type DurableSinkOptions,
  type OutboxErrorCode,
  type OutboxStats,
} from './transport/outbox-sink.js';
export { EnvelopeStamper } from './transport/envelope.js';
export { startAgent, COLLECTOR_NAMES, type AgentOptions, type CollectorName, type RunningAgent } from './agent.js';
export * from './container/index.js';
export * from './host/index.js';
export * from './image/index.js';
export * from './runtime/index.js';
export * from './manifests/index.js';
