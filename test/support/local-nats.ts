import { afterAll, beforeAll } from '@jest/globals';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { ensureStreams } from '../../proto/src/index.js';
import { startLocalNats, type LocalNats } from '../harness/index.js';

/**
 * A nats-server and a connection to it for one describe block: started in
 * beforeAll, stopped in afterAll. Read them through the getters, inside tests.
 */
export function useLocalNats(options: { streams?: boolean; reconnectForever?: boolean } = {}): { readonly nats: LocalNats; readonly nc: NatsConnection } {
  const held: { nats?: LocalNats; nc?: NatsConnection } = {};
  beforeAll(async () => {
    held.nats = await startLocalNats();
    held.nc = await connect({ servers: held.nats.url, ...(options.reconnectForever ? { maxReconnectAttempts: -1, reconnectTimeWait: 200 } : {}) });
    if (options.streams) await ensureStreams(held.nc);
  });
  afterAll(async () => {
    await held.nc?.close();
    await held.nats?.stop();
  });
  return {
    get nats() {
      return held.nats!;
    },
    get nc() {
      return held.nc!;
    },
  };
}
