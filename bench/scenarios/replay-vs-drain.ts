import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import pino from 'pino';
import { createFactSink } from '../../collectors/src/index.js';
import { buildBundle, defaultBundlePath, packageRoot, PolicyEvaluator, readBundleFile, replayFacts, startEngine, type Bundle } from '../../engine/src/index.js';
import { ensureStreams, streams, unjudgedFacts } from '../../proto/src/index.js';
import { startLocalNats } from '../../test/harness/index.js';
import { readArchive } from '../../cli/src/facts/archive.js';
import { mixedFacts } from '../mix.js';
import type { ScenarioResult } from '../report.js';

const OWNER_RULE = `# METADATA
# title: Container without an owner label
# scope: package
# custom:
#   id: VGL-BENCH-001
#   kind: container
#   severity: LOW
#   maturity: stable
#   recommended_action: Label it.
#   frameworks:
#     house-rules: ["owner-label"]
package vigil.container.bench_owner_label

deny contains "no owner label" if not input.container.labels["vigil.dev/owner"]
`;

/** The shipped policies with one rule removed and one added, as a candidate a policy change makes. */
async function oneRuleChanged(): Promise<Bundle> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-bench-candidate-'));
  try {
    const policies = path.join(dir, 'policies');
    await fs.cp(path.join(packageRoot(), 'policies'), policies, { recursive: true });
    await fs.rm(path.join(policies, 'container', 'host_pid.rego'));
    await fs.writeFile(path.join(policies, 'container', 'bench_owner_label.rego'), OWNER_RULE);
    const outFile = path.join(dir, 'candidate.tar.gz');
    await buildBundle({ policyDir: policies, outFile });
    return await readBundleFile(outFile);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Replay beside the drain it must keep up with, on one server in one run: a
 * backlog of mixed facts drained by an in-process engine, then the same facts
 * read back from VIGIL_FACTS and replayed three ways: the shipped bundle on
 * both sides, a candidate with one rule removed and one added, and that
 * candidate with every rule judged on both sides (no sharing of the rules the
 * two have unchanged). Also what the archive costs on disk.
 */
export async function replayVsDrain(options: { facts: number }): Promise<ScenarioResult> {
  const facts = mixedFacts(options.facts).map((f) => f.fact);
  const bundle = await readBundleFile(defaultBundlePath());
  const candidate = await oneRuleChanged();
  const logger = pino({ level: 'silent' });
  const nats = await startLocalNats();
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

    const replay = (against: Bundle, shareUnchanged = true) =>
      replayFacts({ baseline: bundle, candidate: against, facts: readArchive(nc, { sinceMs: 0, untilMs: Date.now() }), logger, alertWindowMs: 0, shareUnchanged });
    const same = await replay(bundle);
    if (same.facts !== facts.length || same.new !== 0 || same.gone !== 0) {
      throw new Error(`replay of the same bundle judged ${same.facts} of ${facts.length} facts with ${same.new} new and ${same.gone} gone findings`);
    }
    const changed = await replay(candidate);
    const full = await replay(candidate, false);
    if (changed.new !== full.new || changed.gone !== full.gone || changed.candidate.findings !== full.candidate.findings) {
      throw new Error(`sharing unchanged rules changed the diff: ${changed.new}/${changed.gone} against ${full.new}/${full.gone}`);
    }
    const drainRate = facts.length / drainSeconds;
    const ratio = (r: { factsPerSecond: number }): number => Number((r.factsPerSecond / drainRate).toFixed(2));
    return {
      scenario: 'replay vs engine drain (mixed facts)',
      metrics: {
        replay_facts: facts.length,
        engine_drain_facts_per_s: Math.round(drainRate),
        replay_same_bundle_facts_per_s: Math.round(same.factsPerSecond),
        replay_one_rule_changed_facts_per_s: Math.round(changed.factsPerSecond),
        replay_one_rule_changed_unshared_facts_per_s: Math.round(full.factsPerSecond),
        replay_same_bundle_to_drain_ratio: ratio(same),
        replay_one_rule_changed_to_drain_ratio: ratio(changed),
        replay_unshared_to_drain_ratio: ratio(full),
        unchanged_rules: changed.unchangedRules,
        archive_bytes_per_fact: Math.round(stored.bytes / facts.length),
        archive_mib_per_million_facts: Math.round((stored.bytes / facts.length) * 1e6 / 2 ** 20),
      },
      notes: [
        'drain: one in-process engine (default workers, throttling off) judges a backlog of mixed facts (FactBatches as the fact sink batches them), timed until its consumer has nothing pending. replay: `replayFacts`, in one pool of one worker per usable core, reading the same facts back from VIGIL_FACTS with an ordered consumer: the shipped bundle on both sides (must find no difference), then a candidate built from the shipped policies less VGL-CTR-005 (host_pid) plus one owner-label rule, with the rules both have unchanged (same digest) judged once for both sides, and the same candidate with every rule judged on both sides (the diff must be the same). Archive: VIGIL_FACTS\' stored bytes (file storage, no compression) ÷ facts.',
      ],
    };
  } finally {
    await nc.close();
    await nats.stop();
  }
}
