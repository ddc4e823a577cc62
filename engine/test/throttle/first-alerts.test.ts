import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { startEmbeddedNats, type EmbeddedNats } from '../../../cli/src/embedded-nats.js';
import { ensureStreams, subjects } from '../../../proto/src/index.js';
import { startFirstAlerts } from '../../src/throttle/first-alerts.js';

describe('first alerts - the alert stream decides which replica was first', () => {
  let nats: EmbeddedNats;
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await startEmbeddedNats();
    nc = await connect({ servers: nats.url });
    await ensureStreams(nc);
  }, 30_000);
  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  it('first alerts - a message id the stream has seen comes back as a duplicate with its key; a new one as stored', async () => {
    const stored: string[] = [];
    const duplicates: string[] = [];
    const unanswered: number[] = [];
    const first = startFirstAlerts({
      nc,
      onStored: (subject) => stored.push(subject),
      onDuplicate: (key, payload) => duplicates.push(`${key}:${new TextDecoder().decode(payload)}`),
      onUnanswered: (n) => unanswered.push(n),
    });
    const subject = subjects.alerts('HIGH', 'container', 'first-alerts-host');
    first.publish(subject, new TextEncoder().encode('a'), 'first-test-1', 'key-1');
    first.publish(subject, new TextEncoder().encode('b'), 'first-test-1', 'key-1');
    first.publish(subject, new TextEncoder().encode('c'), 'first-test-2', 'key-2');
    await first.close(5_000);
    expect(stored).toEqual([subject, subject]);
    expect(duplicates).toEqual(['key-1:b']);
    expect(unanswered).toEqual([]);
  });

  it('first alerts - alerts on a subject no stream takes are reported unanswered, not counted as stored or duplicate', async () => {
    const seen: string[] = [];
    const unanswered: number[] = [];
    const first = startFirstAlerts({
      nc,
      ackTimeoutMs: 200,
      onStored: () => seen.push('stored'),
      onDuplicate: () => seen.push('duplicate'),
      onUnanswered: (n) => unanswered.push(n),
    });
    // No stream and no subscriber: the server answers "no responders".
    first.publish('not.a.stream.subject', new Uint8Array([1]), 'first-test-3', 'key-3');
    await new Promise((r) => setTimeout(r, 600));
    expect(unanswered).toEqual([1]);
    // A subscriber that never answers: the sweep gives up after ackTimeoutMs.
    const silent = nc.subscribe('silent.subject');
    first.publish('silent.subject', new Uint8Array([2]), 'first-test-4', 'key-4');
    await new Promise((r) => setTimeout(r, 600));
    await first.close(100);
    silent.unsubscribe();
    expect(seen).toEqual([]);
    expect(unanswered).toEqual([1, 1]);
  });
});
