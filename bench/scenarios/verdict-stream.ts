import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import pino from 'pino';
import { createFactSink } from '../../collectors/src/index.js';
import { defaultBundlePath, PolicyEvaluator, readBundleFile, startEngine } from '../../engine/src/index.js';
import { ensureStreams, unjudgedFacts } from '../../proto/src/index.js';
import { startLocalNats } from '../../test/harness/index.js';
import { mixedFacts } from '../mix.js';
import type { ScenarioResult } from '../report.js';

/**
 * What the verdict stream costs: the same backlog of mixed facts drained by one
 * in-process engine with verdicts on core NATS, then on a fresh server with every
 * verdict stored in VIGIL_VERDICTS before its fact is acked. Timed until the fact
 * consumer has nothing pending, i.e. every fact acked, which is what the verdict stream delays.
 */
export async function verdictStream(options: { facts: number }): Promise<ScenarioResult> {
  const facts = mixedFacts(options.facts).map((f) => f.fact);
  const evaluator = await PolicyEvaluator.load(await readBundleFile(defaultBundlePath()));
  const drain = async (stored: boolean): Promise<number> => {
    const nats = await startLocalNats();
    const nc = await connect({ servers: nats.url });
    try {
      await ensureStreams(nc, { verdicts: stored });
      const jsm = await jetstreamManager(nc);
      const sink = createFactSink({ nc, source: { host: 'bench', collector: 'bench', version: '0' } });
      for (const fact of facts) await sink.publish(fact);
      await sink.flush();
      const engine = await startEngine({ nc, evaluator, logger: pino({ level: 'silent' }), alertThrottle: { windowMs: 0 }, verdictStream: stored });
      const start = process.hrtime.bigint();
      while ((await unjudgedFacts(jsm)) > 0) await new Promise((r) => setTimeout(r, 5));
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      await engine.stop();
      return facts.length / seconds;
    } finally {
      await nc.close();
      await nats.stop();
    }
  };
  const core = await drain(false);
  const stored = await drain(true);
  return {
    scenario: 'verdict stream cost (mixed facts)',
    metrics: {
      verdict_stream_facts: facts.length,
      core_verdicts_facts_per_s: Math.round(core),
      stored_verdicts_facts_per_s: Math.round(stored),
      stored_to_core_ratio: Number((stored / core).toFixed(3)),
    },
    notes: [
      'One in-process engine (default workers, throttling off) drains a backlog of mixed facts, timed from when it is ready until VIGIL_FACTS is empty (every fact acked). core: verdicts are core NATS messages (the default). stored: `--verdict-stream`, every verdict stored in VIGIL_VERDICTS (file storage, one replica) and acked by the server before its fact is acked. Alerts and dead letters are stored with acks in both runs.',
    ],
  };
}
