import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import pino from 'pino';
import { defaultBundlePath, readBundleFile, replayFacts } from '../engine/src/index.js';
import { streams, unjudgedFacts, type FactInit } from '../proto/src/index.js';
import type { ReplayReport } from '../engine/src/index.js';
import { readFactFile } from '../cli/src/facts/fact-file.js';
import { createRiskySet, type RiskySet } from './support/risky-containers.js';
import { eventually, spawnEngine, waitForEngines, type EngineProcess } from './support/engine-fleet.js';
import { useLocalNats } from './support/local-nats.js';
import { runVigil, spawnVigil, type VigilProcess } from './support/vigil-process.js';

/**
 * The fact archive and replay, end to end with real parts: the container
 * collector reports real containers, a `vigil engine` judges them, VIGIL_FACTS
 * keeps them, `vigil facts export` writes them to a file, `vigil facts import`
 * publishes them on another server, and `vigil policy replay` compares the
 * shipped bundle with a candidate built from the same policies with one rule
 * removed and one added.
 */

const HOST = `replay-${process.pid}`;
const ADDED_RULE = 'VGL-TST-901';
const REMOVED_RULE = 'VGL-CTR-005';

const ADDED_REGO = `# METADATA
# title: Container has no owner label
# description: Every container should say who owns it (vigil.dev/owner).
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: ${ADDED_RULE}
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: Label the container with vigil.dev/owner.
#   frameworks:
#     house-rules: ["owner-label"]
package vigil.container.owner_label

deny contains msg if {
	c := input.container
	not c.labels["vigil.dev/owner"]
	msg := sprintf("container %s has no vigil.dev/owner label", [c.name])
}
`;

async function factsOf(file: string): Promise<FactInit[]> {
  const facts: FactInit[] = [];
  for await (const { batch } of readFactFile(file)) facts.push(...batch.facts);
  return facts;
}

describe('fact archive and replay', () => {
  const local = useLocalNats({ streams: true });
  const other = useLocalNats({ streams: true });
  let risky: RiskySet;
  let work: string;
  let engine: EngineProcess | undefined;
  let collector: VigilProcess | undefined;
  let candidate: string;

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-replay-'));
    risky = await createRiskySet('replay');
    const policies = path.join(work, 'policies');
    await fs.cp(path.resolve('policies'), policies, { recursive: true });
    await fs.rm(path.join(policies, 'container', 'host_pid.rego'));
    await fs.rm(path.join(policies, 'container', 'host_pid_test.rego'), { force: true });
    await fs.writeFile(path.join(policies, 'container', 'owner_label.rego'), ADDED_REGO);
    candidate = path.join(work, 'candidate.tar.gz');
    const built = await runVigil(['policy', 'build', '--policies', policies, '--output', candidate, '--quiet']);
    if (built.code !== 0) throw new Error(`the candidate bundle does not build:\n${built.stderr}`);
  }, 300_000);

  afterAll(async () => {
    await collector?.stop();
    await engine?.stop();
    await risky?.remove();
    await fs.rm(work, { recursive: true, force: true });
  });

  it('facts - judged container facts stay in VIGIL_FACTS; export writes them, import republishes them once, scan --facts judges the file', async () => {
    engine = spawnEngine(local.nats.url);
    await waitForEngines(await jetstreamManager(local.nc), [engine]);
    collector = spawnVigil(['collect', 'container', '--nats', local.nats.url, '--host', HOST]);
    const file = path.join(work, 'facts.vigil.gz');
    await eventually(
      'every test container in an exported file',
      async () => {
        const exported = await runVigil(['facts', 'export', '--since', '10m', '--kind', 'container', '--host', HOST, '--out', file, '--nats', local.nats.url]);
        if (exported.code !== 0) throw new Error(`facts export failed: ${exported.stderr}`);
        const names = new Set((await factsOf(file)).map((f) => f.container?.name));
        return Object.values(risky.names).every((name) => names.has(name));
      },
      60_000,
    );
    await collector.stop();
    collector = undefined;
    await eventually('the engine to judge every fact', async () => (await unjudgedFacts(await jetstreamManager(local.nc))) === 0, 60_000);
    const finalExport = await runVigil(['facts', 'export', '--since', '10m', '--kind', 'container', '--host', HOST, '--out', file, '--nats', local.nats.url]);
    expect(finalExport.code).toBe(0);
    const facts = await factsOf(file);
    const stored = (await jetstreamManager(local.nc).then((jsm) => jsm.streams.info(streams.facts.name))).state.messages;
    expect(facts.length).toBeGreaterThanOrEqual(Object.keys(risky.names).length);
    expect(stored).toBeGreaterThanOrEqual(Number(/(\d+) fact batches/.exec(finalExport.stderr)?.[1]));
    expect(facts.every((f) => f.source?.host === HOST)).toBe(true);

    const imported = await runVigil(['facts', 'import', file, '--nats', other.nats.url]);
    expect(imported.code).toBe(0);
    const batches = Number(/(\d+) fact batches/.exec(finalExport.stderr)?.[1]);
    expect(imported.stderr).toContain(`${batches} fact batches (${facts.length} facts) published, 0 already held`);
    const again = await runVigil(['facts', 'import', file, '--nats', other.nats.url]);
    expect(again.stderr).toContain(`${batches} fact batches (${facts.length} facts) published, ${batches} already held`);
    const otherInfo = await (await jetstreamManager(other.nc)).streams.info(streams.facts.name);
    expect(otherInfo.state.messages).toBe(batches);

    const scanned = await runVigil(['scan', '--facts', file, '--format', 'json']);
    expect(scanned.code).toBe(0);
    const findings = (JSON.parse(scanned.stdout) as { findings: { rule_id: string; subject: { name: string } }[] }).findings;
    expect(findings.some((f) => f.rule_id === REMOVED_RULE && f.subject.name === risky.names.pid_host)).toBe(true);
    expect(findings.some((f) => f.rule_id === 'VGL-CTR-002' && f.subject.name === risky.names.capadd)).toBe(true);
  }, 240_000);

  it('policy replay - the diff of a candidate that adds one rule and removes another is exactly those two rules, from the archive and from the file alike', async () => {
    const file = path.join(work, 'facts.vigil.gz');
    const facts = await factsOf(file);
    const expectedNew = facts.filter((f) => !f.container?.labels?.['vigil.dev/owner']).length;
    const expectedGone = facts.filter((f) => f.container?.namespaces?.pid?.toLowerCase() === 'host').length;
    expect(expectedGone).toBeGreaterThan(0);
    const jsm = await jetstreamManager(local.nc);
    const alertsBefore = (await jsm.streams.info(streams.alerts.name)).state.messages;

    const fromFile = await runVigil(['policy', 'replay', '--bundle', candidate, '--facts', file, '--format', 'json', '--alert-window', '0']);
    if (fromFile.code !== 1) throw new Error(`policy replay exited with ${fromFile.code}:\n${fromFile.stderr}`);
    const report = JSON.parse(fromFile.stdout) as ReplayReport;
    expect(report.facts).toBe(facts.length);
    expect(report.errors).toBe(0);
    const changed = report.rules.filter((r) => r.new > 0 || r.gone > 0).map((r) => ({ rule: r.rule_id, new: r.new, gone: r.gone }));
    expect(changed).toEqual([
      { rule: ADDED_RULE, new: expectedNew, gone: 0 },
      { rule: REMOVED_RULE, new: 0, gone: expectedGone },
    ]);
    expect({ new: report.new, gone: report.gone }).toEqual({ new: expectedNew, gone: expectedGone });
    expect(report.candidate.findings - report.baseline.findings).toBe(expectedNew - expectedGone);
    // Every rule but the two is the same in both bundles: judged once, on the baseline's side.
    const candidateBundle = await readBundleFile(candidate);
    expect(report.unchangedRules).toBe(candidateBundle.manifest.enabled.length - 1);
    // And judging both bundles in full says exactly the same.
    const replayed = async (shareUnchanged: boolean): Promise<ReplayReport> => {
      async function* messages(): AsyncGenerator<{ subject: string; data: Uint8Array }> {
        for await (const { bytes } of readFactFile(file)) yield { subject: `vigil.facts.container.${HOST}`, data: bytes };
      }
      return replayFacts({ baseline: await readBundleFile(defaultBundlePath()), candidate: candidateBundle, facts: messages(), alertWindowMs: 0, shareUnchanged, logger: pino({ level: 'silent' }) });
    };
    const [shared, full] = [await replayed(true), await replayed(false)];
    expect(full.unchangedRules).toBe(0);
    const outcome = (r: ReplayReport) => ({
      facts: r.facts, errors: r.errors, new: r.new, gone: r.gone, baseline: r.baseline, candidate: r.candidate, hosts: r.hosts, workloads: r.workloads,
      rules: r.rules.map(({ samples: _samples, ...rest }) => rest),
    });
    expect(outcome(shared)).toEqual(outcome(full));
    expect(outcome(shared).rules.length).toBeGreaterThan(2);
    const gone = report.rules.find((r) => r.rule_id === REMOVED_RULE)!;
    expect(gone.samples.gone.some((s) => s.includes(risky.names.pid_host))).toBe(true);
    expect(report.hosts).toEqual([{ key: HOST, new: expectedNew, gone: expectedGone }]);

    const fromArchive = await runVigil([
      'policy', 'replay', '--bundle', candidate, '--baseline', defaultBundlePath(),
      '--since', '10m', '--kind', 'container', '--host', HOST, '--format', 'json', '--alert-window', '0', '--nats', local.nats.url,
    ]);
    expect(fromArchive.code).toBe(1);
    const archived = JSON.parse(fromArchive.stdout) as ReplayReport;
    expect(archived.rules.filter((r) => r.new > 0 || r.gone > 0).map((r) => ({ rule: r.rule_id, new: r.new, gone: r.gone }))).toEqual(changed);

    // --baseline current, the default with --since: the head engines serve under the candidate's name.
    const replayCurrent = (): ReturnType<typeof runVigil> => runVigil([
      'policy', 'replay', '--bundle', candidate, '--since', '10m', '--kind', 'container', '--host', HOST, '--format', 'json', '--alert-window', '0', '--nats', local.nats.url,
    ]);
    const unserved = await replayCurrent();
    expect(unserved.code).toBe(2);
    expect(unserved.stderr).toContain('no bundle is served under the name default');
    expect((await runVigil(['policy', 'push', defaultBundlePath(), '--nats', local.nats.url])).code).toBe(0);
    const current = await replayCurrent();
    expect(current.code).toBe(1);
    const fromCurrent = JSON.parse(current.stdout) as ReplayReport;
    expect(fromCurrent.baseline.revision).toBe(archived.baseline.revision);
    expect(fromCurrent.rules.filter((r) => r.new > 0 || r.gone > 0).map((r) => ({ rule: r.rule_id, new: r.new, gone: r.gone }))).toEqual(changed);

    // Throttled: one alert per rule and container for the window, however often the collector reported it.
    const throttled = await runVigil(['policy', 'replay', '--bundle', candidate, '--facts', file, '--format', 'json', '--alert-window', '600000']);
    const added = (JSON.parse(throttled.stdout) as ReplayReport).rules.find((r) => r.rule_id === ADDED_RULE)!;
    const containers = new Set(facts.filter((f) => !f.container?.labels?.['vigil.dev/owner']).map((f) => f.container?.id)).size;
    expect(added.candidate.findings).toBe(expectedNew);
    expect(added.candidate.alerts).toBeGreaterThanOrEqual(containers);
    expect(added.candidate.alerts).toBeLessThanOrEqual(2 * containers);

    // The same bundle on both sides: no difference, exit 0.
    const same = await runVigil(['policy', 'replay', '--bundle', defaultBundlePath(), '--facts', file]);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('0 new, 0 gone');

    // A replay publishes no alert.
    expect((await jsm.streams.info(streams.alerts.name)).state.messages).toBe(alertsBefore);
  }, 240_000);

  it('facts - a damaged fact file is refused with the record it breaks at, and nothing is published', async () => {
    const file = path.join(work, 'facts.vigil.gz');
    const damaged = path.join(work, 'damaged.vigil.gz');
    const { gunzipSync, gzipSync } = await import('node:zlib');
    const raw = gunzipSync(await fs.readFile(file));
    await fs.writeFile(damaged, gzipSync(raw.subarray(0, raw.length - 3)));
    const before = (await (await jetstreamManager(other.nc)).streams.info(streams.facts.name)).state.messages;
    const result = await runVigil(['scan', '--facts', damaged, '--format', 'json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout).errors[0].error).toMatch(/fact file .*damaged\.vigil\.gz: record \d+ is damaged: truncated/);
    const notGzip = path.join(work, 'plain.txt');
    await fs.writeFile(notGzip, 'not a fact file');
    const imported = await runVigil(['facts', 'import', notGzip, '--nats', other.nats.url]);
    expect(imported.code).toBe(2);
    expect(imported.stderr).toMatch(/VIGIL_ERR|not a gzip fact file/);
    expect((await (await jetstreamManager(other.nc)).streams.info(streams.facts.name)).state.messages).toBe(before);
  }, 60_000);
});
