import { SUBJECT_ROOT, streams, subjects, subjectToken } from '../../../proto/src/index.js';

/** What one NATS identity may publish and subscribe to; nothing else is allowed. */
export interface Permissions {
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
}

export type Role = 'collector' | 'engine' | 'alerts';

/**
 * Every identity gets its own reply-inbox prefix derived from its public key,
 * so no identity can read replies meant for another (the engine's pulled
 * facts arrive on its inbox). Clients set it with `inboxPrefix`.
 */
export function inboxPrefixFor(publicKey: string): string {
  return `_INBOX.${publicKey}`;
}

/**
 * A collector of one host publishes that host's facts and nothing else. Its
 * JetStream publishes are requests: the server's ack comes back on its inbox,
 * so it subscribes there and needs no `$JS.API` access at all.
 */
export function collectorPermissions(host: string, publicKey: string): Permissions {
  return {
    publish: [`${SUBJECT_ROOT}.facts.*.${subjectToken(host)}`],
    subscribe: [`${inboxPrefixFor(publicKey)}.>`],
  };
}

/**
 * The engine creates Vigil's streams when missing (info, create), binds its
 * durable pull consumer on VIGIL_FACTS (info, create, next), acks what it
 * pulled, and publishes verdicts, alerts and dead letters. It cannot delete or
 * purge streams, read alert or dead-letter streams, or publish facts.
 */
export function enginePermissions(publicKey: string): Permissions {
  const api = '$JS.API';
  const facts = streams.facts.name;
  const streamNames = Object.values(streams).map((s) => s.name);
  return {
    publish: [
      subjects.allVerdicts,
      subjects.allAlerts,
      subjects.allDeadLetters,
      `${api}.INFO`,
      ...streamNames.flatMap((name) => [`${api}.STREAM.INFO.${name}`, `${api}.STREAM.CREATE.${name}`]),
      `${api}.CONSUMER.INFO.${facts}.*`,
      `${api}.CONSUMER.CREATE.${facts}.>`,
      `${api}.CONSUMER.DURABLE.CREATE.${facts}.*`,
      `${api}.CONSUMER.MSG.NEXT.${facts}.*`,
      `$JS.ACK.${facts}.>`,
    ],
    subscribe: [`${inboxPrefixFor(publicKey)}.>`],
  };
}

/** An alert subscriber reads `vigil.alerts.>` and publishes nothing. */
export function alertsPermissions(): Permissions {
  return { publish: [], subscribe: [subjects.allAlerts] };
}
