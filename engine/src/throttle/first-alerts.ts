import type { AckedPublisher, StoreOutcome } from '../transport/acked-publisher.js';

export interface FirstAlertsOptions {
  publisher: AckedPublisher;
  /** The stream already had this message id: another replica published the key's first alert. */
  onDuplicate(key: string, payload: Uint8Array): void;
  /** The stream stored it: this replica's alert is the key's first. */
  onStored(subject: string): void;
  /** Not stored after every retry (no stream for the subject, or no leader for longer than the retry time). */
  onFailed(count: number): void;
}

export interface FirstAlerts {
  /**
   * Publishes with `msgId`; the stream's answer decides between onStored and
   * onDuplicate, then `done` hears the outcome. Throws as nc.publish does.
   */
  publish(subject: string, payload: Uint8Array, msgId: string, key: string, done: (outcome: StoreOutcome) => void): void;
}

/**
 * First alerts of a throttle window, published through the acked publisher
 * with a message id every replica derives alike, so the alert stream's answer
 * says which replica was first.
 */
export function firstAlertsOver(options: FirstAlertsOptions): FirstAlerts {
  return {
    publish(subject, payload, msgId, key, done) {
      options.publisher.publish(subject, payload, msgId, (outcome) => {
        if (outcome === 'duplicate') options.onDuplicate(key, payload);
        else if (outcome === 'stored') options.onStored(subject);
        else options.onFailed(1);
        done(outcome);
      });
    },
  };
}
