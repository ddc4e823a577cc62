import crypto from 'node:crypto';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { encodeFactBatch, factKindOf, subjects, type FactInit, type FactKind, type SourceInit } from '../../../proto/src/index.js';
import type { FactSink } from '../sink.js';
import { EnvelopeStamper } from './envelope.js';

export interface JetStreamSinkOptions {
  nc: NatsConnection;
  source: SourceInit;
  /** Facts per FactBatch message at most. */
  maxBatch?: number;
  /** How long a fact may wait for companions before its batch is sent. */
  lingerMs?: number;
}

/**
 * Publishes facts to `vigil.facts.<kind>.<host>` as FactBatch messages with
 * JetStream acks. The durable path costs per message, so facts are carried in
 * batches; each batch's id is its `Nats-Msg-Id`, so a retried publish is
 * dropped by the server rather than stored twice.
 */
export class JetStreamFactSink implements FactSink {
  private readonly js: JetStreamClient;
  private readonly stamper: EnvelopeStamper;
  private readonly host: string;
  private readonly maxBatch: number;
  private readonly lingerMs: number;
  private readonly pending = new Map<FactKind, FactInit[]>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight = new Set<Promise<void>>();
  private lastError: unknown;

  constructor(options: JetStreamSinkOptions) {
    this.js = jetstream(options.nc);
    this.stamper = new EnvelopeStamper(options.source);
    this.host = options.source.host ?? 'unknown';
    this.maxBatch = options.maxBatch ?? 256;
    this.lingerMs = options.lingerMs ?? 20;
  }

  async publish(fact: FactInit): Promise<void> {
    const kind = factKindOf(fact);
    if (kind === undefined) throw new Error('fact has no kind: set exactly one of container, host, image, ...');
    const queue = this.pending.get(kind) ?? [];
    queue.push(this.stamper.stamp(fact));
    this.pending.set(kind, queue);
    if (queue.length >= this.maxBatch) this.send(kind);
    else this.timer ??= setTimeout(() => this.sendAll(), this.lingerMs);
  }

  async flush(): Promise<void> {
    this.sendAll();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    if (this.lastError !== undefined) {
      const error = this.lastError;
      this.lastError = undefined;
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private sendAll(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const kind of [...this.pending.keys()]) this.send(kind);
  }

  private send(kind: FactKind): void {
    const facts = this.pending.get(kind);
    this.pending.delete(kind);
    if (!facts || facts.length === 0) return;
    const id = crypto.randomUUID();
    const done = this.js
      .publish(subjects.facts(kind, this.host), encodeFactBatch({ id, facts }), { msgID: id })
      .then(
        () => undefined,
        (error: unknown) => {
          this.lastError = error;
        },
      )
      .finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }
}
