import crypto from 'node:crypto';
import type { FactInit, SourceInit } from '../../../proto/src/index.js';

/** Stamps the envelope a collector owes every fact: unique id, source, time, sequence. */
export class EnvelopeStamper {
  private sequence = 0;

  constructor(private readonly source: SourceInit) {}

  stamp(fact: FactInit): FactInit {
    this.sequence++;
    return {
      ...fact,
      id: fact.id || crypto.randomUUID(),
      source: fact.source ?? this.source,
      observed_at_ms: fact.observed_at_ms || Date.now(),
      sequence: this.sequence,
    };
  }
}
