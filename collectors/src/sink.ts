import type { FactInit } from '../../proto/src/index.js';

/**
 * Where a collector's facts go. Sources never know about NATS: the transport,
 * batching and the on-disk outbox are decorators around this one method.
 * `publish` takes the fact without envelope bookkeeping (id, sequence, source,
 * time are stamped by the sink) and resolves once the fact is accepted.
 */
export interface FactSink {
  publish(fact: FactInit): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}
