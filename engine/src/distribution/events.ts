import type { NatsConnection } from '@nats-io/nats-core';

/**
 * Operator events of policy distribution, JSON on core NATS (not persisted):
 *
 *   vigil.events.bundle.rejected   a pushed bundle an engine refused (RejectedBundleEvent)
 *   vigil.events.data.rejected     a data document an engine refused (RejectedDataEvent)
 *
 * `nats sub 'vigil.events.>'` shows them.
 */
export const distributionSubjects = {
  bundleRejected: 'vigil.events.bundle.rejected',
  dataRejected: 'vigil.events.data.rejected',
  all: 'vigil.events.>',
} as const;

export interface RejectedBundleEvent {
  name: string;
  revision: string;
  object: string;
  digest: string;
  /** Error code, e.g. VIGIL_ERR_BUNDLE_TAMPERED. */
  code: string;
  error: string;
  at: string;
}

export interface RejectedDataEvent {
  bucket: string;
  key: string;
  /** KV revision of the refused value. */
  revision: number;
  code: string;
  error: string;
  at: string;
}

/** Best effort: a closed connection must not turn a refusal into a crash. */
export function publishEvent(nc: NatsConnection, subject: string, event: RejectedBundleEvent | RejectedDataEvent): void {
  try {
    nc.publish(subject, JSON.stringify(event));
  } catch {
    // the connection is closing; the event is also returned to the caller
  }
}
