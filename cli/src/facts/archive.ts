import { jetstreamManager, RetentionPolicy } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { readStored, type StoredMessage } from '../../../engine/src/index.js';
import { streams, SUBJECT_ROOT, subjectToken, type FactKind } from '../../../proto/src/index.js';
import { CliError } from '../errors.js';

/** Which archived fact messages to read: stored within [sinceMs, untilMs], of one kind and host if given. */
export interface ArchiveQuery {
  sinceMs: number;
  untilMs: number;
  kind?: FactKind;
  host?: string;
}

/** One FactBatch message as VIGIL_FACTS stored it. */
export type ArchivedBatch = StoredMessage;

/**
 * Reads what VIGIL_FACTS keeps (judged facts too: the stream has limits
 * retention) with an ordered consumer, which acknowledges nothing and leaves
 * the engines' consumer alone.
 */
export async function* readArchive(nc: NatsConnection, query: ArchiveQuery): AsyncGenerator<ArchivedBatch> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(streams.facts.name).catch((error: unknown) => {
    throw new CliError('VIGIL_ERR_CLI_ARCHIVE', [streams.facts.name, (error as Error).message]);
  });
  if (info.config.retention === RetentionPolicy.Workqueue) throw new CliError('VIGIL_ERR_CLI_NO_ARCHIVE', [streams.facts.name, streams.facts.name]);
  if (info.state.messages === 0) return;
  const filter = `${SUBJECT_ROOT}.facts.${query.kind ?? '*'}.${query.host === undefined ? '*' : subjectToken(query.host)}`;
  yield* readStored(nc, streams.facts.name, filter, query.sinceMs, query.untilMs);
}
