import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Subscription } from '@nats-io/nats-core';
import { decodeAlert, decodeVerdict, subjects, v1, type Alert } from '../proto/src/index.js';
import { defaultBundlePath } from '../engine/src/index.js';
import { loadExamples, type MixedFact } from '../bench/mix.js';
import { eventually, publishFacts, readStream, VERDICT_STREAM } from './support/engine-fleet.js';
import { useLocalNats } from './support/local-nats.js';
import { runVigil, spawnVigil, type VigilProcess } from './support/vigil-process.js';

/**
 * Shadow bundles with real parts: a `vigil engine` following the bundle store
 * serves the shipped bundle while `vigil policy push --shadow` makes it judge
 * every fact with a candidate too (one rule removed, one added). The candidate's
 * findings appear on vigil.shadow.default.> only, /metrics counts what is new
 * and gone, and `vigil policy promote` / `rollback` move the served set.
 */

const HOST = `shadow-${process.pid}`;
const ADDED_RULE = 'VGL-TST-902';
const REMOVED_RULE = 'VGL-CTR-005';

const ruleFile = (id: string, title: string, pkg: string, body: string): string => `# METADATA
# title: ${title}
# description: A rule of the shadow test.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: ${id}
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: None; a test rule.
#   frameworks:
#     house-rules: ["test"]
package vigil.container.${pkg}

${body}
`;

const OWNER_RULE = ruleFile(
  ADDED_RULE,
  'Container has no owner label',
  'owner_label',
  `deny contains msg if {
	c := input.container
	not c.labels["vigil.dev/owner"]
	msg := sprintf("container %s has no vigil.dev/owner label", [c.name])
}`,
);

// About 10^9 steps of WASM per container fact: far past any evaluation deadline.
const SLOW_RULE = ruleFile(
  'VGL-TST-903',
  'Slow rule',
  'slow_rule',
  `deny contains msg if {
	input.container
	every i in numbers.range(1, 40000) {
		every j in numbers.range(1, 40000) {
			i + j > 1
		}
	}
	msg := "never in time"
}`,
);

/** Container facts from the shipped examples, each with its own id and name. */
function containerFacts(count: number, tag: string): MixedFact[] {
  const examples = loadExamples('container');
  return Array.from({ length: count }, (_, i) => {
    const template = examples[i % examples.length]!;
    const input = template.input as unknown as { container: Record<string, unknown> };
    const fact = v1.Fact.fromObject({
      ...template.input,
      id: `${tag}-${i}`,
      sequence: i,
      source: { host: HOST, collector: 'container' },
      container: { ...input.container, id: `${tag}-${i}`.padEnd(64, '0'), name: `${tag}-${i}` },
    });
    return { fact, kind: 'container' as const, template: template.file };
  });
}

/** What each example says the shipped rules find in it (the examples' own expectations). */
async function expectedRules(): Promise<Map<string, Set<string>>> {
  const dir = path.resolve('policies', 'examples', 'container');
  const byFile = new Map<string, Set<string>>();
  for (const file of (await fs.readdir(dir)).filter((f) => f.endsWith('.json'))) {
    const { expect: expected = [] } = JSON.parse(await fs.readFile(path.join(dir, file), 'utf8')) as { expect?: (string | { rule_id: string })[] };
    byFile.set(file, new Set(expected.map((e) => (typeof e === 'string' ? e : e.rule_id))));
  }
  return byFile;
}

const hasOwner = (f: MixedFact): boolean => Boolean(f.fact.container?.labels?.['vigil.dev/owner']);

async function metricsOf(port: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(vigil_shadow_\w+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) values.set(match[1]!, Number(match[2]));
  }
  return values;
}

async function buildCandidate(work: string, name: string, edit: (policies: string) => Promise<void>): Promise<string> {
  const policies = path.join(work, `${name}-policies`);
  await fs.cp(path.resolve('policies'), policies, { recursive: true });
  await edit(policies);
  const out = path.join(work, `${name}.tar.gz`);
  const built = await runVigil(['policy', 'build', '--policies', policies, '--output', out, '--quiet']);
  if (built.code !== 0) throw new Error(`the ${name} bundle does not build:\n${built.stderr}`);
  return out;
}

/** Waits for the engine's log to show `pattern` at least `times` times. */
async function logged(engine: VigilProcess, pattern: RegExp, what: string, times = 1): Promise<void> {
  const global = new RegExp(pattern.source, 'g');
  await eventually(what, async () => {
    if (engine.child.exitCode !== null) throw new Error(`vigil engine exited with ${engine.child.exitCode}:\n${engine.stderr()}`);
    return (engine.stderr().match(global)?.length ?? 0) >= times;
  }, 60_000).catch((error: Error) => {
    throw new Error(`${error.message}\n${engine.stderr().slice(-3000)}`);
  });
}

describe('shadow bundles', () => {
  const local = useLocalNats({ streams: true });
  let work: string;
  let candidate: string;
  let slow: string;
  const engines: VigilProcess[] = [];
  const served: Alert[] = [];
  const shadowed: { subject: string; alert: Alert }[] = [];
  const subscriptions: Subscription[] = [];

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-shadow-'));
    candidate = await buildCandidate(work, 'candidate', async (policies) => {
      await fs.rm(path.join(policies, 'container', 'host_pid.rego'));
      await fs.rm(path.join(policies, 'container', 'host_pid_test.rego'), { force: true });
      await fs.writeFile(path.join(policies, 'container', 'owner_label.rego'), OWNER_RULE);
    });
    slow = await buildCandidate(work, 'slow', (policies) => fs.writeFile(path.join(policies, 'container', 'slow_rule.rego'), SLOW_RULE));
    subscriptions.push(local.nc.subscribe(subjects.allAlerts, { callback: (_e, m) => void served.push(decodeAlert(m.data)) }));
    subscriptions.push(local.nc.subscribe(subjects.allShadow, { callback: (_e, m) => void shadowed.push({ subject: m.subject, alert: decodeAlert(m.data) }) }));
  }, 300_000);

  afterAll(async () => {
    for (const s of subscriptions) s.unsubscribe();
    await Promise.all(engines.map((e) => e.stop()));
    await fs.rm(work, { recursive: true, force: true });
  });

  const startEngine = async (env: Record<string, string> = {}): Promise<{ engine: VigilProcess; port: number }> => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    const engine = spawnVigil(['engine', '--nats', local.nats.url, '--follow-bundle', 'default', '--metrics-port', '0', '--alert-window', '0', '--verdict-stream']);
    process.env = saved;
    engines.push(engine);
    await logged(engine, /ops endpoint/, 'the ops endpoint');
    const port = Number(/"port":(\d+)[^\n]*ops endpoint/.exec(engine.stderr())?.[1]);
    await logged(engine, /engine started/, 'the engine to start');
    return { engine, port };
  };

  it('shadow - a candidate judges every fact beside the served set under load: its findings on shadow subjects only, new and gone exact in /metrics; promote serves it, rollback undoes it', async () => {
    const pushedHead = await runVigil(['policy', 'push', defaultBundlePath(), '--nats', local.nats.url]);
    expect(pushedHead.code).toBe(0);
    const { engine, port } = await startEngine();
    const pushed = await runVigil(['policy', 'push', '--shadow', candidate, '--nats', local.nats.url]);
    if (pushed.code !== 0) throw new Error(`push --shadow failed:\n${pushed.stderr}`);
    expect(pushed.stdout).toContain('vigil.shadow.default.>');
    await logged(engine, /shadow started/, 'the shadow to start');
    const listed = await runVigil(['policy', 'shadow', '--nats', local.nats.url]);
    expect(listed.stdout).toMatch(/^default: shadow revision /m);

    const facts = containerFacts(3_000, `load-${process.pid}`);
    const expected = await expectedRules();
    const gone = facts.filter((f) => expected.get(path.basename(f.template ?? ''))?.has(REMOVED_RULE)).length;
    const added = facts.filter((f) => !hasOwner(f)).length;
    expect(gone).toBeGreaterThan(0);
    await publishFacts(local.nc, facts, { size: 25, host: HOST });

    const shadowFacts = `vigil_shadow_facts_total{bundle="default"}`;
    await eventually('the shadow to judge every fact', async () => ((await metricsOf(port)).get(shadowFacts) ?? 0) >= facts.length, 120_000);
    const metrics = await metricsOf(port);
    expect(metrics.get(shadowFacts)).toBe(facts.length);
    expect(metrics.get(`vigil_shadow_skipped_total{bundle="default"}`) ?? 0).toBe(0);
    expect(metrics.get(`vigil_shadow_errors_total{bundle="default"}`) ?? 0).toBe(0);
    expect(metrics.get(`vigil_shadow_new_findings_total{bundle="default"}`)).toBe(added);
    expect(metrics.get(`vigil_shadow_gone_findings_total{bundle="default"}`)).toBe(gone);

    // The served set's account is whole: one verdict per fact, none with an error.
    await eventually('a verdict for every fact', async () => (await readStream(local.nc, VERDICT_STREAM, (d) => decodeVerdict(d).fact_id)).keys.size >= facts.length, 60_000);
    const verdicts = await readStream(local.nc, VERDICT_STREAM, (d) => {
      const v = decodeVerdict(d);
      return v.error ? `error:${v.fact_id}` : v.fact_id;
    });
    expect([...verdicts.keys].filter((k) => k.startsWith('error:'))).toEqual([]);
    expect(verdicts.keys.size).toBe(facts.length);

    await eventually('the shadow findings to arrive', async () => shadowed.filter((s) => s.alert.finding?.rule_id === ADDED_RULE).length >= added, 30_000);
    expect(shadowed.every((s) => s.subject.startsWith('vigil.shadow.default.') && s.alert.finding?.bundle === 'default')).toBe(true);
    expect(shadowed.some((s) => s.alert.finding?.rule_id === REMOVED_RULE)).toBe(false);
    expect(served.some((a) => a.finding?.rule_id === ADDED_RULE)).toBe(false);
    expect(served.filter((a) => a.finding?.rule_id === REMOVED_RULE).length).toBe(gone);

    const promoted = await runVigil(['policy', 'promote', 'default', '--nats', local.nats.url]);
    if (promoted.code !== 0) throw new Error(`promote failed:\n${promoted.stderr}`);
    await logged(engine, /shadow stopped/, 'the shadow to stop');
    await logged(engine, /bundle deployed/, 'the promoted bundle to be served');
    expect((await runVigil(['policy', 'shadow', '--nats', local.nats.url])).stdout).toContain('no shadow is deployed');
    const afterPromote = containerFacts(20, `promoted-${process.pid}`);
    await publishFacts(local.nc, afterPromote, { size: 20, host: HOST });
    const promotedNames = new Set(afterPromote.map((f) => f.fact.container?.name));
    await eventually('the promoted rule to alert', async () => served.some((a) => a.finding?.rule_id === ADDED_RULE && promotedNames.has(a.finding.subject?.name ?? '')), 30_000);

    const rolledBack = await runVigil(['policy', 'rollback', '--name', 'default', '--nats', local.nats.url]);
    expect(rolledBack.code).toBe(0);
    await logged(engine, /bundle deployed/, 'the rolled-back bundle to be served', 2);
    const afterRollback = containerFacts(20, `rolled-${process.pid}`);
    await publishFacts(local.nc, afterRollback, { size: 20, host: HOST });
    const rolledNames = new Set(afterRollback.map((f) => f.fact.container?.name));
    await eventually('the removed rule to alert again', async () => served.some((a) => a.finding?.rule_id === REMOVED_RULE && rolledNames.has(a.finding.subject?.name ?? '')), 30_000);
    expect(served.some((a) => a.finding?.rule_id === ADDED_RULE && rolledNames.has(a.finding.subject?.name ?? ''))).toBe(false);
    await engine.stop();
  }, 300_000);

  it('shadow - a candidate that runs past every deadline leaves the served set whole and on time; shadow --off drops it', async () => {
    const { engine, port } = await startEngine({ VIGIL_ENGINE_EVAL_TIMEOUT_MS: '1000' });
    const pushed = await runVigil(['policy', 'push', '--shadow', slow, '--nats', local.nats.url]);
    if (pushed.code !== 0) throw new Error(`push --shadow failed:\n${pushed.stderr}`);
    await logged(engine, /shadow started/, 'the slow shadow to start');
    const before = (await readStream(local.nc, VERDICT_STREAM, (d) => decodeVerdict(d).fact_id)).keys;
    const facts = containerFacts(1_000, `slow-${process.pid}`);
    const started = Date.now();
    await publishFacts(local.nc, facts, { size: 5, host: HOST });
    const ids = new Set(facts.map((f) => f.fact.id));
    await eventually(
      'a verdict for every fact while the shadow is stuck',
      async () => [...(await readStream(local.nc, VERDICT_STREAM, (d) => decodeVerdict(d).fact_id)).keys].filter((k) => ids.has(k) && !before.has(k)).length === facts.length,
      60_000,
    );
    // Waiting out the shadow's deadline per fact would take 1,000 s; the served set did not wait for it.
    expect(Date.now() - started).toBeLessThan(60_000);
    const verdicts = await readStream(local.nc, VERDICT_STREAM, (d) => {
      const v = decodeVerdict(d);
      return ids.has(v.fact_id) && v.error ? v.fact_id : '';
    });
    expect([...verdicts.keys].filter((k) => k !== '')).toEqual([]);
    const troubled = async (): Promise<number> => {
      const metrics = await metricsOf(port);
      return (metrics.get(`vigil_shadow_skipped_total{bundle="default"}`) ?? 0) + (metrics.get(`vigil_shadow_errors_total{bundle="default"}`) ?? 0);
    };
    await eventually('the shadow to count what it skipped or could not judge', async () => (await troubled()) > 0, 30_000);
    expect(engine.stderr()).toContain('shadow is behind');
    expect(shadowed.some((s) => s.alert.finding?.rule_id === 'VGL-TST-903')).toBe(false);

    const off = await runVigil(['policy', 'shadow', '--off', '--nats', local.nats.url]);
    expect(off.code).toBe(0);
    await logged(engine, /shadow stopped/, 'the shadow to be dropped');
    await engine.stop();
  }, 300_000);
});
