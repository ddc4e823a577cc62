import { afterAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  createContainer,
  docker,
  HarnessError,
  removeContainersByPrefix,
  startLocalNats,
  startNats,
  type NatsServer,
} from './index.js';

const PREFIX = 'vigil-harness-selftest-';
const servers: NatsServer[] = [];
const connections: NatsConnection[] = [];

async function open(url: string): Promise<NatsConnection> {
  const nc = await connect({ servers: url, reconnect: false });
  connections.push(nc);
  return nc;
}

/** Adds a stream, publishes one message and returns its sequence number. */
async function publishOne(nc: NatsConnection, stream: string, subject: string, payload: string): Promise<number> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [`${subject}.>`] });
  const ack = await jetstream(nc).publish(`${subject}.one`, payload);
  return ack.seq;
}

async function readOne(nc: NatsConnection, stream: string, seq: number): Promise<string | undefined> {
  const jsm = await jetstreamManager(nc);
  const msg = await jsm.streams.getMessage(stream, { seq });
  return msg?.string();
}

afterAll(async () => {
  await Promise.allSettled(connections.map((nc) => nc.close()));
  await Promise.allSettled(servers.map((server) => server.stop()));
  await removeContainersByPrefix(PREFIX);
});

describe('harness - NATS', () => {
  it('harness - NATS in a container keeps a JetStream message across a restart', async () => {
    const server = await startNats();
    servers.push(server);
    const urlBefore = server.url;
    const before = await open(urlBefore);
    const seq = await publishOne(before, 'HARNESS_SELFTEST', 'harness.selftest', 'kept across restart');
    await before.close();

    await server.restart();

    expect(server.url).toBe(urlBefore);
    const after = await open(server.url);
    await expect(readOne(after, 'HARNESS_SELFTEST', seq)).resolves.toBe('kept across restart');
  });

  it('harness - local nats-server round-trips a core message', async () => {
    const server = await startLocalNats();
    servers.push(server);
    const nc = await open(server.url);
    const sub = nc.subscribe('harness.local.ping', { max: 1 });
    nc.publish('harness.local.ping', 'pong');
    const received: string[] = [];
    for await (const msg of sub) received.push(msg.string());
    expect(received).toEqual(['pong']);
  });

  it('harness - local nats-server keeps JetStream data across a restart', async () => {
    const server = await startLocalNats();
    servers.push(server);
    const pidBefore = server.pid;
    const before = await open(server.url);
    const seq = await publishOne(before, 'HARNESS_LOCAL', 'harness.local', 'still here');
    await before.close();

    await server.restart();

    expect(server.pid).not.toBe(pidBefore);
    const after = await open(server.url);
    await expect(readOne(after, 'HARNESS_LOCAL', seq)).resolves.toBe('still here');
  });
});

describe('harness - docker', () => {
  it('harness - createContainer runs busybox as the app user and remove() deletes it', async () => {
    const container = await createContainer({ name: `${PREFIX}app`, flags: ['--user', 'app'] });
    const id = await docker(['exec', container.id, 'id', '-un']);
    expect(id).toBe('app');
    await container.remove();
    await expect(docker(['inspect', container.id])).rejects.toThrow(/no such/i);
  });

  it('harness - removeContainersByPrefix removes only containers with that prefix', async () => {
    await createContainer({ name: `${PREFIX}one`, start: false });
    await createContainer({ name: `${PREFIX}two`, cmd: ['true'], start: false });
    const removed = await removeContainersByPrefix(PREFIX);
    expect(removed.sort()).toEqual([`${PREFIX}one`, `${PREFIX}two`]);
    await expect(docker(['ps', '--all', '--filter', `name=^/${PREFIX}`, '--format', '{{.Names}}'])).resolves.toBe('');
  });

  it('harness - removeContainersByPrefix refuses a prefix that could match other areas', async () => {
    await expect(removeContainersByPrefix('v')).rejects.toThrow(HarnessError);
  });
});
