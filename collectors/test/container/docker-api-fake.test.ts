import { describe, it, expect, afterEach } from '@jest/globals';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DockerApiSource, type ContainerEvent, type DockerInspect } from '../../src/container/index.js';
import { readFixture } from './fixtures.js';

/**
 * A scripted Engine API on a unix socket, for what a real daemon will not do
 * on demand: a container vanishing mid-listing, a 500, an old API version,
 * events split at odd places.
 */
interface FakeApi {
  socketPath: string;
  paths: string[];
  events?: http.ServerResponse;
  close(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function fakeApi(version: string, routes: Record<string, (res: http.ServerResponse) => void>): Promise<FakeApi> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vigil-ctest-fake-'));
  const socketPath = path.join(dir, 'docker.sock');
  const api: FakeApi = { socketPath, paths: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    api.paths.push(url);
    const route = url === '/version' ? '/version' : url.replace(/^\/v[\d.]+/, '').replace(/\?.*$/, '');
    if (route === '/version') {
      res.end(JSON.stringify({ ApiVersion: version, MinAPIVersion: '1.12' }));
      return;
    }
    if (route === '/events') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      api.events = res;
      return;
    }
    const handler = routes[route];
    if (handler) handler(res);
    else {
      res.statusCode = 404;
      res.end(JSON.stringify({ message: `No such container: ${route}` }));
    }
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  api.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  };
  cleanups.push(() => api.close());
  return api;
}

const json = (value: unknown) => (res: http.ServerResponse) => res.end(JSON.stringify(value));
const hard = readFixture<DockerInspect>('docker-inspect', 'hard.json');
const HARD_ID = hard.Id ?? '';

describe('collector - container Docker API client', () => {
  it('skips a container that vanished between list and inspect; a failing inspect is an error value', async () => {
    const api = await fakeApi('1.41', {
      '/containers/json': json([{ Id: HARD_ID }, { Id: 'gone' }, { Id: 'boom' }]),
      [`/containers/${HARD_ID}/json`]: json(hard),
      '/containers/boom/json': (res) => {
        res.statusCode = 500;
        res.end(JSON.stringify({ message: 'devicemapper exploded' }));
      },
    });
    const source = new DockerApiSource({ socketPath: api.socketPath });
    cleanups.push(() => source.close());
    const { facts, failures } = await source.list();
    expect(facts.map((fact) => fact.id)).toEqual([HARD_ID]);
    expect(failures).toEqual([
      {
        id: 'boom',
        path: '/containers/boom/json',
        code: 'VIGIL_ERR_CONTAINER_DOCKER_HTTP',
        message: expect.stringContaining('answered GET /v1.41/containers/boom/json with HTTP 500: devicemapper exploded'),
      },
    ]);
    expect(api.paths.filter((p) => p === '/version')).toHaveLength(1); // negotiated once
    expect(api.paths).toContain('/v1.41/containers/json?all=1');
  });

  it('asks a newer daemon for the newest API it knows; refuses one too old', async () => {
    const newer = await fakeApi('1.47', { '/containers/json': json([]) });
    const source = new DockerApiSource({ socketPath: newer.socketPath });
    cleanups.push(() => source.close());
    await source.list();
    expect(newer.paths).toContain('/v1.43/containers/json?all=1');

    const old = await fakeApi('1.19', {});
    await expect(new DockerApiSource({ socketPath: old.socketPath }).list()).rejects.toThrow(
      /VIGIL_ERR_CONTAINER_DOCKER_API_VERSION: .* speaks API 1\.19, older than the oldest this collector understands \(1\.24\)/,
    );
  });

  it('a body that is not JSON is a clear error', async () => {
    const api = await fakeApi('1.41', { '/containers/json': (res) => res.end('<html>proxy error</html>') });
    await expect(new DockerApiSource({ socketPath: api.socketPath }).list()).rejects.toThrow(
      /VIGIL_ERR_CONTAINER_DOCKER_RESPONSE: .*GET \/v1\.41\/containers\/json\?all=1/,
    );
  });

  it('decodes an event stream cut mid-value and concatenated, exec details from the exec or its event', async () => {
    const api = await fakeApi('1.41', {
      [`/containers/${HARD_ID}/json`]: json(hard),
      '/exec/e1/json': json({ ID: 'e1', ProcessConfig: { entrypoint: 'cat', arguments: ['/etc/shadow'], privileged: true, user: 'root' } }),
    });
    const source = new DockerApiSource({ socketPath: api.socketPath });
    cleanups.push(() => source.close());
    const events: ContainerEvent[] = [];
    const errors: Error[] = [];
    const watch = source.watch((event) => events.push(event), (error) => errors.push(error));
    cleanups.push(() => watch.stop());
    const deadline = Date.now() + 5_000;
    while (!api.events && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const event = (action: string, attributes: Record<string, string> = {}) =>
      JSON.stringify({ Type: 'container', Action: action, Actor: { ID: HARD_ID, Attributes: attributes }, time: 1700000000, timeNano: 1700000000123456789 });
    const stream =
      event('start') +
      event('exec_create: cat /etc/shadow', { execID: 'e1' }) +
      '\n' +
      event('exec_start: ls -la /root', { execID: 'e2-already-gone' }) +
      '\n' +
      event('exec_create: /bin/sh -c true', { execID: 'probe' }) + // the container's health check
      '\n' +
      JSON.stringify({ Type: 'container', Action: 'destroy', Actor: { ID: 'other' }, time: 1700000001 }) +
      '\n';
    api.events?.write(stream.slice(0, 37));
    await new Promise((resolve) => setTimeout(resolve, 30));
    api.events?.write(stream.slice(37));
    while (events.length < 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await watch.stop();
    expect(events.map((e) => [e.action, e.id])).toEqual([
      ['start', HARD_ID],
      ['exec_create', HARD_ID],
      ['exec_start', HARD_ID],
      ['destroy', 'other'],
    ]);
    expect(events[0]?.time_ms).toBe(1700000000123);
    expect(events[0]?.fact?.exec_command).toBeUndefined();
    expect(events[1]?.fact).toMatchObject({ exec_privileged: true, exec_user: 'root', exec_command: ['cat', '/etc/shadow'], read_only_rootfs: true });
    expect(events[2]?.fact).toMatchObject({ exec_privileged: false, exec_user: '', exec_command: ['ls', '-la', '/root'] });
    expect(errors).toEqual([]);
    expect(api.paths.some((p) => p.includes('/events?filters=') && p.includes(encodeURIComponent('"type":["container"]')))).toBe(true);
  });
});
