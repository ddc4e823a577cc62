import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import pino from 'pino';
import { createFactSink } from '../../collectors/src/index.js';
import { defaultBundlePath, PolicyEvaluator, PROFILE_BUCKET, ProfileStore, readBundleFile, startEngineService, type Profile } from '../../engine/src/index.js';
import { ensureStreams, type FactInit } from '../../proto/src/index.js';
import { startLocalNats } from '../../test/harness/index.js';
import type { ScenarioResult } from '../report.js';

const WORKLOAD = 'image:shop/search';
const REPLICAS = 50;
const HOSTS = 10;
/** Share of the execs in the drift mode's stream that run an executable the profile never saw. */
const OFF_PROFILE = 0.01;
const EXES = ['/usr/bin/search', '/bin/sh', '/usr/bin/indexer', '/usr/bin/healthcheck', '/bin/gzip', '/usr/bin/stat'];

/**
 * What learned profiles cost the engine per runtime event: the same kind of
 * stream of distinct runtime events judged three times in one run, by an
 * engine without profiles, by one learning them, and by one judging drift
 * against the learned (enforcing) profile. One workload with 50 replicas on
 * 10 hosts, so the profile's size and the KV traffic are those of a real
 * scaled-out service.
 */
export async function profileCost(options: { events: number; rounds: number }): Promise<ScenarioResult> {
  const bundle = await readBundleFile(defaultBundlePath());
  const nats = await startLocalNats();
  const nc = await connect({ servers: nats.url });
  try {
    await ensureStreams(nc);
    const store = await ProfileStore.open(nc);
    const kv = { puts: 0, bytes: 0 };
    const kvSub = nc.subscribe(`$KV.${PROFILE_BUCKET}.>`, {
      callback: (_err, msg) => {
        kv.puts++;
        kv.bytes += msg.data.length;
      },
    });

    // Warm the process (JIT, first bundle load) so the first measured mode is not the slow one.
    await judge(nc, bundle, runtimeFacts(Math.min(2_000, options.events), 9), undefined);
    // Rounds of the four modes interleaved. Each round's ratios pair modes run
    // seconds apart, so a slow stretch of the box weighs on both sides; the
    // median round is the figure, the spread shows the noise.
    const rounds: Array<Record<Mode, ModeResult>> = [];
    let learnedKv = { puts: 0, bytes: 0 };
    let learned: Profile | undefined;
    for (let round = 0; round < options.rounds; round++) {
      const workload = `${WORKLOAD}-${round}`;
      const none = await judge(nc, bundle, runtimeFacts(options.events, 10 * round + 1, workload), undefined);
      const kvBefore = { ...kv };
      const learning = await judge(nc, bundle, runtimeFacts(options.events, 10 * round + 2, workload), { learnWindowMs: 24 * 3600_000 });
      await nc.flush();
      learnedKv = { puts: kv.puts - kvBefore.puts, bytes: kv.bytes - kvBefore.bytes };
      learned = (await store.get(workload))?.profile;
      if (!learned) throw new Error(`bench: no profile of ${workload} was learned`);
      await store.update(workload, (p) => (p ? { ...p, state: 'enforcing', enforcing_since_ms: Date.now() } : undefined));
      const noneOff = await judge(nc, bundle, runtimeFacts(options.events, 10 * round + 4, workload, OFF_PROFILE), undefined);
      const drift = await judge(nc, bundle, runtimeFacts(options.events, 10 * round + 3, workload, OFF_PROFILE), { learnWindowMs: 24 * 3600_000 });
      rounds.push({ none, learning, noneOff, drift });
    }
    const median = (values: number[]): number => {
      const sorted = [...values].sort((a, b) => a - b);
      const mid = sorted.length >> 1;
      return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    };
    const us = (mode: Mode): number => median(rounds.map((r) => r[mode].cpuUsPerEvent));
    const learningRatios = rounds.map((r) => r.learning.cpuUsPerEvent / r.none.cpuUsPerEvent);
    const driftRatios = rounds.map((r) => r.drift.cpuUsPerEvent / r.noneOff.cpuUsPerEvent);
    const spread = (ratios: number[]): string => `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
    const last = rounds[rounds.length - 1]!;
    const profileJsonBytes = Buffer.byteLength(JSON.stringify(learned));
    kvSub.unsubscribe();

    const items = Object.fromEntries(Object.entries(learned!.items).map(([c, v]) => [c, Object.keys(v).length]));
    const round = (n: number, d = 1): number => Number(n.toFixed(d));
    return {
      scenario: 'learned profiles: per-event cost of learning and drift judgement',
      metrics: {
        events_per_mode: options.events,
        rounds: options.rounds,
        none_us_per_event: round(us('none')),
        learning_us_per_event: round(us('learning')),
        drift_us_per_event: round(us('drift')),
        none_with_off_profile_us_per_event: round(us('noneOff')),
        learning_vs_none: round(median(learningRatios), 3),
        learning_vs_none_rounds: spread(learningRatios),
        drift_vs_none: round(median(driftRatios), 3),
        drift_vs_none_rounds: spread(driftRatios),
        none_events_per_s: Math.round(median(rounds.map((r) => r.none.rate))),
        learning_events_per_s: Math.round(median(rounds.map((r) => r.learning.rate))),
        drift_events_per_s: Math.round(median(rounds.map((r) => r.drift.rate))),
        none_with_off_profile_alerts: last.noneOff.alerts,
        drift_alerts: last.drift.alerts,
        drift_events_off_profile: Math.round(options.events * OFF_PROFILE),
        replicas: REPLICAS,
        hosts: HOSTS,
        profile_items: Object.values(items).reduce((a, b) => a + b, 0),
        profile_items_by_category: Object.entries(items).map(([c, n]) => `${c} ${n}`).join(', '),
        profile_json_bytes: profileJsonBytes,
        learning_kv_writes: learnedKv.puts,
        learning_kv_bytes: learnedKv.bytes,
        learning_kv_writes_per_1k_events: round((learnedKv.puts / options.events) * 1000, 2),
        learning_seconds: round(median(rounds.map((r) => r.learning.seconds)), 2),
      },
      notes: [
        `events: distinct runtime facts of one workload (${WORKLOAD}), ${REPLICAS} replicas on ${HOSTS} hosts: 50 % process_exec (6 executables, unique pids and args), 30 % file_access (reads of 20 index shards, writes of unique /tmp/search-N names, which the profile folds into one pattern), 20 % network_connection (outbound to the database with unique local ports, the listening port). Each mode gets its own stream, published first as a backlog, then drained by a fresh in-process engine service (default workers, default bundle). ${options.rounds} rounds of none → learning → none_with_off_profile → drift (a new workload each round); µs/event is each mode's median round, and each ratio is the median of the per-round ratios (the rounds' range beside it).`,
        'modes: none = no profiles; learning = `--learn` with a window that does not end during the run (observations folded into the vigil-profiles KV), compared with none; drift = the learned profile locked (enforcing, so data.vigil.profiles holds it and the seven drift rules judge every event) on a stream where 1 % of the execs run an executable the profile never saw (each also fires the pack\'s other rules for a binary run from /tmp), compared with the same kind of stream judged without profiles (none_with_off_profile).',
        'µs/event = process.cpuUsage() of the bench process (engine, its worker threads, the NATS client) over the drain ÷ events; the NATS server is another process and not counted. Ratios against `none` from the same run.',
        'KV: every message on $KV.vigil-profiles.> during the learning mode (each is one compare-and-set of one whole profile) and its bytes; profile_json_bytes is the stored profile after learning.',
      ],
    };
  } finally {
    await nc.close();
    await nats.stop();
  }
}

type Mode = 'none' | 'learning' | 'noneOff' | 'drift';

interface ModeResult {
  cpuUsPerEvent: number;
  rate: number;
  seconds: number;
  alerts: number;
}

async function judge(nc: NatsConnection, bundle: Awaited<ReturnType<typeof readBundleFile>>, facts: FactInit[], profiles: { learnWindowMs: number } | undefined): Promise<ModeResult> {
  const sink = createFactSink({ nc, source: { host: 'bench', collector: 'runtime', version: '0' } });
  for (const fact of facts) await sink.publish(fact);
  await sink.flush();
  const evaluator = await PolicyEvaluator.load(bundle);
  const service = await startEngineService({ nc, evaluator, logger: pino({ level: 'silent' }), ...(profiles ? { profiles: { ...profiles, flushMs: 1000 } } : {}) });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (service.engine.stats().facts < facts.length) await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const alerts = service.engine.stats().alerts;
  // Stopping flushes what the learner still holds.
  await service.stop();
  return { cpuUsPerEvent: (cpu.user + cpu.system) / facts.length, rate: facts.length / seconds, seconds, alerts };
}

/** Distinct runtime facts of the workload; `offProfile` of the execs run an executable no replica ran before. */
export function runtimeFacts(count: number, stream: number, workload = WORKLOAD, offProfile = 0): FactInit[] {
  const facts: FactInit[] = [];
  const offEvery = offProfile > 0 ? Math.round(1 / offProfile) : 0;
  for (let i = 0; i < count; i++) {
    const r = (i * 7) % REPLICAS;
    const container = {
      id: `${stream.toString(16)}${r.toString(16).padStart(3, '0')}`.padEnd(64, 'a'),
      name: `search-${r}`,
      image: 'shop/search:2.1',
      image_id: `sha256:${'5'.repeat(64)}`,
      runtime: 'runc',
      host: false,
      workload,
    };
    const source = { host: `node-${r % HOSTS}`, collector: 'runtime', version: '0' };
    const pid = 1000 + stream * 1_000_000 + i;
    const base = { id: `pc-${stream}-${i}`, source, observed_at_ms: Date.now(), sequence: i };
    const slot = i % 10;
    if (slot < 5) {
      const off = offEvery > 0 && i % offEvery === 0;
      const exe = off ? `/tmp/dropped-${stream}-${i}` : EXES[i % EXES.length]!;
      facts.push({
        ...base,
        process_exec: {
          container,
          source: 'ebpf',
          count: 1,
          process: {
            pid,
            ppid: 1,
            uid: 1000,
            gid: 1000,
            euid: 1000,
            comm: exe.slice(exe.lastIndexOf('/') + 1, exe.lastIndexOf('/') + 16),
            exe,
            args: [exe, '--shard', String(i % 20), `--request=${stream}-${i}`],
            cwd: '/srv',
            tty: false,
            capabilities: [],
            ancestry: [{ pid: 1, comm: 'search', exe: '/usr/bin/search' }],
            stdio: ['null', 'pipe', 'pipe'],
            exe_in_image: !off,
            exe_known: !off,
          },
        },
      });
    } else if (slot < 8) {
      const write = slot === 7;
      facts.push({
        ...base,
        file_access: {
          container,
          source: 'ebpf',
          count: 1,
          path: write ? `/tmp/search-${stream}-${i}` : `/srv/index/shard-${i % 20}.idx`,
          read: !write,
          write,
          process: { pid, ppid: 1, uid: 1000, gid: 1000, euid: 1000, comm: 'search', exe: '/usr/bin/search', args: ['/usr/bin/search'], cwd: '/srv', tty: false, capabilities: [], ancestry: [], stdio: [], exe_in_image: true, exe_known: true },
        },
      });
    } else {
      const listen = slot === 9 && i % 20 === 9;
      facts.push({
        ...base,
        network_connection: {
          container,
          source: 'ebpf',
          count: 1,
          protocol: 'tcp',
          direction: listen ? 'listen' : 'outbound',
          family: 'inet',
          local_address: '172.18.0.5',
          local_port: listen ? 8080 : 30_000 + (i % 30_000),
          remote_address: listen ? '' : '10.0.3.5',
          remote_port: listen ? 0 : 5432,
          process: { pid, ppid: 1, uid: 1000, gid: 1000, euid: 1000, comm: 'search', exe: '/usr/bin/search', args: ['/usr/bin/search'], cwd: '/srv', tty: false, capabilities: [], ancestry: [], stdio: [], exe_in_image: true, exe_known: true },
        },
      });
    }
  }
  return facts;
}
