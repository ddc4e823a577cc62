import type { FactInit, KernelFilter } from '../../../proto/src/index.js';
import type { FactSink } from '../sink.js';
import { aggregationKey, AggregationWindows, type WindowEntry } from './aggregate.js';
import { CgroupIndex } from './cgroup-index.js';
import { Enricher } from './enrich.js';
import { CollectorError } from '../errors.js';
import type { ExecEvent, RuntimeEvent } from './events.js';
import { CachedResolver, DockerDiskResolver, type ContainerMetadataResolver } from './metadata.js';
import { DockerDiskPeers, type PeerDirectory } from './peers.js';
import { ProcessMemory } from './process-memory.js';
import { TokenBuckets } from './rate-limit.js';
import { selectRuntimeSource } from './select.js';
import { silentLogger, type RuntimeLogger, type RuntimeSource } from './source.js';

export interface RuntimeCollectorOptions {
  sink: FactSink;
  /** Default: the best source this host allows ({@link selectRuntimeSource}). */
  source?: RuntimeSource;
  /** Where the host's / is mounted ("/" on the host, "/host" in a container). */
  hostRoot?: string;
  logger?: RuntimeLogger;
  /** Container metadata; default reads Docker's files under hostRoot. */
  resolver?: ContainerMetadataResolver;
  /** Who a container's outbound peer is, when it is a container on this host (default: Docker's on-disk state). */
  peers?: PeerDirectory;
  /** Report host (non-container) processes. Default true. */
  hostProcesses?: boolean;
  /** Identical events inside this window become one fact with a count. Default 1000 ms. */
  windowMs?: number;
  /** Per-container sustained event rate. Default 200/s. */
  ratePerSec?: number;
  /** Per-container burst. Default 400. */
  burst?: number;
  /** The clock of admission (rate limit and aggregation windows), epoch ms. Default Date.now; tests freeze it. */
  clock?: () => number;
  /** Events waiting for enrichment; beyond it events are dropped and counted. Default 10000. */
  queueSize?: number;
  /** Events enriched and published at once. Default 8. */
  concurrency?: number;
  /** With the default source: the paths the policy's rules need reported (a bundle's kernel_filter). */
  kernelFilter?: KernelFilter;
}

export interface RuntimeCollectorStats {
  source: string;
  /** Events that entered the pipeline (from the source, plus derived setuid-exec events). */
  received: number;
  /** Facts the sink accepted. */
  published: number;
  /** Events folded into another fact's count. */
  aggregated: number;
  /** Events lost: rate-limited, queue full, or the sink refused them. */
  dropped: number;
  rateLimited: number;
  queueFull: number;
  publishErrors: number;
  /** Events discarded: host processes when hostProcesses is false, the host's container runtime inside a container. */
  filtered: number;
  /** What the source itself lost (kernel buffer overflow, malformed lines). */
  sourceLost: number;
  queued: number;
}

export interface RuntimeCollector {
  stop(): Promise<void>;
  stats(): RuntimeCollectorStats;
  readonly source: RuntimeSource;
}

interface Slot {
  event: RuntimeEvent;
  done?: Promise<FactInit | undefined>;
}

/**
 * Starts watching: source → derived events → per-container token bucket →
 * aggregation window → bounded queue → enrichment → sink. The source's
 * callback never waits: anything that would block is counted and dropped.
 */
export async function startRuntimeCollector(options: RuntimeCollectorOptions): Promise<RuntimeCollector> {
  const logger = options.logger ?? silentLogger;
  const hostRoot = options.hostRoot ?? '/';
  const windowMs = positive('windowMs', options.windowMs ?? 1000);
  const queueSize = positive('queueSize', options.queueSize ?? 10_000);
  const concurrency = positive('concurrency', options.concurrency ?? 8);
  const hostProcesses = options.hostProcesses ?? true;
  const index = await CgroupIndex.locate(hostRoot);
  await index.rescan();
  const source = options.source ?? (await selectRuntimeSource({ hostRoot, logger, hostProcesses, index, ...(options.kernelFilter ? { ebpf: { filter: options.kernelFilter } } : {}) }));
  const resolver = new CachedResolver(options.resolver ?? new DockerDiskResolver(hostRoot));
  const memory = new ProcessMemory();
  const enricher = new Enricher(hostRoot, resolver, index, memory, options.peers ?? new DockerDiskPeers(hostRoot));
  const clock = options.clock ?? Date.now;
  const buckets = new TokenBuckets(positive('ratePerSec', options.ratePerSec ?? 200), positive('burst', options.burst ?? 400), clock);
  const windows = new AggregationWindows<Slot>(windowMs, 50_000, clock);
  const counters = {
    received: 0,
    published: 0,
    aggregated: 0,
    rateLimited: 0,
    queueFull: 0,
    publishErrors: 0,
    filtered: 0,
  };
  const queue: Slot[] = [];
  let active = 0;
  let idle: (() => void) | undefined;
  const inflight = new Set<Promise<unknown>>();

  const publish = async (fact: FactInit): Promise<void> => {
    try {
      await options.sink.publish(fact);
      counters.published++;
    } catch (error) {
      counters.publishErrors++;
      logger.warn('runtime: sink refused a fact', { error: String(error) });
    }
  };

  const process = async (slot: Slot): Promise<FactInit | undefined> => {
    const owner = await enricher.containerOf(slot.event);
    if (owner.host && !hostProcesses) {
      counters.filtered++;
      return undefined;
    }
    const { fact, runtimeSetup } = await enricher.enrich(slot.event, owner);
    // The kernel already drops what runc does under its own names; this is what it does under others.
    if (runtimeSetup) {
      counters.filtered++;
      return undefined;
    }
    await publish(fact);
    return fact;
  };

  const pump = (): void => {
    while (active < concurrency && queue.length > 0) {
      const slot = queue.shift()!;
      active++;
      slot.done = process(slot)
        .catch((error: unknown) => {
          logger.warn('runtime: enrichment failed', { error: String(error) });
          return undefined;
        })
        .finally(() => {
          active--;
          pump();
          if (active === 0 && queue.length === 0) idle?.();
        });
    }
  };

  // A repeat of an event whose window is open costs one map lookup and is never
  // dropped: the rate limit and the queue bound only what would become a new
  // fact (an exec storm of one command is one fact plus its count, not a flood).
  const admit = (event: RuntimeEvent): void => {
    counters.received++;
    const key = aggregationKey(event);
    if (windows.fold(key)) {
      counters.aggregated++;
      return;
    }
    const bucketKey = event.container?.id ?? event.cgroupId ?? 'unattributed';
    if (!buckets.take(bucketKey)) {
      counters.rateLimited++;
      return;
    }
    if (queue.length >= queueSize) {
      counters.queueFull++;
      return;
    }
    const { entry } = windows.offer(key, () => ({ event }));
    queue.push(entry?.value ?? { event });
    pump();
  };

  const onEvent = (event: RuntimeEvent): void => {
    memory.observe(event);
    admit(event);
    const derived = setuidExec(event);
    if (derived) admit(derived);
  };

  const flushWindows = (all: boolean): void => {
    for (const entry of windows.expire(all)) {
      if (entry.repeats === 0) continue;
      const job: Promise<void> = summarise(entry).then(() => {
        inflight.delete(job);
      });
      inflight.add(job);
    }
  };
  const summarise = async (entry: WindowEntry<Slot>): Promise<void> => {
    const fact = await waitFor(entry.value);
    if (!fact) return;
    await publish(withCount(fact, entry.repeats));
  };
  const waitFor = async (slot: Slot): Promise<FactInit | undefined> => {
    for (let i = 0; i < 200 && !slot.done; i++) await delay(25); // still queued
    return slot.done;
  };

  const timer = setInterval(() => flushWindows(false), Math.max(50, Math.floor(windowMs / 4)));
  timer.unref();
  await source.start(onEvent);
  logger.info('runtime: collector started', { source: source.name });

  return {
    source,
    stats: () => ({
      source: source.name,
      received: counters.received,
      published: counters.published,
      aggregated: counters.aggregated,
      dropped: counters.rateLimited + counters.queueFull + counters.publishErrors,
      rateLimited: counters.rateLimited,
      queueFull: counters.queueFull,
      publishErrors: counters.publishErrors,
      filtered: counters.filtered,
      sourceLost: source.lost?.() ?? 0,
      queued: queue.length + active,
    }),
    stop: async () => {
      await source.stop();
      clearInterval(timer);
      if (active > 0 || queue.length > 0) {
        await Promise.race([new Promise<void>((resolve) => (idle = resolve)), delay(5000)]);
      }
      flushWindows(true);
      await Promise.race([Promise.all(inflight), delay(5000)]);
      await options.sink.flush();
    },
  };
}

/** An exec whose effective uid changed is a setuid/setgid binary running: also a privilege change. */
function setuidExec(event: RuntimeEvent): RuntimeEvent | undefined {
  if (event.kind !== 'exec') return undefined;
  const exec = event as ExecEvent;
  if (exec.previousEuid === undefined || exec.process.euid === undefined) return undefined;
  if (exec.previousEuid === exec.process.euid) return undefined;
  return {
    kind: 'privilege',
    source: exec.source,
    observedAtMs: exec.observedAtMs,
    process: exec.process,
    ...(exec.cgroupId !== undefined ? { cgroupId: exec.cgroupId } : {}),
    ...(exec.container ? { container: exec.container } : {}),
    change: 'setuid',
    oldUid: exec.previousEuid,
    newUid: exec.process.euid,
    target: exec.process.exe ?? '',
  };
}

function withCount(fact: FactInit, count: number): FactInit {
  const [kind, body] = Object.entries(fact).find(([, value]) => value && typeof value === 'object') ?? [];
  if (!kind || !body) return fact;
  return { [kind]: { ...(body as object), count } } as FactInit;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new CollectorError('VIGIL_ERR_RUNTIME_CONFIG', [name, 'a positive number', String(value)]);
  }
  return value;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
