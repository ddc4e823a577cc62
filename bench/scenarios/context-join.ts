import { defaultBundlePath, PolicyEvaluator, readBundleFile } from '../../engine/src/index.js';
import { ContextCache, contextKeyOf, contextValueOf } from '../../engine/src/index.js';
import { judgeMessages, PolicySet } from '../../engine/src/internal.js';
import { encodeFactBatch, subjects, v1, type FactInit } from '../../proto/src/index.js';
import { loadExamples } from '../mix.js';
import { percentile } from '../runtime/support.js';
import type { ScenarioResult } from '../report.js';

const CONTAINERS = 50;
const PER_MESSAGE = 32;

/**
 * Issue #17's context cost: the same distinct runtime events judged by the
 * default pack the way a worker judges them (decode, join, evaluate, encode),
 * once with no context held (every join misses) and once with the container
 * and image fact of each event's container held, so the rules reading
 * input.context see it. CPU µs per event on one thread, median of interleaved rounds.
 */
export async function contextJoin(options: { events: number; rounds: number }): Promise<ScenarioResult> {
  const policies = PolicySet.single(await PolicyEvaluator.load(await readBundleFile(defaultBundlePath())));
  const runtime = loadExamples('runtime').filter((t) => t.kind !== 'syscall_set');
  const containerTemplate = loadExamples('container').find((t) => t.file.endsWith('host_namespaces.json'))!;
  const imageTemplate = loadExamples('image')[0]!;
  const ids = Array.from({ length: CONTAINERS }, (_, i) => i.toString(16).padStart(64, '0'));
  const imageOf = (i: number): string => `sha256:${(i % 10).toString(16).padStart(64, 'e')}`;
  const events: FactInit[] = Array.from({ length: options.events }, (_, i) => {
    const template = runtime[i % runtime.length]!;
    const { kind, ...event } = structuredClone(template.input) as Record<string, unknown> & { kind: string };
    event.id = `ctx-${i}`;
    const body = event[kind] as { process?: { pid: number; args?: string[] }; container?: Record<string, unknown> };
    if (body.process) {
      body.process.pid = 1000 + i;
      body.process.args = [...(body.process.args ?? []), `--request=${i}`];
    }
    if (body.container && body.container.host !== true) Object.assign(body.container, { id: ids[i % CONTAINERS], image_id: imageOf(i % CONTAINERS) });
    return v1.Fact.fromObject(event);
  });
  const messages: { subject: string; data: Uint8Array }[] = [];
  for (let start = 0; start < events.length; start += PER_MESSAGE) {
    messages.push({ subject: subjects.facts('process_exec', 'bench'), data: encodeFactBatch({ facts: events.slice(start, start + PER_MESSAGE) }) });
  }
  const held = new ContextCache();
  held.apply(
    ids.flatMap((id, i) => {
      const container = v1.Fact.fromObject({ ...containerTemplate.input, kind: undefined, id: `c-${i}`, container: { ...(containerTemplate.input as unknown as { container: object }).container, id, image_id: imageOf(i) } });
      const image = v1.Fact.fromObject({ ...imageTemplate.input, kind: undefined, id: `i-${i}`, image: { ...(imageTemplate.input as unknown as { image: object }).image, id: imageOf(i) } });
      return [container, image].map((fact) => [contextKeyOf(fact.container ? 'container' : 'image', fact)!, contextValueOf(fact)] as [string, Uint8Array]);
    }),
  );
  const empty = new ContextCache();
  const run = (cache: ContextCache): { micros: number; missing: number } => {
    const before = process.cpuUsage();
    let missing = 0;
    for (const message of messages) missing += judgeMessages(policies, [message], undefined, cache).counts.contextMissing;
    const used = process.cpuUsage(before);
    return { micros: (used.user + used.system) / events.length, missing };
  };
  run(held);
  run(empty);
  const withContext: number[] = [];
  const without: number[] = [];
  let missing = { with: 0, without: 0 };
  for (let round = 0; round < options.rounds; round++) {
    const a = run(empty);
    const b = run(held);
    without.push(a.micros);
    withContext.push(b.micros);
    missing = { with: b.missing, without: a.missing };
  }
  const w = percentile(withContext, 50);
  const wo = percentile(without, 50);
  return {
    scenario: 'context joins (runtime events, full pack, one thread)',
    metrics: {
      events: options.events,
      containers: CONTAINERS,
      without_context_us_per_event: Number(wo.toFixed(1)),
      with_context_us_per_event: Number(w.toFixed(1)),
      context_cost_ratio: Number((w / wo).toFixed(2)),
      events_missing_context_without: missing.without,
      events_missing_context_with: missing.with,
    },
    notes: [
      'judgeMessages as a pool worker runs it: protobuf decode, toPolicyInput, the join (ContextCache.attach), evaluation with the rule index, verdict and alert encoding; one message of 32 events at a time.',
      'without: no context held, so every join misses and rules reading input.context cannot fire; with: the container fact (host namespaces) and an image fact of each of 50 containers held.',
    ],
  };
}
