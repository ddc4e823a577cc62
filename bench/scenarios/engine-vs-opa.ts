import { connect } from '@nats-io/transport-node';
import { jetstream, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { defaultBundlePath, readBundleFile } from '../../engine/src/index.js';
import { ENGINE_CONSUMER, decodeAlert, encodeFactBatch, ensureStreams, streams, subjects, toPolicyInput, unjudgedFacts, type FactInit, type FactKind } from '../../proto/src/index.js';
import { startLocalNats } from '../../test/harness/index.js';
import { mixedFacts, type MixedFact } from '../mix.js';
import { opaBenchPerFact, regoBundleDir, startOpaServer } from '../support/opa-reference.js';
import { busyFraction, coreCount, cpuSeconds, machineTicks, spawnVigil, type VigilProcess } from '../support/processes.js';
import type { ScenarioResult } from '../report.js';
import { loadRawPolicy } from '../support/raw-wasm.js';

const BATCH = 64;
const HOST = 'bench';

/**
 * Issue #6's comparison, one run, same mix of facts (80 % runtime events, 15 %
 * container, 5 % image, from policies/examples) and the same default policy pack:
 *   (a) Vigil end to end: `vigil engine` processes draining a JetStream backlog,
 *       and fact→alert latency at fixed offered loads;
 *   (b) a tight opa-wasm evaluate() loop in this process (the ceiling);
 *   (c) OPA's Go evaluator (`opa bench`);
 *   (d) `opa run --server` over REST from Node;
 *   (e) raw NATS publish→subscribe of the same encoded batches.
 */
export async function engineVsOpa(options: { quick: boolean }): Promise<ScenarioResult> {
  const facts = mixedFacts(options.quick ? 6_000 : 40_000);
  const inputs = facts.map((f) => toPolicyInput(f.fact));
  const notes: string[] = [];

  const raw = await rawWasm(inputs, facts);
  const rego = await regoBundleDir();
  let opaGo: { nsPerFact: number; command: string };
  let rest: number;
  try {
    opaGo = await opaBenchPerFact(rego.dir, inputs.slice(0, 400));
    rest = await opaRest(rego.dir, inputs, facts, options.quick ? 3_000 : 10_000);
  } finally {
    await rego.remove();
  }

  const nats = await startLocalNats();
  const nc = await connect({ servers: nats.url });
  try {
    const jsm = await ensureStreams(nc);
    const batches = batchesOf(facts);
    const natsRaw = await rawNats(nc, batches);
    const one = await drain(nats.url, nc, jsm, batches, facts.length, 1);
    const two = await drain(nats.url, nc, jsm, batches, facts.length, 2);
    const loadMs = options.quick ? 3_000 : 10_000;
    const latencyQuarter = await latencyAtLoad(nats.url, nc, jsm, facts, one.factsPerSecond / 4, loadMs);
    const latency = await latencyAtLoad(nats.url, nc, jsm, facts, one.factsPerSecond / 2, loadMs);
    const latencyThreeQuarters = await latencyAtLoad(nats.url, nc, jsm, facts, (one.factsPerSecond * 3) / 4, loadMs);

    const enginePerCore = one.factsPerCpuSecond;
    notes.push(
      `facts: ${facts.length} from policies/examples (80 % runtime, 15 % container, 5 % image), published as FactBatches of ${BATCH} per kind.`,
      `(a) \`vigil engine --alert-window 0\` child processes (default workers; throttling off so every finding is published) drain a backlog in VIGIL_FACTS; timed from the first publish until the engines' consumer has nothing pending (every fact acked after its verdict and alerts were flushed). Per core = facts per CPU-second of the engine processes (from /proc/<pid>/stat). Latency: facts published every 5 ms at a fixed rate, p50/p99/p999 at ¼, ½ and ¾ of the one-engine drain rate, from publish to the fact's first alert arriving at a subscriber, over ${options.quick ? 3 : 10} s of that load after a ${LATENCY_RAMP_MS / 1000} s ramp on a freshly started engine (*_from_start: every fact, the ramp included).`,
      '(b) one opa-wasm instance in this process, `evaluate(input, "vigil/main/<kind>")` in a loop over the prepared inputs.',
      `(c) \`${opaGo.command}\`: one query evaluating 400 facts of the same mix through \`data.vigil.main[kind]\`; ns/op divided by 400.`,
      '(d) `opa run --server -b <same Rego>`; 16 concurrent keep-alive `fetch` POSTs to /v1/data/vigil/main/<kind> from this process.',
      `(e) core NATS publish of the same encoded batches to a subscriber in this process; facts/s = messages/s × ${BATCH}.`,
      `Machine has ${coreCount()} cores shared by nats-server, the publisher and the engines; two engine processes cannot exceed what is left of them. engine_cpu_us_per_fact_* = engine CPU-seconds per fact judged (flat from one engine to two: the work per fact does not grow with replicas); engine_cores_used_* = engine CPU-seconds per second of the drain; machine_busy_* = fraction of all cores busy during it (/proc/stat): near 1.0 means the drain is CPU-bound and a second engine can only take cores from nats-server and the publisher.`,
      'What bounds the goals this machine misses, with the profiles that show it: [engine-performance.md](engine-performance.md).',
    );
    return {
      scenario: 'engine vs OPA (mixed facts)',
      metrics: {
        mix_facts: facts.length,
        engine_facts_per_s: Math.round(one.factsPerSecond),
        engine_facts_per_cpu_s: Math.round(enginePerCore),
        engine2_facts_per_s: Math.round(two.factsPerSecond),
        two_engines_speedup: round(two.factsPerSecond / one.factsPerSecond),
        engine_cpu_us_per_fact_one: round(1e6 / one.factsPerCpuSecond),
        engine_cpu_us_per_fact_two: round(1e6 / two.factsPerCpuSecond),
        engine_cores_used_one: round(one.engineCores),
        engine_cores_used_two: round(two.engineCores),
        machine_busy_one_engine: round(one.machineBusy),
        machine_busy_two_engines: round(two.machineBusy),
        raw_wasm_evals_per_s: Math.round(raw),
        engine_per_core_to_raw: round(enginePerCore / raw),
        opa_go_evals_per_s: Math.round(1e9 / opaGo.nsPerFact),
        opa_rest_decisions_per_s: Math.round(rest),
        engine_to_rest: round(one.factsPerSecond / rest),
        nats_raw_msgs_per_s: Math.round(natsRaw),
        nats_raw_facts_per_s: Math.round(natsRaw * BATCH),
        offered_half_load_facts_per_s: Math.round(one.factsPerSecond / 2),
        p50_ms_at_quarter_load: round(latencyQuarter.p50),
        p99_ms_at_quarter_load: round(latencyQuarter.p99),
        p999_ms_at_quarter_load: round(latencyQuarter.p999),
        p99_ms_at_quarter_load_from_start: round(latencyQuarter.p99FromStart),
        p50_ms_at_half_load: round(latency.p50),
        p99_ms_at_half_load: round(latency.p99),
        p999_ms_at_half_load: round(latency.p999),
        p99_ms_at_half_load_from_start: round(latency.p99FromStart),
        p50_ms_at_three_quarter_load: round(latencyThreeQuarters.p50),
        p99_ms_at_three_quarter_load: round(latencyThreeQuarters.p99),
        p999_ms_at_three_quarter_load: round(latencyThreeQuarters.p999),
        p99_ms_at_three_quarter_load_from_start: round(latencyThreeQuarters.p99FromStart),
      },
      notes,
    };
  } finally {
    await nc.close();
    await nats.stop();
  }
}

async function rawWasm(inputs: Record<string, unknown>[], facts: MixedFact[]): Promise<number> {
  const bundle = await readBundleFile(defaultBundlePath());
  const policy = await loadRawPolicy(bundle);
  const entrypoints = facts.map((f) => `vigil/main/${f.kind}`);
  for (let i = 0; i < Math.min(1_000, inputs.length); i++) policy.evaluate(inputs[i], entrypoints[i]);
  const start = process.hrtime.bigint();
  for (let i = 0; i < inputs.length; i++) policy.evaluate(inputs[i], entrypoints[i]);
  return inputs.length / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function opaRest(dir: string, inputs: Record<string, unknown>[], facts: MixedFact[], durationMs: number): Promise<number> {
  const server = await startOpaServer(dir);
  try {
    const bodies = inputs.map((input) => JSON.stringify({ input }));
    let next = 0;
    let done = 0;
    const deadline = Date.now() + durationMs;
    const worker = async (): Promise<void> => {
      while (Date.now() < deadline) {
        const i = next++ % bodies.length;
        const response = await fetch(`${server.url}/v1/data/vigil/main/${facts[i]!.kind}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: bodies[i],
        });
        if (!response.ok) throw new Error(`opa server answered ${response.status}: ${await response.text()}`);
        await response.arrayBuffer();
        done++;
      }
    };
    const start = Date.now();
    await Promise.all(Array.from({ length: 16 }, worker));
    return done / ((Date.now() - start) / 1000);
  } finally {
    await server.stop();
  }
}

interface Batch {
  subject: string;
  payload: Uint8Array;
  ids: string[];
}

function batchesOf(facts: MixedFact[]): Batch[] {
  const open = new Map<FactKind, FactInit[]>();
  const out: Batch[] = [];
  const close = (kind: FactKind, list: FactInit[]): void => {
    out.push({ subject: subjects.facts(kind, HOST), payload: encodeFactBatch({ facts: list }), ids: list.map((f) => f.id ?? '') });
  };
  for (const { fact, kind } of facts) {
    const list = open.get(kind) ?? [];
    list.push(fact);
    open.set(kind, list);
    if (list.length === BATCH) {
      close(kind, list);
      open.set(kind, []);
    }
  }
  for (const [kind, list] of open) if (list.length > 0) close(kind, list);
  return out;
}

async function rawNats(nc: NatsConnection, batches: Batch[]): Promise<number> {
  const rounds = Math.max(1, Math.ceil(200_000 / batches.length));
  const total = rounds * batches.length;
  let received = 0;
  const sub = nc.subscribe('bench.raw.>');
  const all = (async () => {
    for await (const _ of sub) if (++received === total) break;
  })();
  await nc.flush();
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    for (const b of batches) nc.publish(`bench.raw.${b.subject}`, b.payload);
    await nc.flush();
  }
  await all;
  return total / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function resetFacts(jsm: JetStreamManager): Promise<void> {
  await jsm.streams.purge(streams.facts.name);
  try {
    await jsm.consumers.delete(streams.facts.name, ENGINE_CONSUMER);
  } catch {
    // not created yet
  }
}

async function startEngines(url: string, jsm: JetStreamManager, count: number): Promise<VigilProcess[]> {
  // Throttling off: every finding becomes a published alert, the engine's most work per fact.
  const engines = Array.from({ length: count }, () => spawnVigil(['engine', '--nats', url, '--alert-window', '0']));
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const info = await jsm.consumers.info(streams.facts.name, ENGINE_CONSUMER);
      if (info.num_waiting >= count) return engines;
    } catch {
      // consumer not created yet
    }
    for (const e of engines) if (e.child.exitCode !== null) throw new Error(`vigil engine exited with ${e.child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`${count} engine(s) did not bind to the consumer within 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitEmpty(jsm: JetStreamManager, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await unjudgedFacts(jsm)) > 0) {
    if (Date.now() > deadline) throw new Error('engines did not drain the fact stream in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function drain(url: string, nc: NatsConnection, jsm: JetStreamManager, batches: Batch[], factCount: number, engineCount: number) {
  await resetFacts(jsm);
  const engines = await startEngines(url, jsm, engineCount);
  try {
    const js = jetstream(nc);
    const cpuBefore = engines.map((e) => cpuSeconds(e.pid));
    const ticksBefore = machineTicks();
    const start = process.hrtime.bigint();
    for (let i = 0; i < batches.length; i += 256) {
      await Promise.all(batches.slice(i, i + 256).map((b) => js.publish(b.subject, b.payload)));
    }
    await waitEmpty(jsm, 600_000);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const machineBusy = busyFraction(ticksBefore, machineTicks());
    const cpu = engines.reduce((sum, e, i) => sum + cpuSeconds(e.pid) - cpuBefore[i]!, 0);
    // Where the machine's CPU went: the engines' share, and the machine's cores busy at all (nats-server and the publisher take the rest).
    return { factsPerSecond: factCount / seconds, factsPerCpuSecond: factCount / cpu, engineCores: cpu / seconds, machineBusy };
  } finally {
    await Promise.all(engines.map((e) => e.stop()));
  }
}

/** Load offered before latencies count, so the figures are the engine's steady state, not its first second. */
const LATENCY_RAMP_MS = 2_000;

async function latencyAtLoad(url: string, nc: NatsConnection, jsm: JetStreamManager, facts: MixedFact[], rate: number, durationMs: number) {
  await resetFacts(jsm);
  const engines = await startEngines(url, jsm, 1);
  const sentAt = new Map<string, number>();
  /** After the ramp, and from the first fact on (engine start-up included). */
  const latencies: number[] = [];
  const all: number[] = [];
  const seen = new Set<string>();
  const timedFrom = new Map<string, boolean>();
  const sub = nc.subscribe(subjects.allAlerts);
  const collecting = (async () => {
    for await (const m of sub) {
      const factId = decodeAlert(m.data).fact_id;
      const sent = sentAt.get(factId);
      if (sent === undefined || seen.has(factId)) continue;
      seen.add(factId);
      const latency = performance.now() - sent;
      all.push(latency);
      if (timedFrom.get(factId)) latencies.push(latency);
    }
  })();
  try {
    await nc.flush();
    const tickMs = 5;
    const perTick = (rate * tickMs) / 1000;
    let owed = 0;
    let next = 0;
    const start = performance.now();
    for (let tick = 0; performance.now() - start < LATENCY_RAMP_MS + durationMs; tick++) {
      const ramp = performance.now() - start < LATENCY_RAMP_MS;
      owed += perTick;
      const due: MixedFact[] = [];
      while (owed >= 1) {
        due.push(facts[next++ % facts.length]!);
        owed -= 1;
      }
      const now = performance.now();
      for (const b of batchesOf(due.map((f, i) => ({ ...f, fact: { ...f.fact, id: `lat-${tick}-${i}` } })))) {
        for (const id of b.ids) {
          sentAt.set(id, now);
          timedFrom.set(id, !ramp);
        }
        nc.publish(b.subject, b.payload);
      }
      const wait = start + (tick + 1) * tickMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await waitEmpty(jsm, 60_000);
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    sub.unsubscribe();
    await collecting;
    await Promise.all(engines.map((e) => e.stop()));
  }
  const quantile = (values: number[], q: number): number => {
    const sorted = [...values].sort((x, y) => x - y);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  };
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), p999: quantile(latencies, 0.999), p99FromStart: quantile(all, 0.99), samples: latencies.length };
}

function round(v: number): number {
  return Number(v.toFixed(3));
}

