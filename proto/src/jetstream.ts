import { jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { ENGINE_CONSUMER, streams, type StreamSpec } from './streams.js';

const MS_TO_NS = 1_000_000;

export interface StreamOptions {
  replicas?: number;
  /** Create VIGIL_VERDICTS too. */
  verdicts?: boolean;
  /** How long VIGIL_FACTS keeps a fact (default streams.facts.maxAgeMs, 24 h). */
  factRetentionMs?: number;
}

/**
 * Creates Vigil's streams when missing; existing streams are left as the operator
 * configured them.
 */
export async function ensureStreams(nc: NatsConnection, options: StreamOptions = {}): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);
  for (const spec of Object.values(streams) as StreamSpec[]) {
    if (spec.optional && !options.verdicts) continue;
    try {
      await jsm.streams.info(spec.name);
    } catch {
      try {
        await jsm.streams.add({
          name: spec.name,
          subjects: spec.subjects,
          retention: spec.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
          storage: StorageType.File,
          max_age: (spec === streams.facts && options.factRetentionMs !== undefined ? options.factRetentionMs : spec.maxAgeMs) * MS_TO_NS,
          max_bytes: spec.maxBytes,
          duplicate_window: spec.duplicateWindowMs * MS_TO_NS,
          num_replicas: options.replicas ?? 1,
        });
      } catch (error) {
        // Another replica may have created it between our info and add.
        await jsm.streams.info(spec.name).catch(() => {
          throw error;
        });
      }
    }
  }
  return jsm;
}

/**
 * Facts a durable engine consumer has not yet judged and acked: its pending and
 * unacknowledged messages (VIGIL_FACTS keeps judged facts, so the stream's own
 * count says nothing). -1 while the consumer does not exist.
 */
export async function unjudgedFacts(jsm: JetStreamManager, consumer = ENGINE_CONSUMER): Promise<number> {
  const info = await jsm.consumers.info(streams.facts.name, consumer).catch(() => undefined);
  return info ? info.num_pending + info.num_ack_pending : -1;
}
