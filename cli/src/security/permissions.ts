import { ALERT_LEDGER_BUCKET, CONTEXT_BUCKET, BUNDLE_BUCKET, BUNDLE_HEADS_BUCKET, BUNDLE_SHADOWS_BUCKET, DATA_BUCKET, PROFILE_BUCKET, distributionSubjects } from '../../../engine/src/index.js';
import { SUBJECT_ROOT, streams, subjects, subjectToken } from '../../../proto/src/index.js';

/** What one NATS identity may publish and subscribe to; nothing else is allowed. */
export interface Permissions {
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
}

export type Role = 'collector' | 'engine' | 'alerts' | 'policy';

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
 * pulled, publishes verdicts, alerts and dead letters, and keeps the alert
 * throttle's ledger and the learned profiles (KV buckets). It cannot delete or purge streams, read
 * alert or dead-letter streams, or publish facts.
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
      subjects.allShadow,
      distributionSubjects.all,
      `${api}.INFO`,
      ...streamNames.flatMap((name) => [`${api}.STREAM.INFO.${name}`, `${api}.STREAM.CREATE.${name}`]),
      `${api}.CONSUMER.INFO.${facts}.*`,
      `${api}.CONSUMER.CREATE.${facts}.>`,
      `${api}.CONSUMER.DURABLE.CREATE.${facts}.*`,
      `${api}.CONSUMER.MSG.NEXT.${facts}.*`,
      `$JS.ACK.${facts}.>`,
      ...POLICY_STREAMS.flatMap(storeRead),
      // Buckets the engine writes: the throttle's ledger, the learned profiles and the context.
      ...[ALERT_LEDGER_BUCKET, PROFILE_BUCKET, CONTEXT_BUCKET].flatMap((bucket) => [...storeRead(`KV_${bucket}`), `$KV.${bucket}.>`]),
    ],
    subscribe: [`${inboxPrefixFor(publicKey)}.>`],
  };
}

/** Streams behind the policy distribution buckets (KV and Object Store). */
const POLICY_STREAMS = [`KV_${BUNDLE_HEADS_BUCKET}`, `KV_${BUNDLE_SHADOWS_BUCKET}`, `KV_${DATA_BUCKET}`, `OBJ_${BUNDLE_BUCKET}`];

/**
 * Reading a KV or Object Store bucket and watching it: stream info and get,
 * ordered consumers (created, replaced, deleted as they reset) whose flow
 * control the client answers. Creating the bucket is allowed so that an engine
 * started before the first push can wait on an empty one.
 */
function storeRead(stream: string): string[] {
  const api = '$JS.API';
  return [
    `${api}.STREAM.INFO.${stream}`,
    `${api}.STREAM.CREATE.${stream}`,
    `${api}.STREAM.MSG.GET.${stream}`,
    `${api}.DIRECT.GET.${stream}`,
    `${api}.DIRECT.GET.${stream}.>`,
    `${api}.CONSUMER.CREATE.${stream}.>`,
    `${api}.CONSUMER.INFO.${stream}.*`,
    `${api}.CONSUMER.DELETE.${stream}.*`,
    `$JS.FC.${stream}.>`,
  ];
}

/**
 * The policy administrator (`vigil policy push|rollback|history|data`): reads
 * and writes the bundle and data buckets (puts are JetStream publishes on
 * `$KV.<bucket>.<key>` and `$O.<bucket>.>`; deleting an old bundle purges its
 * chunks). Nothing about facts, alerts or the engine's consumer.
 */
export function policyPermissions(publicKey: string): Permissions {
  const api = '$JS.API';
  return {
    publish: [
      `${api}.INFO`,
      ...POLICY_STREAMS.flatMap((stream) => [
        ...storeRead(stream),
        `${api}.STREAM.UPDATE.${stream}`,
        `${api}.STREAM.PURGE.${stream}`,
        `${api}.STREAM.MSG.DELETE.${stream}`,
      ]),
      `$KV.${BUNDLE_HEADS_BUCKET}.>`,
      `$KV.${BUNDLE_SHADOWS_BUCKET}.>`,
      `$KV.${DATA_BUCKET}.>`,
      `$O.${BUNDLE_BUCKET}.>`,
    ],
    subscribe: [`${inboxPrefixFor(publicKey)}.>`],
  };
}

/**
 * An alert subscriber, in the SUBSCRIBERS account, gets `vigil.alerts.>` (a
 * stream import from VIGIL) and its own inbox, and publishes nothing.
 */
export function alertsPermissions(publicKey: string): Permissions {
  return { publish: [], subscribe: [subjects.allAlerts, `${inboxPrefixFor(publicKey)}.>`] };
}
