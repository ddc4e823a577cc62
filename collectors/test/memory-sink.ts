import type { FactInit } from '../../proto/src/index.js';
import type { FactSink } from '../src/sink.js';

/** A sink that keeps what is published, for tests that look at the facts a collector made. */
export class MemorySink implements FactSink {
  readonly facts: FactInit[] = [];
  async publish(fact: FactInit): Promise<void> {
    this.facts.push(fact);
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}
