import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from 'pino';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ContainerdDiskSource, DockerApiSource, DockerDiskSource, startContainerCollector } from './container/index.js';
import { startHostCollector } from './host/index.js';
import { DockerApiImageSource, DockerDiskImageSource, startImageCollector } from './image/index.js';
import { CgroupIndex, combineSources, DEFAULT_PYTHON, DEFAULT_RUNSC, GvisorSource, selectRuntimeSource, sensorSource, startRuntimeCollector, type SensorInput } from './runtime/index.js';
import { startAgentStatus, type CountedCollector } from './agent-status.js';
import { createFactSink, type CollectorSink } from './transport/fact-sink.js';
import type { FactSink } from './sink.js';
import type { KernelFilter } from '../../proto/src/index.js';

export const COLLECTOR_NAMES = ['host', 'container', 'image', 'runtime'] as const;
export type CollectorName = (typeof COLLECTOR_NAMES)[number];

export interface AgentOptions {
  nc: NatsConnection;
  /** Host name facts are published under (`vigil.facts.<kind>.<host>`). */
  host: string;
  /** `/` on the host itself, `/host` in the least-privilege parallel container. */
  hostRoot: string;
  /** Docker socket; when unreachable the container collector reads on-disk state instead. */
  socketPath?: string;
  collectors: readonly CollectorName[];
  logger: Logger;
  /**
   * Where runtime events come from: by default the best this host allows (eBPF, else procfs);
   * or a sensor already running here, Falco (its http_output, or a JSON file) or Tetragon (its export file).
   */
  runtimeSource?: { kind: 'ebpf' | 'procfs' } | ({ kind: 'falco' | 'tetragon' } & SensorInput);
  /** What the runtime collector's kernel filter reports: the kernel_filter of the bundles that judge this host. */
  kernelFilter?: KernelFilter;
  /** Root of the on-disk outboxes, one directory per collector (default ~/.cache/vigil/outbox/<host>). */
  outboxDir?: string;
  /** Where the image collector remembers its scans across restarts (default: in memory only). */
  imageCacheDir?: string;
}

export interface RunningAgent {
  stop(): Promise<void>;
}

interface Stoppable {
  stop(): Promise<void>;
  /** The runtime collector's counters, for the heartbeat. */
  stats?: CountedCollector['runtime'];
}

export const AGENT_VERSION = '0.1.0';

/** Starts the chosen collectors of one host, each publishing through its own on-disk outbox to JetStream. */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const sinks: CollectorSink[] = [];
  const counted: CountedCollector[] = [];
  const running: Array<Stoppable & { name: CollectorName }> = [];
  const outboxRoot =
    options.outboxDir ?? path.join(os.homedir(), '.cache', 'vigil', 'outbox', options.host);
  const sinkFor = (collector: CollectorName): CollectorSink => {
    const sink = createFactSink({
      nc: options.nc,
      source: { host: options.host, collector, version: AGENT_VERSION },
      dir: path.join(outboxRoot, collector),
      onRefused: (error) => options.logger.error({ collector, code: error.code }, error.message),
    });
    sinks.push(sink);
    return sink;
  };
  for (const name of options.collectors) {
    const logger = options.logger.child({ collector: name });
    try {
      const sink = sinkFor(name);
      const collector = await STARTERS[name](options, sink, logger);
      running.push(Object.assign(collector, { name }));
      counted.push({ name, outbox: () => sink.stats(), ...(collector.stats ? { runtime: () => collector.stats!() } : {}) });
    } catch (error) {
      // One collector that cannot run (no eBPF, no socket) must not stop the others.
      logger.error({ err: error }, 'collector did not start');
    }
  }
  const status = startAgentStatus({ nc: options.nc, host: options.host, version: AGENT_VERSION, collectors: () => counted });
  return {
    stop: async () => {
      status.stop();
      await Promise.allSettled(
        running.map(async (r) => {
          const began = Date.now();
          await r.stop();
          options.logger.debug({ collector: r.name, ms: Date.now() - began }, 'collector stopped');
        }),
      );
      const began = Date.now();
      await Promise.allSettled(sinks.map((s) => s.close()));
      options.logger.debug({ ms: Date.now() - began }, 'outboxes closed');
    },
  };
}

type Starter = (options: AgentOptions, sink: FactSink, logger: Logger) => Promise<Stoppable>;

const DEFAULT_SOCKET = '/var/run/docker.sock';

/** The Docker socket to use, or undefined when none answers (least-privilege mode reads disk instead). */
async function reachableSocket(options: AgentOptions): Promise<string | undefined> {
  const candidates = options.socketPath
    ? [options.socketPath]
    : [path.join(options.hostRoot, DEFAULT_SOCKET), DEFAULT_SOCKET];
  for (const socketPath of candidates) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(socketPath);
      socket.setTimeout(1_000);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (ok) return socketPath;
  }
  return undefined;
}

const STARTERS: Record<CollectorName, Starter> = {
  host: async (options, sink, logger) => {
    const socketPath = await reachableSocket(options);
    return startHostCollector({ hostRoot: options.hostRoot, dockerSocket: socketPath, sink, logger });
  },
  container: async (options, sink, logger) => {
    const socketPath = await reachableSocket(options);
    const docker = socketPath
      ? new DockerApiSource({ socketPath })
      : new DockerDiskSource({ hostRoot: options.hostRoot });
    logger.info({ source: docker.name, socketPath }, 'container source');
    const sources = [docker, new ContainerdDiskSource({ hostRoot: options.hostRoot })];
    return startContainerCollector({ sources, sink, logger });
  },
  image: async (options, sink, logger) => {
    const socketPath = await reachableSocket(options);
    const source = socketPath ? new DockerApiImageSource({ socketPath }) : new DockerDiskImageSource({ hostRoot: options.hostRoot });
    return startImageCollector({ source, sink, logger, ...(options.imageCacheDir ? { cacheDir: options.imageCacheDir } : {}) });
  },
  runtime: async (options, sink, logger) => {
    const runtimeLogger = {
      debug: (message: string, context?: Record<string, unknown>) => logger.debug(context ?? {}, message),
      info: (message: string, context?: Record<string, unknown>) => logger.info(context ?? {}, message),
      warn: (message: string, context?: Record<string, unknown>) => logger.warn(context ?? {}, message),
    };
    const wanted = options.runtimeSource;
    if (wanted?.kind === 'falco' || wanted?.kind === 'tetragon') {
      const source = sensorSource(wanted.kind, wanted);
      const collector = await startRuntimeCollector({ sink, source, hostRoot: options.hostRoot, logger: runtimeLogger });
      // The bound address, not the asked one: --listen HOST:0 picks a free port.
      logger.info({ source: wanted.kind, listen: source.listening(), input: wanted.file }, 'runtime source');
      return collector;
    }
    const primary = await selectRuntimeSource({
      hostRoot: options.hostRoot,
      logger: runtimeLogger,
      // Its root id lets the kernel keep syscall sets per container cgroup.
      index: await CgroupIndex.locate(options.hostRoot ?? '/'),
      ...(wanted ? { prefer: wanted.kind } : {}),
      ...(options.kernelFilter ? { ebpf: { filter: options.kernelFilter } } : {}),
    });
    // The host kernel sees only the sandbox of a gVisor container; runsc's own exec
    // monitoring sees inside. Only where runsc runs beside this process (not in a
    // collector container, which has neither runsc nor its state).
    const source = (await gvisorAvailable(options.hostRoot))
      ? combineSources([primary, new GvisorSource({ logger: runtimeLogger })], (s, error) => logger.warn({ err: error, source: s.name }, 'runtime source failed to start'))
      : primary;
    const collector = await startRuntimeCollector({ sink, source, hostRoot: options.hostRoot, logger: runtimeLogger });
    logger.info({ source: collector.source.name }, 'runtime source');
    return collector;
  },
};

async function gvisorAvailable(hostRoot: string): Promise<boolean> {
  if (hostRoot !== '/') return false;
  const executable = async (file: string): Promise<boolean> =>
    access(file, constants.X_OK).then(
      () => true,
      () => false,
    );
  return (await executable(DEFAULT_RUNSC)) && (await executable(DEFAULT_PYTHON));
}
