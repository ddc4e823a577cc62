import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import pino from 'pino';
import { createFactSink } from '../../collectors/src/index.js';
import { defaultBundlePath, PolicyEvaluator, readBundleFile, replayFacts, startEngine } from '../../engine/src/index.js';
import { ensureStreams, streams, unjudgedFacts } from '../../proto/src/index.js';
import { startEmbeddedNats } from '../../cli/src/embedded-nats.js';
import { readArchive } from '../../cli/src/facts/archive.js';
import { mixedFacts } from '../mix.js';
import type { ScenarioResult } from '../report.js';

/**
 * Replay beside the drain it must keep up with, on one server in one run: a
 * backlog of mixed facts drained by an in-process engine, then the same facts
 * read back from VIGIL_FACTS and replayed with the shipped bundle on both sides.
 * Also what the archive costs on disk.
 */
export async function replayVsDrain(options: { facts: number }): Promise<ScenarioResult> {
  const facts = mixedFacts(options.facts).map((f) => f.fact);
  const bundle = await readBundleFile(defaultBundlePath());
  const logger = pino({ level: 'silent' });
  const nats = await startEmbeddedNats();
  const nc = await connect({ servers: nats.url });
  try {
    await ensureStreams(nc);
    const jsm = await jetstreamManager(nc);
    const sink = createFactSink({ nc, source: { host: 'bench', collector: 'bench', version: '0' } });
    for (const fact of facts) await sink.publish(fact);
    await sink.flush();
    const stored = (await jsm.streams.info(streams.facts.name)).state;

    const engine = await startEngine({ nc, evaluator: await PolicyEvaluator.load(bundle), logger, alertThrottle: { windowMs: 0 } });
    const drainStart = process.hrtime.bigint();
    while ((await unjudgedFacts(jsm)) > 0) await new Promise((r) => setTimeout(r, 5));
    const drainSeconds = Number(process.hrtime.bigint() - drainStart) / 1e9;
    await engine.stop();

    const report = await replayFacts({ baseline: bundle, candidate: bundle, facts: readArchive(nc, { sinceMs: 0, untilMs: Date.now() }), logger, alertWindowMs: 0 });
    if (report.facts !== facts.length || report.new !== 0 || report.gone !== 0) {
      throw new Error(`replay of the same bundle judged ${report.facts} of ${facts.length} facts with ${report.new} new and ${report.gone} gone findings`);
    }
    const drainRate = facts.length / drainSeconds;
    return {
      scenario: 'replay vs engine drain (mixed facts)',
      metrics: {
        replay_facts: facts.length,
        engine_drain_facts_per_s: Math.round(drainRate),
        replay_facts_per_s: Math.round(report.factsPerSecond),
        replay_to_drain_ratio: Number((report.factsPerSecond / drainRate).toFixed(2)),
        archive_bytes_per_fact: Math.round(stored.bytes / facts.length),
        archive_mib_per_million_facts: Math.round((stored.bytes / facts.length) * 1e6 / 2 ** 20),
      },
      notes: [
        'drain: one in-process engine (default workers, throttling off) judges a backlog of mixed facts (FactBatches as the fact sink batches them), timed until its consumer has nothing pending. replay: `replayFacts` with the shipped bundle as baseline and candidate (every fact judged twice, in one pool of one worker per usable core), reading the same facts back from VIGIL_FACTS with an ordered consumer; it must find no difference. Archive: VIGIL_FACTS\' stored bytes (file storage, no compression) ÷ facts.',
      ],
    };
  } finally {
    await nc.close();
    await nats.stop();
  }
}
