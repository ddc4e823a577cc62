import path from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../engine/src/index.js';
import { updateSections, writeMarkdown, type ScenarioResult } from './report.js';
import { scenarios } from './scenarios/index.js';

/**
 * Runs the scenarios in one process, one after another, and prints one JSON
 * line per scenario and a last line that merges them. Without --quick it also
 * writes docs/benchmarks.md: all of it, or with --only the sections of those
 * scenarios, each marked with the command.
 */
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
  },
});
const quick = values.quick;
const only = values.only ?? [];
const unknown = only.filter((name) => !scenarios.some((s) => s.name === name));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown scenario ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}\n`);
  process.exit(2);
}
const results: ScenarioResult[] = [];
for (const scenario of scenarios) {
  if (only.length > 0 && !only.includes(scenario.name)) continue;
  const result = await scenario.run({ quick });
  results.push(result);
  process.stdout.write(JSON.stringify({ scenario: result.scenario, ...result.metrics }) + '\n');
}
process.stdout.write(JSON.stringify(Object.assign({}, ...results.map((r) => r.metrics))) + '\n');
const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const markdown = path.join(packageRoot(), 'docs', 'benchmarks.md');
if (!quick && only.length === 0) await writeMarkdown(markdown, command, results);
else if (!quick && !values.json) await updateSections(markdown, command, results);
