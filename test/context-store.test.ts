import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import pino from 'pino';
import { KvContextStore, type ContextEntry } from '../engine/src/index.js';
import { startLocalNats, type LocalNats } from './harness/index.js';

/** The context every engine replica shares, on a real NATS: what one puts, the others see; a late one starts with it. */
describe('context store - the vigil-context KV bucket', () => {
  const logger = pino({ level: 'silent' });
  let nats: LocalNats;
  const connections: NatsConnection[] = [];
  const stores: KvContextStore[] = [];

  beforeAll(async () => {
    nats = await startLocalNats();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await Promise.all(connections.map((c) => c.close()));
    await nats?.stop();
  });

  const replica = async (seen: ContextEntry[]): Promise<KvContextStore> => {
    const nc = await connect({ servers: nats.url });
    connections.push(nc);
    const store = await KvContextStore.open(nc, logger);
    stores.push(store);
    await store.open((entries) => seen.push(...entries));
    return store;
  };

  const until = async (what: () => string, done: () => boolean): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('context store - a fact one replica puts reaches the other; a replica started later gets every key held before its first fact', async () => {
    const a: ContextEntry[] = [];
    const b: ContextEntry[] = [];
    const storeA = await replica(a);
    await replica(b);
    storeA.put('container.c1', new Uint8Array([1, 2, 3]));
    storeA.put('image.sha256_ab', new Uint8Array([4]));
    storeA.put('container.c1', new Uint8Array([9]));
    // A watcher converges on each key's latest value (it may skip one overwritten before it saw it).
    const last = (seen: ContextEntry[], key: string): number[] | undefined => {
      const value = seen.filter(([k]) => k === key).at(-1)?.[1];
      return value ? [...value] : undefined;
    };
    await until(
      () => `replica B to hold the latest values (B saw ${JSON.stringify(b.map(([k, v]) => [k, v && [...v]]))})`,
      () => last(b, 'container.c1')?.[0] === 9 && last(b, 'image.sha256_ab')?.[0] === 4,
    );

    const late: ContextEntry[] = [];
    await replica(late);
    // Resolved open(): the current value of every key is there already, the latest one only.
    expect(new Map(late.map(([k, v]) => [k, [...(v ?? [])]]))).toEqual(new Map([['container.c1', [9]], ['image.sha256_ab', [4]]]));
  }, 60_000);
});
