import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startRuntimeCollector, type RuntimeCollector } from '../collectors/src/index.js';
import { defaultBundlePath, kernelFilterOf, PolicyEvaluator, readBundleFile } from '../engine/src/index.js';
import { toPolicyInput, type FactInit } from '../proto/src/index.js';
import { buildStaticProgram, createContainer, docker, removeContainersByPrefix, vigilCacheDir, type TestContainer } from './harness/index.js';

/**
 * A process that lives well under a millisecond is attributed and judged
 * exactly like one that lives an hour: everything the rules need comes from
 * the kernel with the exec, nothing from /proc after the process is gone.
 */

const PREFIX = `vigil-shortlived-${process.pid}-`;
const PROCESSES = 2_000;
/** Below the collector's per-container rate limit (200 new facts/s), so every process must become a fact. */
const RATE = 120;

describe('runtime - thousands of sub-millisecond processes in a container', () => {
  let collector: RuntimeCollector;
  let evaluator: PolicyEvaluator;
  let target: TestContainer;
  const facts: FactInit[] = [];

  beforeAll(async () => {
    await removeContainersByPrefix(PREFIX);
    const tools = path.join(vigilCacheDir(), 'test', 'attacks');
    await fs.mkdir(tools, { recursive: true });
    const helper = await buildStaticProgram(path.resolve('test', 'attacks', 'vigil-attack.c'), path.join(tools, 'vigil-attack'));
    const bundle = await readBundleFile(defaultBundlePath());
    evaluator = await PolicyEvaluator.load(bundle);
    target = await createContainer({ name: `${PREFIX}target`, cmd: ['sleep', '300'] });
    // Copied in, under /tmp: each run of it is drift and an exec from a temporary directory.
    await docker(['cp', helper, `${target.name}:/tmp/burst`]);
    collector = await startRuntimeCollector({
      sink: { publish: async (fact) => void facts.push(fact), flush: async () => undefined, close: async () => undefined },
      kernelFilter: kernelFilterOf(bundle.manifest),
    });
  }, 120_000);
  afterAll(async () => {
    await collector?.stop();
    await removeContainersByPrefix(PREFIX);
  });

  it(`runtime - ${PROCESSES} processes of under 1 ms each: every one is a process_exec fact of its container, with exe and args from the kernel, and judged`, async () => {
    await docker(['exec', target.name, '/tmp/burst', 'burst', String(PROCESSES), String(RATE)]);
    const ours = (): FactInit[] => facts.filter((f) => f.process_exec?.process?.args?.[1] === 'noop');
    const deadline = Date.now() + 15_000;
    while (ours().length < PROCESSES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const seen = ours();
    const indexes = new Set(seen.map((f) => f.process_exec!.process!.args![2]));
    expect({ facts: seen.length, distinct: indexes.size }).toEqual({ facts: PROCESSES, distinct: PROCESSES });
    const misattributed = seen.filter((f) => f.process_exec!.container?.id !== target.id || f.process_exec!.container?.host || f.process_exec!.container?.name !== target.name);
    expect(misattributed.length).toBe(0);
    expect(new Set(seen.map((f) => f.process_exec!.process!.exe))).toEqual(new Set(['/tmp/burst']));
    // Judged: each fact, through the compiled default bundle, is an exec from /tmp by its own pid.
    const unjudged = seen.filter((f) => {
      const hits = evaluator.evaluate(toPolicyInput(f), 'process_exec');
      const pid = f.process_exec!.process!.pid;
      return !hits.some((h) => h.rule.id === 'VGL-RUN-010' && h.messages.some((m) => m.includes(`(pid ${pid})`)));
    });
    expect(unjudged.length).toBe(0);
    expect(collector.stats().dropped).toBe(0);
  }, 120_000);
});
