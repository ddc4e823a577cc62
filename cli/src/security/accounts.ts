import { statusSubjects, subjects } from '../../../proto/src/index.js';
import type { Role } from './permissions.js';

/** The NATS accounts a secured Vigil uses: subjects cross between them only where exported and imported. */
export type AccountName = 'VIGIL' | 'COLLECTORS' | 'SUBSCRIBERS';

export interface AccountSpec {
  name: AccountName;
  /** Vigil's streams and buckets live in the account that has JetStream. */
  jetstream: boolean;
  exports: readonly { kind: 'service' | 'stream'; subject: string; to: AccountName }[];
  imports: readonly { kind: 'service' | 'stream'; subject: string; from: AccountName }[];
}

/**
 * - VIGIL: the engine, the policy administrator, the console and the forwarder, with JetStream.
 * - COLLECTORS: publish facts into VIGIL through a service import, so
 *   JetStream's ack comes back to the collector's inbox on a reply subject the
 *   server makes up; whatever reply a collector sets, the ack cannot land on a
 *   subject in VIGIL or SUBSCRIBERS.
 *   Their heartbeats (`vigil.status.agent.>`) flow into VIGIL as a stream.
 * - SUBSCRIBERS: get `vigil.alerts.>` as a stream import and nothing else.
 */
export const ACCOUNTS: readonly AccountSpec[] = [
  {
    name: 'VIGIL',
    jetstream: true,
    exports: [
      { kind: 'service', subject: subjects.allFacts, to: 'COLLECTORS' },
      { kind: 'stream', subject: subjects.allAlerts, to: 'SUBSCRIBERS' },
    ],
    imports: [{ kind: 'stream', subject: statusSubjects.allAgents, from: 'COLLECTORS' }],
  },
  {
    name: 'COLLECTORS',
    jetstream: false,
    exports: [{ kind: 'stream', subject: statusSubjects.allAgents, to: 'VIGIL' }],
    imports: [{ kind: 'service', subject: subjects.allFacts, from: 'VIGIL' }],
  },
  { name: 'SUBSCRIBERS', jetstream: false, exports: [], imports: [{ kind: 'stream', subject: subjects.allAlerts, from: 'VIGIL' }] },
];

export const ACCOUNT_OF_ROLE: Readonly<Record<Role, AccountName>> = {
  engine: 'VIGIL',
  policy: 'VIGIL',
  console: 'VIGIL',
  forward: 'VIGIL',
  collector: 'COLLECTORS',
  alerts: 'SUBSCRIBERS',
};
