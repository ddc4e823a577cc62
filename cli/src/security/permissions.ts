import { ALERT_LEDGER_BUCKET, CONSOLE_ACKS_BUCKET, CONTEXT_BUCKET, BUNDLE_BUCKET, BUNDLE_HEADS_BUCKET, BUNDLE_SHADOWS_BUCKET, DATA_BUCKET, PROFILE_BUCKET, distributionSubjects } from '../../../engine/src/index.js';
import { SUBJECT_ROOT, statusSubjects, streams, subjects, subjectToken } from '../../../proto/src/index.js';

/** What one NATS identity may publish and subscribe to; nothing else is allowed. */
export interface Permissions {
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
}

export type Role = 'collector' | 'engine' | 'alerts' | 'policy' | 'console' | 'forward';

/**
 * Every identity gets its own reply-inbox prefix derived from its public key,
 * so no identity can read replies meant for another (the engine's pulled
 * facts arrive on its inbox). Clients set it with `inboxPrefix`.
 */
export function inboxPrefixFor(publicKey: string): string {
  return `_INBOX.${publicKey}`;
}

/**
 * A collector of one host publishes that host's facts and its heartbeat, nothing else. Its
 * JetStream publishes are requests: the server's ack comes back on its inbox,
 * so it subscribes there and needs no `$JS.API` access at all.
 */
export function collectorPermissions(host: string, publicKey: string): Permissions {
  return {
    publish: [`${SUBJECT_ROOT}.facts.*.${subjectToken(host)}`, statusSubjects.agent(host)],
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
      statusSubjects.allEngines,
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
 * The console (`vigil console`): reads the alert and fact streams with
 * ordered consumers, the engines' consumer and the dead letters' counts, the
 * policy, profile and context buckets, and watches the heartbeats on core NATS. It writes only what its actions change: acknowledgements, the
 * exceptions document, profiles (an approved drift item) and its audit events.
 */
export function consolePermissions(publicKey: string): Permissions {
  const api = '$JS.API';
  const read = [streams.alerts.name, streams.facts.name];
  return {
    publish: [
      `${api}.INFO`,
      ...[...read, streams.deadLetters.name].map((name) => `${api}.STREAM.INFO.${name}`),
      ...read.flatMap((name) => [`${api}.CONSUMER.CREATE.${name}.>`, `${api}.CONSUMER.INFO.${name}.*`, `${api}.CONSUMER.DELETE.${name}.*`, `${api}.CONSUMER.MSG.NEXT.${name}.*`, `$JS.FC.${name}.>`]),
      ...POLICY_STREAMS.flatMap(storeRead),
      ...[PROFILE_BUCKET, CONTEXT_BUCKET, CONSOLE_ACKS_BUCKET].flatMap((bucket) => storeRead(`KV_${bucket}`)),
      `$KV.${CONSOLE_ACKS_BUCKET}.>`,
      `$KV.${DATA_BUCKET}.exceptions`,
      `$KV.${PROFILE_BUCKET}.>`,
      `${SUBJECT_ROOT}.audit.console.>`,
    ],
    subscribe: [`${SUBJECT_ROOT}.status.>`, `${inboxPrefixFor(publicKey)}.>`],
  };
}

/**
 * The forwarder (`vigil forward`): one durable consumer per output on the
 * alert stream, created if missing, pulled and acknowledged. Nothing else:
 * no message published, no other stream read.
 */
export function forwardPermissions(publicKey: string): Permissions {
  const api = '$JS.API';
  const alerts = streams.alerts.name;
  return {
    publish: [
      `${api}.INFO`,
      `${api}.STREAM.INFO.${alerts}`,
      // Subject wildcards are whole tokens: any consumer of the alert stream, not only vigil-forward-<name>.
      `${api}.CONSUMER.INFO.${alerts}.*`,
      `${api}.CONSUMER.CREATE.${alerts}.>`,
      `${api}.CONSUMER.DURABLE.CREATE.${alerts}.*`,
      `${api}.CONSUMER.MSG.NEXT.${alerts}.*`,
      `$JS.ACK.${alerts}.>`,
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
