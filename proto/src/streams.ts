import { subjects } from './subjects.js';

/**
 * JetStream streams Vigil creates on first use. Facts are shared by every engine
 * replica through one durable consumer, and kept after they are judged (limits
 * retention, `maxAgeMs`): the fact archive that `vigil facts export` and
 * `vigil policy replay --since` read. Alerts and dead letters are kept for late subscribers.
 * Verdicts are high-volume: core NATS messages unless an engine runs with the
 * verdict stream, which keeps each one (deduplicated by fact id) for consumers
 * that must not miss any.
 */
export interface StreamSpec {
  readonly name: string;
  readonly subjects: string[];
  readonly retention: 'workqueue' | 'limits';
  readonly maxAgeMs: number;
  readonly maxBytes: number;
  /** Window in which a repeated `Nats-Msg-Id` is dropped by the server. */
  readonly duplicateWindowMs: number;
  /** Created only when asked for (ensureStreams' `verdicts`). */
  readonly optional?: boolean;
}

const HOUR = 60 * 60 * 1000;
const GIB = 1024 * 1024 * 1024;

export const streams = {
  facts: {
    name: 'VIGIL_FACTS',
    subjects: [subjects.allFacts],
    retention: 'limits',
    maxAgeMs: 24 * HOUR,
    maxBytes: 4 * GIB,
    duplicateWindowMs: 10 * 60 * 1000,
  },
  alerts: {
    name: 'VIGIL_ALERTS',
    subjects: [subjects.allAlerts],
    retention: 'limits',
    maxAgeMs: 7 * 24 * HOUR,
    maxBytes: 1 * GIB,
    duplicateWindowMs: 10 * 60 * 1000,
  },
  verdicts: {
    name: 'VIGIL_VERDICTS',
    subjects: [subjects.allVerdicts],
    retention: 'limits',
    maxAgeMs: 24 * HOUR,
    maxBytes: 4 * GIB,
    duplicateWindowMs: 10 * 60 * 1000,
    optional: true,
  },
  deadLetters: {
    name: 'VIGIL_DLQ',
    subjects: [subjects.allDeadLetters],
    retention: 'limits',
    maxAgeMs: 7 * 24 * HOUR,
    maxBytes: 1 * GIB,
    duplicateWindowMs: 2 * 60 * 1000,
  },
} as const satisfies Record<string, StreamSpec>;

/** The durable consumer every engine replica binds to, so replicas share the work. */
export const ENGINE_CONSUMER = 'vigil-engine';

/** Header carrying the JetStream message id used for server-side dedup. */
export const MSG_ID_HEADER = 'Nats-Msg-Id';
