import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import {
  buildBundle,
  defaultBundlePath,
  findingsFrom,
  inspectRules,
  packageRoot,
  PolicyEvaluator,
  readBundleFile,
  resolveTool,
  subjectOf,
  type RuleMeta,
} from '../../../engine/src/index.js';
import { factKindOf, findingToJSON, schemaDirectory, toPolicyInput, type FactInit } from '../../../proto/src/index.js';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, UsageError } from '../errors.js';

const run = promisify(execFile);

export const POLICY_USAGE = `Usage:
  vigil policy list  [--format table|json|markdown] [--policies DIR | --bundle FILE]
  vigil policy build [--policies DIR] [--output FILE] [--include-incubating] [--quiet]
  vigil policy test  [--policies DIR]     opa fmt, opa check --strict --schema, opa test
  vigil policy eval  --input FACT.json [--bundle FILE]`;

export async function policyCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'list':
      return policyList(rest);
    case 'build':
      return policyBuild(rest);
    case 'test':
      return policyTest(rest);
    case 'eval':
      return policyEval(rest);
    default:
      throw new UsageError(`unknown policy command ${sub ?? '(none)'}\n${POLICY_USAGE}`);
  }
}

const defaultPolicyDir = (): string => path.join(packageRoot(), 'policies');

async function policyBuild(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      policies: { type: 'string' },
      output: { type: 'string', short: 'o' },
      'include-incubating': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
  });
  const result = await buildBundle({
    policyDir: values.policies ?? defaultPolicyDir(),
    outFile: values.output ?? defaultBundlePath(),
    includeIncubating: values['include-incubating'],
  });
  if (!values.quiet) {
    process.stdout.write(`built ${result.outFile}: ${result.rules.length} rules, revision ${result.revision}\n`);
  }
  return EXIT_OK;
}

async function loadRules(values: { policies?: string; bundle?: string }): Promise<RuleMeta[]> {
  if (values.policies) return (await inspectRules(resolveTool('opa'), values.policies)).rules;
  return (await readBundleFile(values.bundle ?? defaultBundlePath())).manifest.rules;
}

async function policyList(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { format: { type: 'string', default: 'table' }, policies: { type: 'string' }, bundle: { type: 'string' } },
  });
  const rules = await loadRules(values);
  if (values.format === 'json') {
    const list = rules.map((r) => ({
      id: r.id,
      title: r.title,
      severity: r.severity,
      kind: r.kind,
      maturity: r.maturity,
      frameworks: r.frameworks,
      recommended_action: r.recommended_action,
      package: r.package,
      description: r.description,
    }));
    process.stdout.write(JSON.stringify(list, null, 2) + '\n');
    return EXIT_OK;
  }
  if (values.format === 'markdown') {
    process.stdout.write(rulesMarkdown(rules));
    return EXIT_OK;
  }
  if (values.format !== 'table') throw new UsageError(`--format must be table, json or markdown (actual: ${values.format})`);
  for (const r of rules) {
    const frameworks = Object.entries(r.frameworks).map(([k, v]) => `${k}:${v.join(',')}`).join(' ');
    process.stdout.write(`${r.id.padEnd(12)} ${r.severity.padEnd(8)} ${r.kind.padEnd(18)} ${r.title}  [${frameworks}]${r.maturity === 'stable' ? '' : ' (incubating)'}\n`);
  }
  process.stdout.write(`${rules.length} rules\n`);
  return EXIT_OK;
}

async function policyTest(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { policies: { type: 'string' } } });
  const dir = values.policies ?? defaultPolicyDir();
  const opa = resolveTool('opa');
  const steps: [string, string[]][] = [
    ['opa fmt', ['fmt', '--fail', '--list', dir]],
    ['opa check', ['check', '--strict', '--schema', schemaDirectory(), dir]],
    ['opa test', ['test', '--ignore', 'examples', dir]],
  ];
  let failed = 0;
  for (const [name, args] of steps) {
    try {
      const { stdout } = await run(opa, args, { maxBuffer: 64 * 1024 * 1024 });
      process.stdout.write(`ok   ${name}${stdout.trim() ? `\n${stdout.trim()}` : ''}\n`);
    } catch (error) {
      failed++;
      const e = error as { stdout?: string; stderr?: string };
      process.stdout.write(`FAIL ${name}\n${(e.stdout ?? '').trim()}\n${(e.stderr ?? '').trim()}\n`);
    }
  }
  try {
    await inspectRules(opa, dir);
    process.stdout.write('ok   metadata\n');
  } catch (error) {
    failed++;
    process.stdout.write(`FAIL metadata\n${(error as Error).message}\n`);
  }
  return failed === 0 ? EXIT_OK : EXIT_FINDINGS;
}

async function policyEval(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { input: { type: 'string' }, bundle: { type: 'string' } } });
  if (!values.input) throw new UsageError('policy eval needs --input FACT.json (a vigil.v1.Fact as JSON)');
  let fact: FactInit;
  try {
    fact = JSON.parse(await fs.readFile(values.input, 'utf8')) as FactInit;
  } catch (error) {
    throw new UsageError(`cannot read ${values.input}: ${(error as Error).message}`);
  }
  const kind = factKindOf(fact);
  if (!kind) throw new UsageError(`${values.input} is not a fact: set one of host, container, image, process_exec, ...`);
  const evaluator = await PolicyEvaluator.load(await readBundleFile(values.bundle ?? defaultBundlePath()));
  const input = toPolicyInput(fact);
  const findings = findingsFrom(evaluator.evaluate(input, kind), subjectOf(input, kind, values.input)).map(findingToJSON);
  process.stdout.write(JSON.stringify({ findings, errors: [] }, null, 2) + '\n');
  return findings.length > 0 ? EXIT_FINDINGS : EXIT_OK;
}

export { EXIT_ERROR };

/** docs/policies.md: every rule with its metadata, grouped by fact kind. */
export function rulesMarkdown(rules: readonly RuleMeta[]): string {
  const lines = [
    '# Rules',
    '',
    'Generated from the rules\' METADATA by `npx vigil policy list --format markdown > docs/policies.md`;',
    'a test fails when this file is out of date. Incubating rules are off unless the bundle is built',
    'with `--include-incubating`. How to write and tune rules: [policy-guide.md](policy-guide.md).',
    '',
  ];
  const kinds = [...new Set(rules.map((r) => r.kind))];
  for (const kind of kinds) {
    lines.push(`## ${kind}`, '', '| id | title | severity | frameworks | maturity |', '|---|---|---|---|---|');
    for (const r of rules.filter((x) => x.kind === kind)) {
      const frameworks = Object.entries(r.frameworks).map(([k, v]) => `${k}: ${v.join(', ')}`).join('<br>');
      lines.push(`| ${r.id} | ${r.title.replace(/\|/g, '\\|')} | ${r.severity} | ${frameworks} | ${r.maturity} |`);
    }
    lines.push('');
  }
  lines.push(`${rules.length} rules.`, '');
  return lines.join('\n');
}
