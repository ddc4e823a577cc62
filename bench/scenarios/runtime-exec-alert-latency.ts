import { connect } from '@nats-io/transport-node';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createFactSink, startRuntimeCollector, type RuntimeCollector } from '../../collectors/src/index.js';
import { defaultBundlePath, kernelFilterOf, PolicyEvaluator, readBundleFile, startEngine, type RunningEngine } from '../../engine/src/index.js';
import { decodeAlert, decodeFactBatch, ensureStreams, subjects } from '../../proto/src/index.js';
import { startLocalNats } from '../../test/harness/index.js';
import type { ScenarioResult } from '../report.js';
import { buildTools, docker, percentile, round, sleep, startBenchContainer } from '../runtime/support.js';

export interface LatencyOptions {
  /** Shells started, one every intervalMs. */
  shells: number;
  intervalMs: number;
  /** Offered exec rate of a background storm in the same container during a second pass (0: no second pass). */
  loadRate: number;
}

/** The rule that judges a shell on a terminal in a container. */
const RULE = 'VGL-RUN-001';

interface Sample {
  execMs: number;
  observedMs?: number;
  factAt?: number;
  factId?: string;
  raisedMs?: number;
  alertAt?: number;
}

/**
 * End to end, as `vigil up` runs it: a shell exec'd on a fresh pty inside a
 * container → eBPF source → enrichment → on-disk outbox → JetStream → engine
 * (compiled bundle) → alert on NATS. Each shell's exec time is taken inside
 * the container just before execve (same host clock), so `docker exec`'s own
 * start-up is not counted.
 */
export async function runtimeExecAlertLatency(options: LatencyOptions): Promise<ScenarioResult> {
  const tools = await buildTools();
  const container = await startBenchContainer('latency', tools);
  const nats = await startLocalNats();
  const nc = await connect({ servers: nats.url });
  const outboxDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-bench-rt-outbox-'));
  let collector: RuntimeCollector | undefined;
  let engine: RunningEngine | undefined;
  try {
    await ensureStreams(nc);
    const byMarker = new Map<string, Sample>();
    const byFact = new Map<string, Sample>();
    nc.subscribe('vigil.facts.process_exec.>', {
      callback: (_err, msg) => {
        const at = Date.now();
        for (const fact of decodeFactBatch(msg.data).facts) {
          const exec = fact.process_exec;
          if (exec?.container?.id !== container.id) continue;
          const sample = byMarker.get(exec.process?.args?.at(-1) ?? '');
          if (!sample || sample.factAt !== undefined) continue;
          sample.factAt = at;
          sample.factId = fact.id ?? '';
          sample.observedMs = Number(fact.observed_at_ms);
          byFact.set(sample.factId, sample);
        }
      },
    });
    nc.subscribe(subjects.allAlerts, {
      callback: (_err, msg) => {
        const at = Date.now();
        const alert = decodeAlert(msg.data);
        if (alert.finding?.rule_id !== RULE) return;
        const sample = byFact.get(alert.fact_id ?? '');
        if (!sample || sample.alertAt !== undefined) return;
        sample.alertAt = at;
        sample.raisedMs = Number(alert.raised_at_ms);
      },
    });
    const bundle = await readBundleFile(defaultBundlePath());
    const evaluator = await PolicyEvaluator.load(bundle);
    // Throttling off: every shell's alert is measured, not one per window.
    engine = await startEngine({ nc, evaluator, logger: pino({ level: 'silent' }), alertThrottle: { windowMs: 0 } });
    const sink = createFactSink({ nc, source: { host: 'bench', collector: 'runtime', version: '0' }, dir: outboxDir });
    collector = await startRuntimeCollector({ sink, kernelFilter: kernelFilterOf(bundle.manifest) });

    const pass = async (tag: string): Promise<{ samples: Sample[]; dockerStartMs: number }> => {
      const marker = `vigil-lat-${process.pid}-${tag}`;
      for (let i = 0; i < options.shells; i++) byMarker.set(`${marker}-${i}`, { execMs: 0 });
      const before = Date.now();
      const out = await docker('exec', container.name, tools.shellOnTty, String(options.intervalMs), String(options.shells), '/bin/sh', marker);
      const samples: Sample[] = [];
      for (const line of out.split('\n')) {
        const [i, us] = line.trim().split(' ');
        const sample = byMarker.get(`${marker}-${i}`);
        if (!sample || !us) continue;
        sample.execMs = Number(us) / 1000;
        samples.push(sample);
      }
      for (let waited = 0; waited < 3000 && samples.some((s) => s.alertAt === undefined); waited += 50) await sleep(50);
      return { samples, dockerStartMs: (samples[0]?.execMs ?? before) - before };
    };

    const quiet = await pass('quiet');
    const metrics: Record<string, number | string> = { shells: options.shells, interval_ms: options.intervalMs, ...summarise('', quiet.samples) };
    metrics.docker_exec_start_ms = round(quiet.dockerStartMs, 1);
    if (options.loadRate > 0) {
      // The same shells while a storm of other execs runs in the container.
      const exe = await tools.trueAs('t-load');
      const seconds = (options.shells * (options.intervalMs + 5)) / 1000 + 2;
      const storm = docker('exec', container.name, tools.storm, String(options.loadRate), String(seconds), '1', exe);
      await sleep(500);
      const loaded = await pass('load');
      const result = JSON.parse(await storm) as { execs: number; seconds: number };
      Object.assign(metrics, summarise(`load_`, loaded.samples));
      metrics.load_execs_per_s = Math.round(result.execs / result.seconds);
    }
    const stats = collector.stats();
    metrics.dropped = stats.dropped;
    return {
      scenario: 'runtime exec → alert latency (eBPF collector, outbox, engine, NATS)',
      metrics,
      notes: [
        `driver: \`docker exec … /vigil/shell-on-tty ${options.intervalMs} ${options.shells} /bin/sh MARKER\` (bench/runtime/shell-on-tty.c): each shell gets a fresh pty as controlling terminal, so ${RULE} (terminal shell in a container) fires; its exec time is read in the child just before execve (CLOCK_REALTIME, shared with the host).`,
        'pipeline as `vigil up` assembles it, in one process: startRuntimeCollector (eBPF) → createFactSink (on-disk outbox, JetStream acks) → embedded nats-server → startEngine with dist/policies/bundle.tar.gz → alert on `vigil.alerts.>`; the bench subscribes to facts and alerts in the same process.',
        'stages: exec→observed = the fact\'s observed_at_ms (when the collector parsed bpftrace\'s line) − exec time; observed→fact = fact seen on NATS (stored in JetStream) − observed; fact→alert = alert received − fact seen; total = alert received − exec time.',
        options.loadRate > 0
          ? `load_*: the same shells while /vigil/storm offers ${options.loadRate} execs/s of \`true\` in the same container.`
          : 'no loaded pass.',
        'docker_exec_start_ms: from calling `docker exec` to the first shell\'s exec — what end-to-end tests that time from `docker exec` also count.',
      ],
    };
  } finally {
    await engine?.stop().catch(() => undefined);
    await collector?.stop().catch(() => undefined);
    await nc.close().catch(() => undefined);
    await nats.stop();
    await container.remove();
    await fs.rm(outboxDir, { recursive: true, force: true });
  }
}

function summarise(prefix: string, samples: Sample[]): Record<string, number> {
  const done = samples.filter((s) => s.alertAt !== undefined && s.factAt !== undefined && s.observedMs !== undefined);
  const total = done.map((s) => s.alertAt! - s.execMs);
  const observed = done.map((s) => s.observedMs! - s.execMs);
  const fact = done.map((s) => s.factAt! - s.observedMs!);
  const alert = done.map((s) => s.alertAt! - s.factAt!);
  return {
    [`${prefix}alerts`]: done.length,
    [`${prefix}missing_alerts`]: samples.length - done.length,
    [`${prefix}p50_ms`]: round(percentile(total, 50)),
    [`${prefix}p99_ms`]: round(percentile(total, 99)),
    [`${prefix}max_ms`]: round(Math.max(...total)),
    [`${prefix}exec_to_observed_p50_ms`]: round(percentile(observed, 50)),
    [`${prefix}exec_to_observed_p99_ms`]: round(percentile(observed, 99)),
    [`${prefix}observed_to_fact_p50_ms`]: round(percentile(fact, 50)),
    [`${prefix}observed_to_fact_p99_ms`]: round(percentile(fact, 99)),
    [`${prefix}fact_to_alert_p50_ms`]: round(percentile(alert, 50)),
    [`${prefix}fact_to_alert_p99_ms`]: round(percentile(alert, 99)),
  };
}
