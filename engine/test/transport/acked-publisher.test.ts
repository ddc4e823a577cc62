import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { startLocalNats, type LocalNats } from '../../../test/harness/index.js';
import { ensureStreams, subjects } from '../../../proto/src/index.js';
import { startAckedPublisher, type StoreOutcome } from '../../src/transport/acked-publisher.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Resolves with the outcomes of `count` publications once all are in. */
function outcomes(count: number): { done: (o: StoreOutcome) => void; all: Promise<StoreOutcome[]> } {
  const seen: StoreOutcome[] = [];
  let resolve!: (v: StoreOutcome[]) => void;
  const all = new Promise<StoreOutcome[]>((r) => (resolve = r));
  return {
    done: (o) => {
      seen.push(o);
      if (seen.length === count) resolve(seen);
    },
    all,
  };
}

describe('acked publisher - a publication counts once its stream has stored it', () => {
  let nats: LocalNats;
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await startLocalNats();
    nc = await connect({ servers: nats.url });
    await ensureStreams(nc);
  }, 30_000);
  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  it('acked publisher - a new message id is stored, a repeated one is answered duplicate', async () => {
    const publisher = startAckedPublisher({ nc });
    const subject = subjects.alerts('HIGH', 'container', 'acked-host');
    const { done, all } = outcomes(3);
    const ordered: string[] = [];
    publisher.publish(subject, bytes('a'), 'acked-1', (o) => (ordered.push(`a:${o}`), done(o)));
    publisher.publish(subject, bytes('b'), 'acked-1', (o) => (ordered.push(`b:${o}`), done(o)));
    publisher.publish(subject, bytes('c'), 'acked-2', (o) => (ordered.push(`c:${o}`), done(o)));
    await all;
    expect(ordered).toEqual(['a:stored', 'b:duplicate', 'c:stored']);
    expect(publisher.pending()).toBe(0);
    await publisher.close(1_000);
  });

  it('acked publisher - a subject whose stream appears while it retries (a leader election) ends stored, with one copy', async () => {
    const publisher = startAckedPublisher({ nc, attemptTimeoutMs: 200, retryForMs: 10_000 });
    const { done, all } = outcomes(2);
    publisher.publish('late.stream.a', bytes('x'), 'late-1', done);
    publisher.publish('late.stream.a', bytes('x'), 'late-1', done);
    await new Promise((r) => setTimeout(r, 500));
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'LATE', subjects: ['late.stream.>'], retention: RetentionPolicy.Limits, storage: StorageType.Memory });
    expect((await all).sort()).toEqual(['duplicate', 'stored']);
    expect((await jsm.streams.info('LATE')).state.messages).toBe(1);
    await publisher.close(1_000);
  });

  it('acked publisher - no stream, or a subscriber that never answers: failed once the retry time is spent, never stored', async () => {
    const publisher = startAckedPublisher({ nc, attemptTimeoutMs: 100, retryForMs: 600 });
    const silent = nc.subscribe('silent.subject');
    const { done, all } = outcomes(2);
    const started = Date.now();
    publisher.publish('not.a.stream.subject', bytes('1'), 'none-1', done);
    publisher.publish('silent.subject', bytes('2'), 'none-2', done);
    expect(await all).toEqual(['failed', 'failed']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    silent.unsubscribe();
    await publisher.close(100);
  });

  it('acked publisher - close() fails what is still unanswered', async () => {
    const publisher = startAckedPublisher({ nc, attemptTimeoutMs: 10_000, retryForMs: 60_000 });
    const silent = nc.subscribe('silent.close');
    const { done, all } = outcomes(1);
    publisher.publish('silent.close', bytes('3'), undefined, done);
    await publisher.close(200);
    expect(await all).toEqual(['failed']);
    silent.unsubscribe();
  });
});
