import { connect } from '@nats-io/transport-node';
import pino from 'pino';
import { createFactSink } from '../../collectors/src/index.js';
import { defaultBundlePath, PolicyEvaluator, readBundleFile, startEngine } from '../../engine/src/index.js';
import { ensureStreams, toPolicyInput } from '../../proto/src/index.js';
import { startLocalNats } from '../../test/harness/index.js';
import { containerFacts } from '../facts.js';
import type { ScenarioResult } from '../report.js';
import { loadRawPolicy } from '../support/raw-wasm.js';

/**
 * Container facts through the whole engine over NATS (published as a backlog,
 * then drained), beside a tight opa-wasm `evaluate` loop on the same facts and
 * bundle: the loop is the ceiling, the ratio is the cost of everything else.
 */
export async function engineVsWasm(options: { facts: number }): Promise<ScenarioResult> {
  const facts = containerFacts(options.facts);
  const bundle = await readBundleFile(defaultBundlePath());

  // (b) the ceiling: one instance, inputs prepared up front, nothing but evaluate().
  const policy = await loadRawPolicy(bundle);
  const inputs = facts.map((f) => toPolicyInput(f));
  for (let i = 0; i < Math.min(500, inputs.length); i++) policy.evaluate(inputs[i], 'vigil/main/container');
  const rawStart = process.hrtime.bigint();
  for (const input of inputs) policy.evaluate(input, 'vigil/main/container');
  const rawSeconds = Number(process.hrtime.bigint() - rawStart) / 1e9;
  const rawRate = inputs.length / rawSeconds;

  // (a) the engine over NATS: publish the backlog, then time the drain.
  const nats = await startLocalNats();
  const nc = await connect({ servers: nats.url });
  try {
    await ensureStreams(nc);
    const sink = createFactSink({ nc, source: { host: 'bench', collector: 'bench', version: '0' } });
    for (const fact of facts) await sink.publish(fact);
    await sink.flush();

    const evaluator = await PolicyEvaluator.load(bundle);
    const engineStart = process.hrtime.bigint();
    const engine = await startEngine({ nc, evaluator, logger: pino({ level: 'silent' }) });
    // Resolved once every worker has loaded the bundle and warmed up; the drain starts here.
    const engineReady = process.hrtime.bigint();
    // Counted inside the engine: a subscriber in this same process would compete for the CPU
    // and, at these rates, be cut off by the server as a slow consumer.
    while (engine.stats().facts < facts.length) await new Promise((r) => setTimeout(r, 5));
    await nc.flush();
    const engineEnd = process.hrtime.bigint();
    const startSeconds = Number(engineReady - engineStart) / 1e9;
    const engineSeconds = Number(engineEnd - engineStart) / 1e9;
    const stats = engine.stats();
    await engine.stop();
    const engineRate = facts.length / Number(engineEnd - engineReady) * 1e9;
    return {
      scenario: 'engine vs raw opa-wasm (container facts)',
      metrics: {
        facts: facts.length,
        alerts: stats.alerts,
        engine_facts_per_s: Math.round(engineRate),
        engine_start_s: Number(startSeconds.toFixed(2)),
        engine_facts_per_s_from_start: Math.round(facts.length / engineSeconds),
        raw_wasm_evals_per_s: Math.round(rawRate),
        engine_to_raw_ratio: Number((engineRate / rawRate).toFixed(3)),
        raw_wasm_us_per_eval: Number(((rawSeconds / inputs.length) * 1e6).toFixed(1)),
      },
      notes: [
        'engine: facts published first as FactBatches of 256, then one in-process engine (default workers) drains them, until it has evaluated every fact and flushed its verdicts and alerts. engine_facts_per_s is timed from when the engine is ready (its workers loaded and warmed up, engine_start_s); engine_facts_per_s_from_start counts the start-up too. Wall-clock, not per core: the per-core comparison with OPA is the "engine vs OPA" scenario.',
        'raw: one opa-wasm instance, policy inputs prepared up front, `evaluate(input, "vigil/main/container")` in a loop.',
      ],
    };
  } finally {
    await nc.close();
    await nats.stop();
  }
}
