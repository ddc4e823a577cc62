import path from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../engine/src/index.js';
import { writeMarkdown, type ScenarioResult } from './report.js';
import { engineVsWasm } from './scenarios/engine-vs-wasm.js';

/**
 * Runs every scenario in one process, one after another, and prints one JSON
 * line per scenario and a last line that merges them. Without --quick it also
 * rewrites docs/benchmarks.md.
 */
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { quick: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
});
const quick = values.quick;
const results: ScenarioResult[] = [];

results.push(await engineVsWasm({ facts: quick ? 5_000 : 20_000 }));

for (const r of results) process.stdout.write(JSON.stringify({ scenario: r.scenario, ...r.metrics }) + '\n');
process.stdout.write(JSON.stringify(Object.assign({}, ...results.map((r) => r.metrics))) + '\n');
if (!quick) {
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  await writeMarkdown(path.join(packageRoot(), 'docs', 'benchmarks.md'), command, results);
}
