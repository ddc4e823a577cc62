import { connect } from '@nats-io/transport-node';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  BpftraceSource,
  CgroupIndex,
  createFactSink,
  selectRuntimeSource,
  startRuntimeCollector,
  type RuntimeCollector,
} from '../../collectors/src/index.js';
import { decodeFactBatch, ensureStreams } from '../../proto/src/index.js';
import { defaultBundlePath, kernelFilterOf, readBundleFile } from '../../engine/src/index.js';
import { startLocalNats } from '../../test/harness/index.js';
import type { ScenarioResult } from '../report.js';
import { bpfProgramCosts, costDelta, enableBpfStats } from '../support/bpf-stats.js';
import {
  buildTools,
  CountingSource,
  docker,
  KernelExecCounter,
  processCpuMs,
  processRssBytes,
  round,
  selfCpuMs,
  sleep,
  startBenchContainer,
} from '../runtime/support.js';

export interface ExecStormOptions {
  /** Offered exec rates per step; 0 is "as fast as the generator can". */
  rates: number[];
  stepSeconds: number;
  idleSeconds: number;
  /** Per-CPU perf ring pages for the collector's bpftrace (default: the source's). */
  ringPages?: number;
}

interface StepResult {
  offered: number;
  achieved: number;
  kernel: number;
  seen: number;
  factsPublished: number;
  eventsInFacts: number;
  collectorRate: number;
  cpuPct: number;
  bpftraceCpuPct: number;
  cpuUsPerEvent: number;
  sourceLost: number;
}

/**
 * Exec storm in a container: the runtime collector with its real eBPF source
 * publishing through the on-disk outbox to NATS, beside an in-kernel bpftrace
 * counter of the same execs (the ceiling). Also the collector's idle cost.
 */
/** How often probe-calls makes each system call. */
const PROBE_CALLS = 2000;
/** BPF program names (the first attach point, 15 characters) of the probes added for the runtime rules. */
const NEWER_PROBES = new Set(['sys_enter_memfd', 'sys_enter_socke', 'sys_enter_symli', 'sys_enter_linka', 'sys_enter_link', 'sys_enter_trunc', 'sys_enter_ptrac']);

export async function runtimeExecStorm(options: ExecStormOptions): Promise<ScenarioResult> {
  const tools = await buildTools();
  const container = await startBenchContainer('storm', tools);
  const nats = await startLocalNats();
  const nc = await connect({ servers: nats.url });
  const outboxDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-bench-rt-outbox-'));
  const counter = new KernelExecCounter();
  let collector: RuntimeCollector | undefined;
  try {
    await ensureStreams(nc);
    // Facts of the storm container as they arrive on NATS, per exe: facts and the events they carry (count).
    const onNats = new Map<string, { facts: number; events: number }>();
    const sub = nc.subscribe('vigil.facts.process_exec.>', {
      callback: (_err, msg) => {
        for (const fact of decodeFactBatch(msg.data).facts) {
          const exec = fact.process_exec;
          if (!exec || exec.container?.id !== container.id) continue;
          const exe = exec.process?.exe ?? '';
          const entry = onNats.get(exe) ?? { facts: 0, events: 0 };
          entry.facts++;
          entry.events += exec.count ?? 0;
          onNats.set(exe, entry);
        }
      },
    });
    const sink = createFactSink({ nc, source: { host: 'bench', collector: 'runtime', version: '0' }, dir: outboxDir });
    // The default bundle's kernel filter, as `vigil up` runs it.
    const filter = kernelFilterOf((await readBundleFile(defaultBundlePath())).manifest);
    // With the host's cgroup index, as the collector runs: the per-cgroup syscall set probe is on.
    const index = await CgroupIndex.locate('/');
    const inner = await selectRuntimeSource({ prefer: 'ebpf', index, ebpf: { filter, ...(options.ringPages ? { ringPages: options.ringPages } : {}) } });
    const source = new CountingSource(inner, container.cgroupId);
    const started = performance.now();
    [collector] = await Promise.all([startRuntimeCollector({ sink, source }), counter.start(container.cgroupId)]);
    const startSeconds = (performance.now() - started) / 1000;
    const bpftracePid = (inner as BpftraceSource).pid;
    if (bpftracePid === undefined) throw new Error('bench: the eBPF source has no bpftrace child');

    // Idle: attached, nothing started on purpose (the host's own activity still flows).
    await sleep(1000);
    const idle0 = { node: selfCpuMs(), bpf: await processCpuMs(bpftracePid), received: source.received, at: performance.now() };
    await sleep(options.idleSeconds * 1000);
    const idleWall = (performance.now() - idle0.at) / 1000;
    const idleNodeMs = selfCpuMs() - idle0.node;
    const idleBpfMs = (await processCpuMs(bpftracePid)) - idle0.bpf;
    const idleEvents = source.received - idle0.received;
    const rssNode = process.memoryUsage().rss;
    const rssBpf = await processRssBytes(bpftracePid);

    const restoreStats = await enableBpfStats();
    const probesBefore = await bpfProgramCosts(bpftracePid);
    const steps: Array<StepResult & { exe: string }> = [];
    for (const rate of options.rates) {
      const label = rate === 0 ? 'max' : String(rate);
      const exe = await tools.trueAs(`t-${label}`);
      const before = { node: selfCpuMs(), bpf: await processCpuMs(bpftracePid), at: performance.now(), lost: collector.stats().sourceLost };
      const storm = JSON.parse(await docker('exec', container.name, tools.storm, String(rate), String(options.stepSeconds), '2', exe)) as {
        execs: number;
        seconds: number;
      };
      // Drained: no new event of this step for 300 ms.
      let last = -1;
      for (let i = 0; i < 100; i++) {
        const now = source.counts.get(exe)?.events ?? 0;
        if (now === last) break;
        last = now;
        await sleep(300);
      }
      const after = { node: selfCpuMs(), bpf: await processCpuMs(bpftracePid), at: performance.now() };
      const seen = source.counts.get(exe);
      const cpuMs = after.node - before.node + (after.bpf - before.bpf);
      steps.push({
        exe,
        offered: rate,
        achieved: storm.execs / storm.seconds,
        kernel: 0,
        seen: seen?.events ?? 0,
        factsPublished: 0,
        eventsInFacts: 0,
        collectorRate: seen && seen.last > seen.first ? (seen.events - 1) / ((seen.last - seen.first) / 1000) : 0,
        // CPU of collector (Node) + its bpftrace per second of storm, and per event.
        cpuPct: ((after.node - before.node) / 10) / storm.seconds,
        bpftraceCpuPct: ((after.bpf - before.bpf) / 10) / storm.seconds,
        cpuUsPerEvent: seen ? (cpuMs * 1000) / seen.events : 0,
        sourceLost: collector.stats().sourceLost - before.lost,
      });
    }
    const probesAfter = await bpfProgramCosts(bpftracePid);
    // The storm's totals (each step waited for its events), before the probe phase below adds its own.
    const stats = collector.stats();
    // The probes the runtime rules added (memfd, AF_PACKET, links, truncate, PTRACE_TRACEME) rarely fire in a
    // storm of execs: each is made to run PROBE_CALLS times on its own, for its cost per run.
    const callsBefore = await bpfProgramCosts(bpftracePid);
    await docker('exec', container.name, tools.probeCalls, String(PROBE_CALLS));
    const callsAfter = await bpfProgramCosts(bpftracePid);
    await restoreStats();
    // Let the aggregation windows close and their count-carrying facts reach NATS.
    await sleep(1500);
    await sink.flush();
    await nc.flush();
    const kernel = await counter.stop();
    await collector.stop();
    collector = undefined;
    await sink.close();
    sub.unsubscribe();
    for (const step of steps) {
      step.kernel = kernel.get(step.exe) ?? 0;
      step.factsPublished = onNats.get(step.exe)?.facts ?? 0;
      step.eventsInFacts = onNats.get(step.exe)?.events ?? 0;
    }

    const metrics: Record<string, number | string> = {
      start_s: round(startSeconds, 2),
      idle_cpu_pct: round(((idleNodeMs + idleBpfMs) / 10) / idleWall, 2),
      idle_node_cpu_pct: round((idleNodeMs / 10) / idleWall, 2),
      idle_bpftrace_cpu_pct: round((idleBpfMs / 10) / idleWall, 2),
      idle_host_events_per_s: round(idleEvents / idleWall, 1),
      idle_rss_node_mib: round(rssNode / 2 ** 20, 1),
      idle_rss_bpftrace_mib: round(rssBpf / 2 ** 20, 1),
    };
    for (const s of steps) {
      const k = s.offered === 0 ? 'max' : `${s.offered / 1000}k`;
      metrics[`storm_${k}_achieved_execs_per_s`] = Math.round(s.achieved);
      metrics[`storm_${k}_kernel_execs`] = s.kernel;
      metrics[`storm_${k}_collector_events`] = s.seen;
      metrics[`storm_${k}_seen_ratio`] = s.kernel ? round(s.seen / s.kernel, 3) : 0;
      metrics[`storm_${k}_events_in_facts_ratio`] = s.kernel ? round(s.eventsInFacts / s.kernel, 3) : 0;
      metrics[`storm_${k}_facts_published`] = s.factsPublished;
      metrics[`storm_${k}_collector_events_per_s`] = Math.round(s.collectorRate);
      metrics[`storm_${k}_node_cpu_pct`] = round(s.cpuPct, 1);
      metrics[`storm_${k}_bpftrace_cpu_pct`] = round(s.bpftraceCpuPct, 1);
      metrics[`storm_${k}_cpu_us_per_event`] = round(s.cpuUsPerEvent, 1);
      metrics[`storm_${k}_kernel_ring_lost`] = s.sourceLost;
    }
    // Kernel side: each BPF program's own run time over all the storm steps, per run and per exec.
    if (probesBefore && probesAfter) {
      const costs = costDelta(probesBefore, probesAfter).filter((p) => p.runs > 0);
      const execs = steps.reduce((n, s) => n + s.kernel, 0);
      const named = new Map<string, number>();
      for (const p of costs.sort((a, b) => b.ns - a.ns)) {
        // Programs on one attach point share a name: number the second and later.
        const seen = (named.get(p.name) ?? 0) + 1;
        named.set(p.name, seen);
        const key = seen === 1 ? p.name : `${p.name}_${seen}`;
        metrics[`probe_${key}_runs`] = p.runs;
        metrics[`probe_${key}_ns_per_run`] = Math.round(p.ns / p.runs);
      }
      metrics.kernel_probes_us_per_exec = execs > 0 ? round(costs.reduce((n, p) => n + p.ns, 0) / 1000 / execs, 3) : 0;
    } else {
      metrics.kernel_probes_us_per_exec = 'bpftool missing';
    }
    if (callsBefore && callsAfter) {
      for (const p of costDelta(callsBefore, callsAfter)) {
        if (NEWER_PROBES.has(p.name) && p.runs > 0) {
          metrics[`new_probe_${p.name}_runs`] = p.runs;
          metrics[`new_probe_${p.name}_ns_per_run`] = Math.round(p.ns / p.runs);
        }
      }
    }
    metrics.dropped = stats.dropped;
    metrics.rate_limited = stats.rateLimited;
    metrics.queue_full = stats.queueFull;
    metrics.source_lost = stats.sourceLost;
    metrics.ring_pages_per_cpu = options.ringPages ?? 'default';
    return {
      scenario: 'runtime collector under an exec storm (eBPF, container)',
      metrics,
      notes: [
        `storm: \`docker exec ${container.name.replace(/\d+-storm$/, '<pid>-storm')} /vigil/storm RATE ${options.stepSeconds} 2 /vigil/t-RATE\` in vigil-test/busybox:1: two generator processes, each vfork+execve of a no-libc static \`true\` (bench/runtime/*.c, gcc -static), one exe path per step; "max" = as fast as the two generators can.`,
        'ceiling: bpftrace counting `sched:sched_process_exec` in the kernel for the container\'s cgroup (`@n[str(args->filename)] = count()`), running at the same time on the same storm.',
        'collector: startRuntimeCollector with the real eBPF source (bpftrace child) → createFactSink (on-disk outbox) → embedded NATS; `collector_events` = exec events the source delivered for the container, `events_in_facts_ratio` = Σ count of the process_exec facts of the container on `vigil.facts.process_exec.>` ÷ kernel execs (identical execs fold into one fact per 1 s window plus one carrying the count).',
        'CPU: node = process.cpuUsage() of the bench process (collector, sink, NATS client and this fact counter); bpftrace = /proc/<pid>/stat of its child; % of one core over the storm\'s seconds; µs/event = both over the events seen. idle: the same, attached, over ' +
          `${options.idleSeconds} s with whatever the shared host runs.`,
`new_probe_*: after the storm, \`/vigil/probe-calls ${PROBE_CALLS}\` (bench/runtime/probe-calls.c) makes memfd_create, socket(AF_PACKET), symlink and link of /etc/shadow, truncate under /var/log and ptrace(PTRACE_TRACEME) ${PROBE_CALLS} times each, paths the default pack watches so each call is also reported; runs and ns per run of those probes' programs over that phase alone.`,
                'probes: the kernel\'s own accounting of each BPF program bpftrace loaded (kernel.bpf_stats_enabled=1 during the storm steps, read with `bpftool prog show`): runs and ns per run over all steps, programs named after their first attach point (15 characters); kernel_probes_us_per_exec = all of it over the kernel execs of the storm (every probe that fired meanwhile, the host\'s own activity included). The collector runs with the host\'s cgroup index, so the per-cgroup syscall set probe (`raw_syscalls:sys_enter`, named sys_enter) is on and fires on every system call of every container; its ns_per_run is the learned profiles\' syscall cost per call.',
        'this VM has 2 cores shared with other work: the generator, the kernel side of the probes, bpftrace and Node compete for them, so the achieved rate is what the box allows, not the offered one.',
      ],
    };
  } finally {
    await collector?.stop().catch(() => undefined);
    await counter.stop().catch(() => undefined);
    await nc.close().catch(() => undefined);
    await nats.stop();
    await container.remove();
    await fs.rm(outboxDir, { recursive: true, force: true });
  }
}
