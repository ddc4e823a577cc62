import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DockerApiSource,
  DockerDiskSource,
  startContainerCollector,
  type ContainerEvent,
  type ContainerFactInit,
} from '../../src/container/index.js';
import { RUN_PREFIX, TEST_IMAGE, docker, removeTestContainers, requireDocker } from './docker-harness.js';
import { MemorySink as FactsInMemory } from '../memory-sink.js';

/** The scenarios the collector must tell apart, as `docker` arguments before the image. */
const SCENARIOS = {
  capadmin: ['--cap-add', 'SYS_ADMIN'],
  socket: ['-v', '/var/run/docker.sock:/var/run/docker.sock'],
  pidhost: ['--pid', 'host'],
  seccomp: ['--security-opt', 'seccomp=unconfined'],
  gvisor: ['--runtime', 'runsc', '--label', 'vigil.dev/untrusted=true'],
  hardened: [
    '--read-only', '--cap-drop', 'ALL', '--user', '1000:1000', '--security-opt', 'no-new-privileges',
    '--memory', '64m', '--pids-limit', '64', '--health-cmd', 'true',
  ],
} as const;
type Scenario = keyof typeof SCENARIOS | 'privileged';

const ids = new Map<Scenario, string>();
let api: DockerApiSource;
let disk: DockerDiskSource;

/** In-memory FactSink: the port's simplest real adapter. */
class MemorySink extends FactsInMemory {
  containers(id?: string): ContainerFactInit[] {
    return this.facts.map((fact) => fact.container).filter((fact): fact is ContainerFactInit => !!fact && (!id || fact.id === id));
  }
}

beforeAll(async () => {
  await requireDocker();
  await removeTestContainers();
  const started = await Promise.all(
    Object.entries(SCENARIOS).map(async ([scenario, args]) => {
      const id = await docker('run', '-d', '--name', `${RUN_PREFIX}${scenario}`, ...args, TEST_IMAGE, 'sleep', '300');
      return [scenario as Scenario, id] as const;
    }),
  );
  for (const [scenario, id] of started) ids.set(scenario, id);
  ids.set('privileged', await docker('create', '--name', `${RUN_PREFIX}privileged`, '--privileged', TEST_IMAGE, 'sleep', '300'));
  api = new DockerApiSource();
  disk = new DockerDiskSource({ hostRoot: '/' });
}, 120_000);

afterAll(async () => {
  await api?.close();
  await removeTestContainers();
}, 60_000);

function idOf(scenario: Scenario): string {
  const id = ids.get(scenario);
  if (!id) throw new Error(`container for ${scenario} was not created`);
  return id;
}

async function apiFact(scenario: Scenario): Promise<ContainerFactInit> {
  const fact = await api.inspect(idOf(scenario));
  if (!fact) throw new Error(`${scenario} not found through the API`);
  return fact;
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('collector - container through the Docker API', () => {
  it('negotiates the API version the daemon speaks', async () => {
    const server = await docker('version', '--format', '{{.Server.APIVersion}}');
    const expected = Number(server.split('.')[1]) > 43 ? '1.43' : server;
    expect(await api.client.apiVersion()).toBe(expected);
  });

  it('lists every container, the created-but-not-started one included', async () => {
    const { facts, failures } = await api.list();
    expect(failures).toEqual([]);
    const byId = new Map(facts.map((fact) => [fact.id, fact]));
    for (const scenario of [...Object.keys(SCENARIOS), 'privileged'] as Scenario[]) {
      expect(byId.get(idOf(scenario))?.name).toBe(`${RUN_PREFIX}${scenario}`);
    }
    expect(byId.get(idOf('privileged'))?.state).toBe('created');
    expect(await api.inspect('vigil-ctest-no-such-container')).toBeUndefined();
  });

  it('--cap-add SYS_ADMIN', async () => {
    const fact = await apiFact('capadmin');
    expect(fact).toMatchObject({ engine: 'docker', state: 'running', privileged: false, cap_add: ['SYS_ADMIN'], cap_drop: [], image: TEST_IMAGE });
    expect(fact.capabilities).toContain('SYS_ADMIN');
    expect(fact.capabilities).toHaveLength(15);
    expect(fact.image_id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fact.created_at_ms).toBeGreaterThan(Date.now() - 10 * 60_000);
  });

  it('the Docker socket mounted in', async () => {
    expect((await apiFact('socket')).mounts).toEqual([
      { type: 'bind', source: '/var/run/docker.sock', destination: '/var/run/docker.sock', read_write: true, propagation: 'rprivate' },
    ]);
  });

  it('--pid host', async () => {
    expect((await apiFact('pidhost')).namespaces).toMatchObject({ pid: 'host', network: 'bridge', ipc: 'private' });
  });

  it('--security-opt seccomp=unconfined', async () => {
    expect(await apiFact('seccomp')).toMatchObject({ seccomp_profile: 'unconfined', privileged: false });
    expect((await apiFact('capadmin')).seccomp_profile).toBe('default');
  });

  it('--runtime runsc is sandboxed', async () => {
    expect(await apiFact('gvisor')).toMatchObject({
      runtime: 'runsc',
      sandboxed: true,
      state: 'running',
      labels: { 'vigil.dev/untrusted': 'true' },
    });
    expect((await apiFact('capadmin')).sandboxed).toBe(false);
  });

  it('--privileged, created and not started', async () => {
    const fact = await apiFact('privileged');
    expect(fact).toMatchObject({ state: 'created', privileged: true, seccomp_profile: 'unconfined', masked_paths: [] });
    expect(fact.capabilities).toHaveLength(41);
  });

  it('the hardened container', async () => {
    const fact = await apiFact('hardened');
    expect(fact).toMatchObject({
      state: 'running',
      read_only_rootfs: true,
      capabilities: [],
      cap_drop: ['ALL'],
      user: '1000:1000',
      run_as_uid: 1000,
      run_as_gid: 1000,
      no_new_privileges: true,
      resources: { memory_bytes: 64 * 1024 * 1024, pids_limit: 64 },
      health_check: { test: ['CMD-SHELL', 'true'] },
    });
    expect(['starting', 'healthy']).toContain(fact.health_status);
  });
});

describe('collector - container on disk matches the socket', () => {
  it('the API and the on-disk state give deep-equal facts for every scenario', async () => {
    for (const scenario of [...Object.keys(SCENARIOS), 'privileged'] as Scenario[]) {
      // Read API, disk, API: a health probe may land between two reads; retry until the API is stable.
      let pair: [ContainerFactInit | undefined, ContainerFactInit | undefined] = [undefined, undefined];
      for (let attempt = 0; attempt < 5; attempt++) {
        const before = await api.inspect(idOf(scenario));
        const fromDisk = await disk.inspect(idOf(scenario));
        const after = await api.inspect(idOf(scenario));
        pair = [after, fromDisk];
        if (JSON.stringify(before) === JSON.stringify(after)) break;
      }
      expect(pair[1]).toStrictEqual(pair[0]);
    }
  });

  it('lists the same containers', async () => {
    const [fromApi, fromDisk] = await Promise.all([api.list(), disk.list()]);
    const ours = (facts: ContainerFactInit[]): string[] =>
      facts.filter((fact) => fact.name?.startsWith(RUN_PREFIX)).map((fact) => fact.id ?? '').sort();
    expect(ours(fromDisk.facts)).toEqual(ours(fromApi.facts));
    expect(ours(fromApi.facts)).toHaveLength(7);
  });
});

describe('collector - container events', () => {
  it('starting a container and exec into it are reported with facts', async () => {
    const events: ContainerEvent[] = [];
    const errors: Error[] = [];
    const watch = api.watch((event) => events.push(event), (error) => errors.push(error));
    try {
      await new Promise((resolve) => setTimeout(resolve, 300)); // let the stream open
      const id = await docker('run', '-d', '--name', `${RUN_PREFIX}events`, TEST_IMAGE, 'sleep', '300');
      const start = await waitFor(() => events.find((event) => event.id === id && event.action === 'start'));
      expect(start.fact).toMatchObject({ id, name: `${RUN_PREFIX}events`, state: 'running' });
      expect(events.find((event) => event.id === id && event.action === 'create')).toBeDefined();

      await docker('exec', '-u', '1000', `${RUN_PREFIX}events`, 'sh', '-c', 'true');
      const exec = await waitFor(() => events.find((event) => event.id === id && event.action === 'exec_start'));
      expect(exec.fact).toMatchObject({ id, exec_privileged: false, exec_user: '1000', exec_command: ['sh', '-c', 'true'] });

      // This VM refuses privileged execs, but the engine reports the attempt, and so do we.
      await docker('exec', '--privileged', `${RUN_PREFIX}events`, 'id').catch(() => undefined);
      const privileged = await waitFor(() =>
        events.find((event) => event.id === id && event.action === 'exec_create' && event.fact?.exec_command?.[0] === 'id'),
      );
      expect(privileged.fact).toMatchObject({ exec_privileged: true, exec_command: ['id'], state: 'running' });

      await docker('rename', `${RUN_PREFIX}events`, `${RUN_PREFIX}events2`);
      const rename = await waitFor(() => events.find((event) => event.id === id && event.action === 'rename'));
      expect(rename.fact?.name).toBe(`${RUN_PREFIX}events2`);

      await docker('kill', `${RUN_PREFIX}events2`);
      const die = await waitFor(() => events.find((event) => event.id === id && event.action === 'die'));
      expect(die.fact?.state).toBe('exited');
      await docker('rm', `${RUN_PREFIX}events2`);
      const destroy = await waitFor(() => events.find((event) => event.id === id && event.action === 'destroy'));
      expect(destroy.fact).toBeUndefined();
      expect(errors).toEqual([]);
    } finally {
      await watch.stop();
    }
  });

  it('health probes of a container are not reported as execs', async () => {
    const events: ContainerEvent[] = [];
    const watch = api.watch((event) => events.push(event));
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const id = await docker('run', '-d', '--name', `${RUN_PREFIX}probe`, '--health-cmd', 'true', '--health-interval', '1s', TEST_IMAGE, 'sleep', '300');
      await waitFor(() => events.find((event) => event.id === id && event.action === 'start'));
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(events.filter((event) => event.id === id && event.action.startsWith('exec_'))).toEqual([]);
    } finally {
      await watch.stop();
      await docker('rm', '-f', `${RUN_PREFIX}probe`);
    }
  });

  it('reconnects with backoff when the socket goes away, then asks for a resync', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vigil-ctest-sock-'));
    const socketPath = path.join(dir, 'docker.sock');
    const proxy = new SocketProxy(socketPath, '/var/run/docker.sock');
    await proxy.start();
    const source = new DockerApiSource({ socketPath, reconnectMinMs: 100, reconnectMaxMs: 400, timeoutMs: 2_000 });
    const events: ContainerEvent[] = [];
    const errors: Error[] = [];
    const watch = source.watch((event) => events.push(event), (error) => errors.push(error));
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await proxy.stop(); // the daemon "goes away"
      await waitFor(() => (errors.length >= 2 ? true : undefined)); // stream ended, then a failed reconnect
      expect(errors[0]?.message).toMatch(/VIGIL_ERR_CONTAINER_DOCKER_UNREACHABLE: .*(event stream ended|ECONNRESET)/);
      expect(errors.some((error) => /ENOENT|ECONNREFUSED/.test(error.message))).toBe(true);
      await proxy.start();
      await waitFor(() => events.find((event) => event.action === 'resync'));
      const id = await docker('run', '-d', '--name', `${RUN_PREFIX}reconnect`, TEST_IMAGE, 'sleep', '300');
      const start = await waitFor(() => events.find((event) => event.id === id && event.action === 'start'));
      expect(start.fact?.name).toBe(`${RUN_PREFIX}reconnect`);
    } finally {
      await watch.stop();
      await source.close();
      await proxy.stop();
      await rm(dir, { recursive: true, force: true });
      await docker('rm', '-f', `${RUN_PREFIX}reconnect`).catch(() => undefined);
    }
  });

  it('a socket that never answers times out with a clear error; a missing one is unreachable', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vigil-ctest-sock-'));
    const socketPath = path.join(dir, 'silent.sock');
    const held: net.Socket[] = [];
    const silent = net.createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(socketPath, resolve));
    try {
      const started = Date.now();
      await expect(new DockerApiSource({ socketPath, timeoutMs: 300 }).list()).rejects.toThrow(
        /VIGIL_ERR_CONTAINER_DOCKER_TIMEOUT: .*silent\.sock did not answer GET \/version within 300 ms/,
      );
      expect(Date.now() - started).toBeLessThan(3_000);
      await expect(new DockerApiSource({ socketPath: path.join(dir, 'none.sock') }).list()).rejects.toThrow(
        /VIGIL_ERR_CONTAINER_DOCKER_UNREACHABLE: .*none\.sock is not reachable \(connect ENOENT/,
      );
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('collector - container collector against Docker', () => {
  it('publishes every container on start and again when one changes', async () => {
    const sink = new MemorySink();
    const source = new DockerApiSource();
    const collector = startContainerCollector({ sources: [source], sink, intervalMs: 60_000 });
    try {
      await waitFor(() => (sink.containers(idOf('privileged')).length > 0 ? true : undefined));
      for (const scenario of [...Object.keys(SCENARIOS), 'privileged'] as Scenario[]) {
        expect(sink.containers(idOf(scenario)).length).toBeGreaterThanOrEqual(1);
      }
      expect(sink.facts.every((fact) => Object.keys(fact).join() === 'container')).toBe(true);
      const before = sink.containers(idOf('privileged')).length;
      await docker('update', '--restart', 'unless-stopped', `${RUN_PREFIX}privileged`);
      const updated = await waitFor(() =>
        sink.containers(idOf('privileged')).find((fact) => fact.restart_policy?.name === 'unless-stopped'),
      );
      expect(updated.state).toBe('created');
      expect(sink.containers(idOf('privileged')).length).toBe(before + 1);
    } finally {
      await collector.stop();
    }
  });
});

/** A unix socket that forwards to Docker's, and can be taken away and brought back. */
class SocketProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  constructor(
    private readonly path: string,
    private readonly target: string,
  ) {}

  start(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      this.sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const close = (): void => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    const server = this.server;
    return new Promise((resolve) => server.listen(this.path, resolve));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
