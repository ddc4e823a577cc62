import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GenericContainer,
  ImageName,
  Wait,
  getContainerRuntimeClient,
  type ContainerRuntimeClient,
  type StartedTestContainer,
} from 'testcontainers';
import { docker } from './docker.js';
import { HarnessError } from './errors.js';
import { NATS_IMAGE, vigilBinDir } from './paths.js';
import { freePort } from './ports.js';

/** A running NATS server for a test. */
export interface NatsServer {
  /** Client URL; a getter, always current (read it again after restart()). */
  readonly url: string;
  /** Stops the server and deletes its data. */
  stop(): Promise<void>;
  /** Stops and starts the same server on the same port, keeping its JetStream data. */
  restart(): Promise<void>;
}

export interface ContainerNats extends NatsServer {
  readonly container: StartedTestContainer;
}

export interface LocalNats extends NatsServer {
  /** Directory of the JetStream store (removed by stop()). */
  readonly storeDir: string;
  /** Process id of the current nats-server. */
  readonly pid: number;
}

export interface NatsOptions {
  /** JetStream on (default true). */
  jetstream?: boolean;
}

/** Name prefix of every container the harness starts: removeContainersByPrefix(NATS_CONTAINER_PREFIX). */
export const NATS_CONTAINER_PREFIX = 'vigil-harness-nats-';

const READY = 'Server is ready';
const START_ATTEMPTS = 3;

/**
 * Starts nats-server in a container (image vigil-test/nats:2.15.2) with JetStream storing in /data
 * inside the container, which survives restart(). The client port is bound to a fixed host port so
 * that restart() keeps the URL and clients can reconnect on their own.
 */
export async function startNats(opts: NatsOptions = {}): Promise<ContainerNats> {
  // Ryuk, the testcontainers reaper, is an image from a registry: not available here.
  process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
  await ensureDockerWithImage(NATS_IMAGE);
  const command = opts.jetstream === false ? [] : ['-js', '-sd', '/data'];

  let container: StartedTestContainer | undefined;
  for (let attempt = 1; container === undefined; attempt++) {
    const port = await freePort();
    const name = `${NATS_CONTAINER_PREFIX}${randomUUID().slice(0, 8)}`;
    try {
      container = await new GenericContainer(NATS_IMAGE)
        .withName(name)
        .withCommand(command)
        .withExposedPorts({ container: 4222, host: port })
        .withWaitStrategy(Wait.forLogMessage(READY))
        .withStartupTimeout(30_000)
        .start();
    } catch (error) {
      await docker(['rm', '--force', '--volumes', name]).catch(() => undefined);
      // The free port can be taken between choosing it and Docker binding it: choose again.
      const portTaken = /already allocated|address already in use/i.test(String(error));
      if (!portTaken || attempt >= START_ATTEMPTS) {
        throw new HarnessError('VIGIL_ERR_HARNESS_NATS_START', `NATS container did not start: ${String(error)}`, {
          cause: error,
        });
      }
    }
  }

  const started = container;
  return {
    container: started,
    get url() {
      return `nats://${started.getHost()}:${started.getMappedPort(4222)}`;
    },
    async stop() {
      await started.stop({ timeout: 2_000 });
    },
    async restart() {
      // Graceful (SIGTERM, then 5 s) so that JetStream closes its store cleanly.
      await started.restart({ timeout: 5_000 });
    },
  };
}

/** Checks Docker the way testcontainers reaches it, and that the local image is there (it is never pulled). */
async function ensureDockerWithImage(image: string): Promise<void> {
  let client: ContainerRuntimeClient;
  try {
    client = await getContainerRuntimeClient();
  } catch (error) {
    throw new HarnessError(
      'VIGIL_ERR_HARNESS_DOCKER_UNREACHABLE',
      `Docker isn't reachable (${error instanceof Error ? error.message : String(error)}); ` +
        'start it with bash scripts/setup.sh --test',
      { cause: error },
    );
  }
  if (!(await client.image.exists(ImageName.fromString(image)))) {
    throw new HarnessError(
      'VIGIL_ERR_HARNESS_NATS_START',
      `image ${image} is missing (no registry is used): build it with bash scripts/setup.sh --test`,
    );
  }
}

// --- nats-server as a local process ---------------------------------------------------------------

/** Every nats-server this process started and has not stopped: killed if the test process exits. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts the nats-server binary from $VIGIL_CACHE/bin (or $VIGIL_NATS_SERVER) on 127.0.0.1 and
 * a random free port, with JetStream in a fresh temporary directory. No Docker needed.
 */
export async function startLocalNats(opts: NatsOptions = {}): Promise<LocalNats> {
  const binary = await natsServerBinary();
  const storeDir = await mkdtemp(join(tmpdir(), 'vigil-nats-'));
  const jetstream = opts.jetstream !== false;
  // Port -1: nats-server picks a free port itself (no race); restart() then asks for the same one.
  let server: RunningServer;
  try {
    server = await spawnServer(binary, -1, jetstream ? storeDir : undefined);
  } catch (error) {
    await rm(storeDir, { recursive: true, force: true });
    throw error;
  }

  return {
    storeDir,
    get pid() {
      return server.child.pid ?? -1;
    },
    get url() {
      return `nats://127.0.0.1:${server.port}`;
    },
    async stop() {
      await stopServer(server.child);
      await rm(storeDir, { recursive: true, force: true });
    },
    async restart() {
      await stopServer(server.child);
      server = await spawnServer(binary, server.port, jetstream ? storeDir : undefined);
    },
  };
}

async function natsServerBinary(): Promise<string> {
  const binary = process.env['VIGIL_NATS_SERVER'] ?? join(vigilBinDir(), 'nats-server');
  try {
    await access(binary, constants.X_OK);
  } catch (error) {
    throw new HarnessError(
      'VIGIL_ERR_HARNESS_NATS_BINARY',
      `nats-server not found at ${binary}: build it with bash scripts/setup.sh`,
      { cause: error },
    );
  }
  return binary;
}

/** A JetStream cluster of local nats-server processes, each with its own store. */
export interface LocalCluster {
  /** Every node's client URL, comma-separated (the form `--nats` takes). */
  readonly urls: string;
  readonly nodes: readonly { name: string; url: string; running: boolean }[];
  /** Stops node `index` gracefully (SIGTERM); its store is kept. */
  stopNode(index: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `size` nats-server nodes routed to each other as cluster `vigil`, JetStream on. */
export async function startLocalCluster(size = 3): Promise<LocalCluster> {
  const binary = await natsServerBinary();
  const clientPorts: number[] = [];
  const routePorts: number[] = [];
  for (let i = 0; i < size; i++) {
    clientPorts.push(await freePort());
    routePorts.push(await freePort());
  }
  const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`).join(',');
  const storeDirs = await Promise.all(routePorts.map(() => mkdtemp(join(tmpdir(), 'vigil-nats-cluster-'))));
  const servers: (RunningServer | undefined)[] = [];
  const removeStores = () => Promise.all(storeDirs.map((d) => rm(d, { recursive: true, force: true })));
  try {
    // Started together: a node is only "ready" once JetStream has found its peers.
    servers.push(
      ...(await Promise.all(
        clientPorts.map((port, i) =>
          spawnServer(binary, port, storeDirs[i], ['-n', `vigil-${i}`, '--cluster_name', 'vigil', '--cluster', `nats://127.0.0.1:${routePorts[i]}`, '--routes', routes]),
        ),
      )),
    );
  } catch (error) {
    await removeStores();
    throw error;
  }
  return {
    urls: clientPorts.map((p) => `nats://127.0.0.1:${p}`).join(','),
    get nodes() {
      return clientPorts.map((p, i) => ({ name: `vigil-${i}`, url: `nats://127.0.0.1:${p}`, running: servers[i] !== undefined }));
    },
    async stopNode(index) {
      const server = servers[index];
      servers[index] = undefined;
      if (server) await stopServer(server.child);
    },
    async stop() {
      await Promise.all(servers.map((s) => (s ? stopServer(s.child) : undefined)));
      servers.fill(undefined);
      await removeStores();
    },
  };
}

interface RunningServer {
  child: ChildProcess;
  port: number;
}

function spawnServer(binary: string, port: number, storeDir: string | undefined, extraArgs: readonly string[] = []): Promise<RunningServer> {
  const args = ['-a', '127.0.0.1', '-p', String(port), ...(storeDir === undefined ? [] : ['-js', '-sd', storeDir]), ...extraArgs];
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));

  return new Promise((resolve, reject) => {
    let log = '';
    let boundPort = port;
    const fail = (reason: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new HarnessError('VIGIL_ERR_HARNESS_NATS_START', `${binary} ${args.join(' ')}: ${reason}\n${log}`));
    };
    const timer = setTimeout(() => fail('not ready after 10 s'), 10_000);
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`exited (${signal ?? `status ${code}`}) before it was ready`));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      log = (log + chunk).slice(-8_000);
      const listening = /Listening for client connections on [^\s]*:(\d+)/.exec(log);
      if (listening?.[1] !== undefined) boundPort = Number(listening[1]);
      if (log.includes(READY)) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.once('exit', () => running.delete(child));
        // Keep draining stderr so the server never blocks on a full pipe.
        child.stderr?.removeAllListeners('data');
        child.stderr?.resume();
        resolve({ child, port: boundPort });
      }
    });
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
