import { afterAll, describe, expect, it } from '@jest/globals';
import { AckPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { startLocalNats, type LocalNats } from '../../../test/harness/index.js';
import { pollConsumerLag } from '../../src/metrics/consumer-lag.js';
import { Registry } from '../../src/metrics/registry.js';

const STREAM = 'VIGIL_METRICS_LAG_TEST';
const CONSUMER = 'lag-test';

let nats: LocalNats | undefined;
let nc: NatsConnection | undefined;

afterAll(async () => {
  await nc?.close().catch(() => undefined);
  await nats?.stop();
});

describe('consumer lag', () => {
  it('consumer lag - the gauge follows num_pending + num_ack_pending of a real JetStream consumer', async () => {
    nats = await startLocalNats();
    nc = await connect({ servers: nats.url, maxReconnectAttempts: 0 });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: STREAM, subjects: ['lagtest.>'] });
    await jsm.consumers.add(STREAM, { durable_name: CONSUMER, ack_policy: AckPolicy.Explicit });
    const js = jetstream(nc);
    for (let i = 0; i < 5; i++) await js.publish(`lagtest.${i}`, new Uint8Array([i]));

    const gauge = new Registry().gauge({ name: 'lag', help: 'Lag.' });
    const errors: unknown[] = [];
    // A long interval: the test drives the polls itself.
    const poller = pollConsumerLag(jsm, STREAM, CONSUMER, gauge, 60_000, { onError: (e) => errors.push(e) });
    try {
      expect(await poller.poll()).toBe(5);
      expect(gauge.get()).toBe(5);

      // Delivered but not acked still counts.
      const consumer = await js.consumers.get(STREAM, CONSUMER);
      const taken: JsMsg[] = [];
      for await (const m of await consumer.fetch({ max_messages: 2, expires: 2_000 })) {
        taken.push(m);
        if (taken.length === 2) break;
      }
      expect(taken).toHaveLength(2);
      expect(await poller.poll()).toBe(5);

      for (const m of taken) await m.ackAck();
      expect(await poller.poll()).toBe(3);
      expect(gauge.get()).toBe(3);

      // The server going away is reported, and the gauge keeps its last value.
      await nc.close();
      expect(await poller.poll()).toBeUndefined();
      expect(errors.length).toBeGreaterThan(0);
      expect(gauge.get()).toBe(3);
    } finally {
      poller.stop();
    }
  });

  it('consumer lag - polls run at the interval and never overlap', async () => {
    let calls = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const source = {
      consumers: {
        info: async () => {
          calls++;
          concurrent++;
          maxConcurrent = Math.max(maxConcurrent, concurrent);
          await new Promise((resolve) => setTimeout(resolve, 30));
          concurrent--;
          return { num_pending: calls, num_ack_pending: 10 };
        },
      },
    };
    const values: number[] = [];
    const poller = pollConsumerLag(source, 's', 'c', { set: (v) => values.push(v) }, 10);
    // Wait for the polls themselves, not a wall-clock budget a loaded machine can miss.
    const deadline = Date.now() + 10_000;
    while (calls < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    poller.stop();
    const afterStop = calls;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(maxConcurrent).toBe(1);
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(calls - afterStop).toBe(0);
    expect(values[0]).toBe(11);
    expect(values).toEqual([...values].sort((a, b) => a - b));
  });
});
