import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { decodeAlert, decodeVerdict, encodeFactBatch, subjects, type FactInit } from '../../../proto/src/index.js';
import { defaultBundlePath, MemoryAlertLedger, MemoryContextStore, MemoryFeed, MemorySink, packageRoot, readBundleFile, runEngine } from '../../src/index.js';

const logger = pino({ level: 'silent' });
const example = (file: string): FactInit => (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'policies', 'examples', file), 'utf8')) as { input: FactInit }).input;

/** A terminal shell in container `id`, and that container's fact with the host's PID namespace. */
function shellIn(id: string, n: number): FactInit {
  const fact = structuredClone(example('runtime/terminal_shell.json')) as FactInit & { process_exec: { container: { id: string } } };
  fact.id = `shell-${n}`;
  fact.process_exec.container.id = id;
  return fact;
}
function hostPidContainer(id: string): FactInit {
  const fact = structuredClone(example('container/host_namespaces.json')) as FactInit & { container: { id: string; name: string } };
  fact.id = `container-${id}`;
  fact.container.id = id;
  fact.container.name = 'web';
  return fact;
}

describe('context joins', () => {
  it('context - a runtime event before its container fact is flagged context_missing; after it, the rule reading the container fires', async () => {
    const feed = new MemoryFeed();
    const context = new MemoryContextStore();
    let sink: MemorySink | undefined;
    const engine = await runEngine({
      logger,
      bundle: await readBundleFile(defaultBundlePath()),
      workers: 1,
      feed,
      context,
      ledger: new MemoryAlertLedger(),
      alertThrottle: { windowMs: 0 },
      sink: (onDeadLetter) => (sink = new MemorySink({ onDeadLetter })),
    });
    const id = 'ab'.repeat(32);
    const host = 'node-1';
    expect(await feed.push(subjects.facts('process_exec', host), encodeFactBatch({ facts: [shellIn(id, 1)] }))).toBe('ack');
    expect(await feed.push(subjects.facts('container', host), encodeFactBatch({ facts: [hostPidContainer(id)] }))).toBe('ack');
    expect(await feed.push(subjects.facts('process_exec', host), encodeFactBatch({ facts: [shellIn(id, 2)] }))).toBe('ack');
    await engine.stop();

    const verdicts = sink!.published.filter((p) => p.subject.startsWith('vigil.verdicts.')).map((p) => decodeVerdict(p.payload));
    const byFact = new Map(verdicts.map((v) => [v.fact_id, v]));
    // The bundle's process_exec rules read the container and the image (VGL-RUN-058); no image fact came.
    expect(byFact.get('shell-1')?.context_missing).toEqual(['container', 'image']);
    expect(byFact.get('shell-1')?.findings.map((f) => f.rule_id)).toEqual(['VGL-RUN-001']);
    expect(byFact.get('shell-2')?.context_missing).toEqual(['image']);
    expect(byFact.get('shell-2')?.findings.map((f) => f.rule_id).sort()).toEqual(['VGL-RUN-001', 'VGL-RUN-055']);
    const critical = sink!.stored.filter((p) => p.subject.startsWith('vigil.alerts.critical.')).map((p) => decodeAlert(p.payload));
    expect(critical.map((a) => [a.fact_id, a.finding?.message])).toEqual([
      ['shell-2', "terminal shell /usr/bin/bash (pid 3100, uid 0) opened in container \"web\", which shares the host's PID namespace"],
    ]);
    // The container fact is kept for every replica under its id.
    expect([...context.entries.keys()]).toEqual([`container.${id}`]);
    expect(engine.stats().verdicts).toBe(3);
  }, 120_000);
});
