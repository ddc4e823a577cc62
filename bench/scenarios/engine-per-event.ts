import { defaultBundlePath, PolicyEvaluator, readBundleFile } from '../../engine/src/index.js';
import type { PolicyInput } from '../../proto/src/index.js';
import { loadExamples, type Example } from '../mix.js';
import { percentile } from '../runtime/support.js';
import { opaBenchPerFact, regoBundleDir } from '../support/opa-reference.js';
import { loadRawPolicy } from '../support/raw-wasm.js';
import type { ScenarioResult } from '../report.js';

/**
 * Issue #16's per-event figure: the full default pack (stable rules) on
 * streams of distinct runtime events, µs of CPU per event on one core:
 * - through the rule index (facts no rule can match skip WASM, the rest run only the rules that can);
 * - without it (every rule of the kind, for every event);
 * - raw opa-wasm: a tight `evaluate` loop per event, inputs prepared up front;
 * - OPA's Go evaluator (`opa bench`) on the same events.
 * Two streams: every runtime example of policies/examples (nearly all of them
 * attacks), and a mostly benign one (95 % variations of the benign examples, 5 % attacks).
 */
export async function enginePerEvent(options: { events: number; rounds: number }): Promise<ScenarioResult> {
  const bundle = await readBundleFile(defaultBundlePath());
  const templates = loadExamples('runtime');
  const attacks = distinctStream(templates, options.events, () => false);
  const benign = distinctStream(templates, options.events, (i) => i % 20 !== 0);
  const metrics: Record<string, number | string> = { events: options.events };
  for (const [label, stream] of [['attacks', attacks], ['benign', benign]] as const) {
    const indexed = await PolicyEvaluator.load(bundle, {}, {});
    const full = await PolicyEvaluator.load(bundle, {}, { index: false });
    // Interleaved rounds, the median of each: this box's noise moves whole seconds.
    const idx: number[] = [];
    const unidx: number[] = [];
    const raw: number[] = [];
    const policy = await loadRawPolicy(bundle);
    for (let round = 0; round < options.rounds; round++) {
      idx.push(cpuMicros(() => drain(indexed, stream)) / stream.length);
      unidx.push(cpuMicros(() => drain(full, stream)) / stream.length);
      raw.push(cpuMicros(() => stream.forEach((input) => policy.evaluate(input, `vigil/main/${String(input.kind)}`))) / stream.length);
    }
    const skipped = indexed.callCounts().skipped / (options.rounds * stream.length);
    metrics[`${label}_indexed_us_per_event`] = round1(percentile(idx, 50));
    metrics[`${label}_unindexed_us_per_event`] = round1(percentile(unidx, 50));
    metrics[`${label}_raw_wasm_us_per_event`] = round1(percentile(raw, 50));
    metrics[`${label}_skipped_share`] = Number(skipped.toFixed(3));
  }
  const rego = await regoBundleDir();
  try {
    for (const [label, stream] of [['attacks', attacks], ['benign', benign]] as const) {
      const go = await opaBenchPerFact(rego.dir, stream.slice(0, 400));
      metrics[`${label}_opa_go_us_per_event`] = round1(go.nsPerFact / 1000);
      metrics.opa_bench_command = go.command.split(rego.dir).join('<rego dir>');
    }
  } finally {
    await rego.remove();
  }
  return {
    scenario: 'engine per event (runtime events, full pack, one core)',
    metrics,
    notes: [
      'CPU time of this process (process.cpuUsage), one thread, evaluator batches of 32 as in the engine workers; the median of interleaved rounds.',
      'indexed: PolicyEvaluator with the bundle\'s rule index; unindexed: the same with index off; raw: opa-wasm `evaluate` per event with the per-kind entrypoint (no batching, no index). OPA Go: `opa bench` over the first 400 events of each stream through the same generated entrypoints, all rules.',
      'Every event is distinct (pid, arguments, paths, peer ports), so no cache can stand in for evaluation. skipped_share: the events the index kept out of WASM.',
      'Not measured here: the decode of protobuf facts and the NATS round trip; see "engine vs raw opa-wasm" and "engine vs OPA".',
    ],
  };
}

/** `count` distinct events: event i is benign when `benign(i)`, made unique in pid, arguments, path and port. */
function distinctStream(templates: readonly Example[], count: number, benign: (i: number) => boolean): PolicyInput[] {
  const clean = templates.filter((t) => t.clean);
  const risky = templates.filter((t) => !t.clean);
  return Array.from({ length: count }, (_, i) => {
    const pool = benign(i) ? clean : risky;
    const event = structuredClone(pool[i % pool.length]!.input) as Record<string, unknown> & { kind: string };
    event.id = `bench-${i}`;
    const body = event[event.kind] as Record<string, unknown>;
    const process = body.process as Record<string, unknown> | undefined;
    if (process) {
      process.pid = 1000 + i;
      process.args = [...((process.args as string[] | undefined) ?? []), `--request=${i}`];
    }
    if (typeof body.path === 'string') body.path = benign(i) ? `/usr/share/app/${i % 977}/${body.path.split('/').pop()}` : body.path;
    if (typeof body.remote_port === 'number' && benign(i)) body.remote_address = `10.0.${(i >> 8) & 255}.${i & 255}`;
    return event as PolicyInput;
  });
}

function drain(evaluator: PolicyEvaluator, stream: readonly PolicyInput[]): void {
  for (let start = 0; start < stream.length; start += 256) evaluator.evaluateBatch(stream.slice(start, start + 256));
}

function cpuMicros(work: () => void): number {
  const before = process.cpuUsage();
  work();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

const round1 = (n: number): number => Number(n.toFixed(1));
