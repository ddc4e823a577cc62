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
import { WorkQueue } from './work-queue.js';
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

type Counters = Omit<RuntimeCollectorStats, 'source' | 'dropped' | 'sourceLost' | 'queued'>;

/**
 * source → derived events → per-container token bucket → aggregation window →
 * bounded queue → enrichment → sink. onEvent never waits: anything that would
 * block is counted and dropped.
 */
class RuntimePipeline {
  readonly counters: Counters = { received: 0, published: 0, aggregated: 0, rateLimited: 0, queueFull: 0, publishErrors: 0, filtered: 0 };
  private readonly queue: WorkQueue<Slot>;
  /** Count summaries of closed windows still being published. */
  private readonly summaries = new Set<Promise<void>>();

  constructor(
    private readonly parts: {
      sink: FactSink;
      enricher: Enricher;
      memory: ProcessMemory;
      buckets: TokenBuckets;
      windows: AggregationWindows<Slot>;
      logger: RuntimeLogger;
      hostProcesses: boolean;
      queueSize: number;
      concurrency: number;
    },
  ) {
    this.queue = new WorkQueue(parts.concurrency, (slot) =>
      (slot.done = this.process(slot).catch((error: unknown) => {
        parts.logger.warn('runtime: enrichment failed', { error: String(error) });
        return undefined;
      })),
    );
  }

  /** Events waiting for enrichment or being enriched. */
  get queued(): number {
    return this.queue.size;
  }

  onEvent(event: RuntimeEvent): void {
    this.parts.memory.observe(event);
    this.admit(event);
    const derived = setuidExec(event);
    if (derived) this.admit(derived);
  }

  /** Publishes the counts of the windows that closed (all of them when stopping). */
  flushWindows(all: boolean): void {
    for (const entry of this.parts.windows.expire(all)) {
      if (entry.repeats === 0) continue;
      const job: Promise<void> = this.summarise(entry).then(() => {
        this.summaries.delete(job);
      });
      this.summaries.add(job);
    }
  }

  /** Lets what is queued finish, then publishes every open window's count. */
  async drain(timeoutMs: number): Promise<void> {
    await this.queue.drained(timeoutMs);
    this.flushWindows(true);
    await Promise.race([Promise.all(this.summaries), delay(timeoutMs)]);
  }

  // A repeat of an event whose window is open costs one map lookup and is never
  // dropped: the rate limit and the queue bound only what would become a new
  // fact (an exec storm of one command is one fact plus its count, not a flood).
  private admit(event: RuntimeEvent): void {
    const { counters } = this;
    counters.received++;
    const key = aggregationKey(event);
    if (this.parts.windows.fold(key)) {
      counters.aggregated++;
      return;
    }
    if (!this.parts.buckets.take(event.container?.id ?? event.cgroupId ?? 'unattributed')) {
      counters.rateLimited++;
      return;
    }
    if (this.queue.waiting >= this.parts.queueSize) {
      counters.queueFull++;
      return;
    }
    const { entry } = this.parts.windows.offer(key, () => ({ event }));
    this.queue.push(entry?.value ?? { event });
  }

  private async process(slot: Slot): Promise<FactInit | undefined> {
    const { enricher } = this.parts;
    const owner = await enricher.containerOf(slot.event);
    if (owner.host && !this.parts.hostProcesses) {
      this.counters.filtered++;
      return undefined;
    }
    const { fact, runtimeSetup } = await enricher.enrich(slot.event, owner);
    // The kernel already drops what runc does under its own names; this is what it does under others.
    if (runtimeSetup) {
      this.counters.filtered++;
      return undefined;
    }
    await this.publish(fact);
    return fact;
  }

  private async publish(fact: FactInit): Promise<void> {
    try {
      await this.parts.sink.publish(fact);
      this.counters.published++;
    } catch (error) {
      this.counters.publishErrors++;
      this.parts.logger.warn('runtime: sink refused a fact', { error: String(error) });
    }
  }

  private async summarise(entry: WindowEntry<Slot>): Promise<void> {
    const slot = entry.value;
    for (let i = 0; i < 200 && !slot.done; i++) await delay(25); // still queued
    const fact = await slot.done;
    if (fact) await this.publish(withCount(fact, entry.repeats));
  }
}

/** Starts watching with the pipeline of {@link RuntimePipeline}. */
export async function startRuntimeCollector(options: RuntimeCollectorOptions): Promise<RuntimeCollector> {
  const logger = options.logger ?? silentLogger;
  const hostRoot = options.hostRoot ?? '/';
  const windowMs = positive('windowMs', options.windowMs ?? 1000);
  const queueSize = positive('queueSize', options.queueSize ?? 10_000);
  const concurrency = positive('concurrency', options.concurrency ?? 8);
  const ratePerSec = positive('ratePerSec', options.ratePerSec ?? 200);
  const burst = positive('burst', options.burst ?? 400);
  const hostProcesses = options.hostProcesses ?? true;
  const index = await CgroupIndex.locate(hostRoot);
  await index.rescan();
  const source = options.source ?? (await selectRuntimeSource({ hostRoot, logger, hostProcesses, index, ...(options.kernelFilter ? { ebpf: { filter: options.kernelFilter } } : {}) }));
  const memory = new ProcessMemory();
  const resolver = new CachedResolver(options.resolver ?? new DockerDiskResolver(hostRoot));
  const clock = options.clock ?? Date.now;
  const pipeline = new RuntimePipeline({
    sink: options.sink,
    enricher: new Enricher(hostRoot, resolver, index, memory, options.peers ?? new DockerDiskPeers(hostRoot)),
    memory,
    buckets: new TokenBuckets(ratePerSec, burst, clock),
    windows: new AggregationWindows<Slot>(windowMs, 50_000, clock),
    logger,
    hostProcesses,
    queueSize,
    concurrency,
  });
  const timer = setInterval(() => pipeline.flushWindows(false), Math.max(50, Math.floor(windowMs / 4)));
  timer.unref();
  await source.start((event) => pipeline.onEvent(event));
  logger.info('runtime: collector started', { source: source.name });

  return {
    source,
    stats: () => {
      const c = pipeline.counters;
      return { source: source.name, ...c, dropped: c.rateLimited + c.queueFull + c.publishErrors, sourceLost: source.lost?.() ?? 0, queued: pipeline.queued };
    },
    stop: async () => {
      await source.stop();
      clearInterval(timer);
      await pipeline.drain(5000);
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
