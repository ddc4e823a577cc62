import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { packageRoot } from '../../engine/src/index.js';
import { decodeFactBatch, ensureStreams, factKindOf, subjects } from '../../proto/src/index.js';
import { startLocalNats } from '../../test/harness/index.js';
import type { ScenarioResult } from '../report.js';
import { benchCacheDir, benchImage } from '../support/bench-image.js';
import { archiveLayers } from '../support/layer-read.js';
import { docker, importArchiveMember, removeContainers, startContainers } from '../support/docker.js';
import { measure, readProc, type WindowFigures } from '../support/proc.js';

const PREFIX = 'vigil-bench-fp-';
const IMAGE = 'vigil-test/busybox:1';
const HOST = 'vigil-bench-fp';
const COLLECTORS = ['container', 'host', 'image'];
const SCAN_IMAGE = 'vigil-bench/fp-scan:1';

export interface FootprintOptions {
  quick: boolean;
}

/**
 * A collector's cost on a real Docker engine: `vigil collect container host
 * image` as a child process publishing to a real NATS, its CPU time and RSS
 * read from /proc — idle with the host's own containers, while `containers`
 * more are started (the event burst), steady with them running, and while
 * they are removed. Every fact it publishes is counted.
 */
export async function collectorFootprint(options: FootprintOptions): Promise<ScenarioResult> {
  const count = options.quick ? 10 : 50;
  const windowMs = options.quick ? 6_000 : 60_000;
  await removeContainers(PREFIX); // left over from an interrupted run
  const nats = await startLocalNats();
  const nc = await connect({ servers: nats.url });
  const outbox = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-bench-fp-outbox-'));
  const imageCache = path.join(benchCacheDir(), 'image-scan-cache');
  let collector: ChildProcess | undefined;
  try {
    await ensureStreams(nc);
    const facts = new FactCounter();
    const subscription = nc.subscribe(subjects.allFacts, {
      callback: (error, msg) => {
        if (!error) facts.add(msg.data);
      },
    });

    const started = Date.now();
    // VIGIL_BENCH_CPU_PROF=DIR writes the collector's CPU profile there when it stops.
    const profile = process.env['VIGIL_BENCH_CPU_PROF'];
    const nodeArgs = profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : [];
    collector = spawn(process.execPath, [...nodeArgs, path.join(packageRoot(), 'bin', 'vigil.js'), 'collect', ...COLLECTORS, '--nats', nats.url, '--host', HOST], {
      env: { ...process.env, VIGIL_OUTBOX_DIR: outbox, VIGIL_IMAGE_CACHE_DIR: imageCache, VIGIL_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    collector.stderr!.on('data', (chunk: Buffer) => void (log = (log + chunk.toString()).slice(-4_000)));
    const exited = new Promise<never>((_, reject) =>
      collector!.once('exit', (code) => reject(new Error(`vigil collect exited (${code}) during the benchmark:\n${log}`))),
    );
    void exited.catch(() => undefined); // stopping it at the end is no failure
    const pid = collector.pid!;

    // Warm-up: start-up and the first full report (each image not in the scan cache is read once), until the facts stop.
    const warmupTimeoutMs = options.quick ? 25_000 : 300_000;
    const unscanned = await Promise.race([facts.settled(options.quick ? 1_500 : 3_000, warmupTimeoutMs), exited]);
    const warmupSeconds = (Date.now() - started) / 1000;
    const warmupFacts = facts.total;

    const phase = async (work: Promise<unknown> | number): Promise<WindowFigures & { facts: number; own: number }> => {
      const before = facts.total;
      const ownBefore = facts.own;
      const figures = await Promise.race([measure(pid, work), exited]);
      return { ...figures, facts: facts.total - before, own: facts.own - ownBefore };
    };
    const baseline = await runningContainers();
    const idle = await phase(windowMs);
    const creating = await phase(
      (async () => {
        await startContainers(PREFIX, count, IMAGE, ['sleep', '3600']);
        await facts.containersRunning(PREFIX, count, 60_000);
      })(),
    );
    const steady = await phase(windowMs);
    const removing = await phase(
      (async () => {
        await removeContainers(PREFIX);
        await new Promise((resolve) => setTimeout(resolve, 1_000)); // the last events
      })(),
    );

    // A new image appears (full runs): the collector reads it from the Engine API once.
    let scan: { seconds: number; cpuSeconds: number; rssMbMax: number; rssMbAfter: number; layerMb: number } | undefined;
    if (!options.quick) {
      const small = await benchImage('small');
      const [layer] = await archiveLayers(small.dockerSave);
      if (!layer) throw new Error(`${small.dockerSave}: no layer`);
      const figures = await phase(
        (async () => {
          const id = await importArchiveMember(small.dockerSave, layer.name, SCAN_IMAGE, `LABEL vigil.bench.run=${Date.now()}`);
          await facts.imageSeen(id, 180_000);
        })(),
      );
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      const after = await readProc(pid);
      scan = { ...figures, rssMbAfter: (after?.rssBytes ?? 0) / 2 ** 20, layerMb: layer.size / 2 ** 20 };
      await docker(['rmi', SCAN_IMAGE]);
    }
    await subscription.drain();

    const r = (value: number, digits = 2): number => Number(value.toFixed(digits));
    return {
      scenario: `collector footprint (vigil collect ${COLLECTORS.join(' ')}, ${count} containers)`,
      metrics: {
        containers: count,
        containers_before: baseline,
        window_s: windowMs / 1000,
        warmup_s: r(warmupSeconds, 1),
        warmup_images_unscanned: unscanned,
        cpu_percent_idle: r(idle.cpuPercent),
        cpu_percent_create: r(creating.cpuPercent),
        create_s: r(creating.seconds, 1),
        [`cpu_percent_${count}`]: r(steady.cpuPercent),
        cpu_percent_remove: r(removing.cpuPercent),
        rss_mb_idle: r(idle.rssMbAvg, 1),
        rss_mb_idle_max: r(idle.rssMbMax, 1),
        [`rss_mb_${count}`]: r(steady.rssMbAvg, 1),
        [`rss_mb_${count}_max`]: r(Math.max(creating.rssMbMax, steady.rssMbMax, removing.rssMbMax), 1),
        ...(scan
          ? {
              new_image_mb: r(scan.layerMb, 1),
              new_image_s: r(scan.seconds, 1),
              new_image_cpu_s: r(scan.cpuSeconds),
              rss_mb_new_image_max: r(scan.rssMbMax, 1),
              rss_mb_after_new_image: r(scan.rssMbAfter, 1),
            }
          : {}),
        facts_warmup: warmupFacts,
        facts_idle: idle.facts,
        facts_create: creating.facts,
        facts_create_own: creating.own,
        [`facts_${count}`]: steady.facts,
        [`facts_${count}_own`]: steady.own,
        facts_remove: removing.facts,
        facts_remove_own: removing.own,
        fact_messages: facts.messages,
      },
      notes: [
        `\`node bin/vigil.js collect ${COLLECTORS.join(' ')} --nats URL --host ${HOST}\` as a child process against a private nats-server with JetStream (test/harness/nats.ts); the runtime collector is not included (measured by the runtime-exec-storm scenario).`,
        `CPU: utime+stime from /proc/<pid>/stat over each phase, in % of one core; RSS: /proc/<pid>/status VmRSS sampled every 0.5 s (average, and max). Goals: < 1 % of a core, < 100 MB.`,
        `Image scans are cached across runs (VIGIL_IMAGE_CACHE_DIR=${imageCache}): a first run reads every image of the engine during its warm-up, later runs only new ones.`,
        `Phases: warm-up (start-up and the first report; excluded) until a host fact and a fact for every image of the engine arrived and none came for ${options.quick ? 1.5 : 3} s (at most ${warmupTimeoutMs / 1000} s); idle ${windowMs / 1000} s with the host's own containers (${baseline} running at its start); create: ${count} × \`docker run -d ${IMAGE} sleep 3600\` (${PREFIX}N, 10 in parallel) until a running fact for each arrived; steady ${windowMs / 1000} s with them running; remove: \`docker rm -f\` of them.`,
        ...(scan
          ? [
              `new_image: a ${r(scan.layerMb, 0)} MB image that is in no cache (\`tar -xOf small-save.tar LAYER | docker import --change "LABEL vigil.bench.run=<now>" - ${SCAN_IMAGE}\`) from \`docker import\` until its fact arrived; CPU seconds of the collector; rss_mb_after_new_image 5 s later.`,
            ]
          : ['--quick leaves out the new-image phase.']),
        `facts_*: Facts published in each phase, counted from the FactBatches on \`vigil.facts.>\` (*_own: about the ${PREFIX}N containers); fact_messages: batches. Other helpers share this Docker engine: their containers come and go during the phases and are counted too.`,
      ],
    };
  } finally {
    if (collector && collector.exitCode === null) {
      const gone = new Promise((resolve) => collector!.once('exit', resolve));
      collector.kill('SIGTERM');
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (collector.exitCode === null) collector.kill('SIGKILL');
    }
    await removeContainers(PREFIX).catch(() => 0);
    if (!options.quick) await docker(['rmi', SCAN_IMAGE]).catch(() => '');
    await nc.close();
    await nats.stop();
    await fs.rm(outbox, { recursive: true, force: true });
  }
}

async function runningContainers(): Promise<number> {
  return (await docker(['ps', '-q'])).split('\n').filter(Boolean).length;
}

/** Counts the facts on `vigil.facts.>` by kind and remembers which containers were last seen in which state. */
class FactCounter {
  total = 0;
  /** Facts about this scenario's own containers. */
  own = 0;
  messages = 0;
  readonly byKind = new Map<string, number>();
  readonly states = new Map<string, string>();
  readonly images = new Set<string>();
  private last = Date.now();

  add(data: Uint8Array): void {
    this.messages++;
    this.last = Date.now();
    for (const fact of decodeFactBatch(data).facts) {
      this.total++;
      const kind = factKindOf(fact) ?? 'unknown';
      this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
      if (fact.image?.id) this.images.add(fact.image.id);
      const name = fact.container?.name?.replace(/^\//, '');
      if (name) this.states.set(name, fact.container?.state ?? '');
      if (name?.startsWith(PREFIX)) this.own++;
    }
  }

  /**
   * Resolves once a host fact and a fact for every image the engine lists
   * arrived and nothing came for `quietMs`; after `timeoutMs` it resolves
   * anyway, with the number of images still without a fact.
   */
  async settled(quietMs: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const listed = (await docker(['images', '-q', '--no-trunc'])).split('\n').filter(Boolean);
      const missing = new Set(listed.filter((id) => !this.images.has(id))).size;
      if (missing === 0 && this.byKind.has('host') && Date.now() - this.last >= quietMs) return 0;
      if (Date.now() > deadline) return missing;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  async imageSeen(id: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.images.has(id)) {
      if (Date.now() > deadline) throw new Error(`no fact for image ${id} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async containersRunning(prefix: string, count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const running = (): number => [...this.states].filter(([name, state]) => name.startsWith(prefix) && state === 'running').length;
    while (running() < count) {
      if (Date.now() > deadline) throw new Error(`only ${running()} of ${count} ${prefix}* containers reported running within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
