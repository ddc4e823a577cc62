import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import {
  buildBundle,
  BundleStore,
  ContextCache,
  contextKeyOf,
  contextValueOf,
  DATA_DOCUMENTS,
  DataStore,
  DEFAULT_BUNDLE_NAME,
  defaultBundlePath,
  isSigningAlgorithm,
  SIGNING_ALGORITHMS,
  verifyBundle,
  type BundleHead,
  type BundleVerifier,
  findingsFrom,
  inspectRules,
  packageRoot,
  PolicyEvaluator,
  readBundleFile,
  resolveTool,
  subjectOf,
  type ContextPart,
  type RuleMeta,
} from '../../../engine/src/index.js';
import { factKindOf, findingToJSON, schemaDirectory, toPolicyInput, type FactInit } from '../../../proto/src/index.js';
import { splitList } from '../args.js';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, UsageError } from '../errors.js';
import { connectNats, NATS_SECURITY_OPTIONS, natsSecurity, natsUrl } from '../nats.js';
import { configuredVerifier } from '../engine-settings.js';
import { policyReplay, REPLAY_USAGE } from './replay.js';

const run = promisify(execFile);

export const POLICY_USAGE = `Usage:
  vigil policy list  [--format table|json|markdown] [--policies DIR | --bundle FILE]
  vigil policy build [--policies DIR] [--output FILE] [--include-incubating] [--quiet]
                     [--signing-key FILE [--signing-alg RS256]]   sign it (OPA's .signatures.json)
                     [--name NAME]        engines serve one bundle per name (default: default)
                     [--kinds K,K]        fact kinds that trigger it (default: its rules' kinds)
                     [--subjects S,S]     and the fact subjects, NATS wildcards (default: any)
  vigil policy test  [--policies DIR]     opa fmt, opa check --strict --schema, opa test
  vigil policy eval  --input FACT.json [--bundle FILE]
  vigil policy verify FILE --verification-key FILE [--signing-alg RS256] [--scope S]
  vigil policy push FILE [--name NAME] [--nats URL] [--verification-key FILE [--signing-alg ALG]]
                     deploy it under NAME (default: the name it was built with)
                     (or VIGIL_VERIFICATION_KEY, VIGIL_SIGNING_ALG: push refuses what does not verify)
                     [--shadow]  judge every fact with it beside the served NAME instead: its findings go
                                 to vigil.shadow.NAME.>, new/gone counts to /metrics, no alert, no verdict
  vigil policy promote [NAME] [--nats URL] [--verification-key FILE]  the shadow of NAME becomes its head
  vigil policy shadow [--name NAME] [--off] [--nats URL]  the shadows deployed; --off drops NAME's
  vigil policy rollback [--name default] [--nats URL]     back to the revision before the current one
  vigil policy remove NAME [--nats URL]                   engines stop serving the bundle NAME
  vigil policy history  [--name NAME] [--nats URL]        the revision in force and the ones kept
                                                          (without --name: every name deployed)
  vigil policy data put KEY FILE|- | get KEY | delete KEY | list   [--nats URL]
                     data documents (${Object.keys(DATA_DOCUMENTS).join(', ')}) under data.vigil
  ${REPLAY_USAGE}
  push, promote, shadow, rollback, remove, history, data and replay also take the NATS security options below.
  Signing algorithms: ${SIGNING_ALGORITHMS.join(' ')}; for HS* the key file's bytes are the secret.`;

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
    case 'verify':
      return policyVerify(rest);
    case 'push':
      return policyPush(rest);
    case 'rollback':
      return policyRollback(rest);
    case 'promote':
      return policyPromote(rest);
    case 'shadow':
      return policyShadow(rest);
    case 'history':
      return policyHistory(rest);
    case 'remove':
      return policyRemove(rest);
    case 'data':
      return policyData(rest);
    case 'replay':
      return policyReplay(rest);
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
      'signing-key': { type: 'string' },
      'signing-alg': { type: 'string' },
      name: { type: 'string' },
      kinds: { type: 'string' },
      subjects: { type: 'string' },
    },
  });
  const signingAlg = signingAlgorithm(values['signing-alg']);
  const kinds = commaList(values.kinds, '--kinds');
  const subjects = commaList(values.subjects, '--subjects');
  if (values['signing-alg'] && !values['signing-key']) throw new UsageError('--signing-alg needs --signing-key FILE');
  const result = await buildBundle({
    policyDir: values.policies ?? defaultPolicyDir(),
    outFile: values.output ?? defaultBundlePath(),
    includeIncubating: values['include-incubating'],
    ...(values['signing-key'] ? { signingKey: values['signing-key'], signingAlg } : {}),
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(kinds !== undefined ? { kinds } : {}),
    ...(subjects !== undefined ? { subjects } : {}),
  });
  if (!values.quiet) {
    const signed = values['signing-key'] ? `, signed ${signingAlg}` : '';
    process.stdout.write(`built ${result.outFile}: bundle ${result.name}, ${result.rules.length} rules, revision ${result.revision}${signed}\n`);
    process.stdout.write(`triggered by ${result.triggers.kinds.join(', ') || 'no fact kind'} facts${result.triggers.subjects.length > 0 ? ` on ${result.triggers.subjects.join(', ')}` : ''}\n`);
  }
  return EXIT_OK;
}

function commaList(value: string | undefined, option: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = splitList(value);
  if (items.length === 0) throw new UsageError(`${option} needs at least one value`);
  return items;
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
  if (values.format !== 'table') throw new UsageError(`--format: expected table, json or markdown (actual: ${values.format})`);
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
  if (!values.input) throw new UsageError('policy eval needs --input FACT.json (a vigil.v1.Fact as JSON, or an example: {"input": FACT, "context": [FACT…]})');
  let document: unknown;
  try {
    document = JSON.parse(await fs.readFile(values.input, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${values.input}: ${(error as Error).message}`);
  }
  const { fact, context } = evalDocument(document, values.input);
  const kind = factKindOf(fact)!;
  const evaluator = await PolicyEvaluator.load(await readBundleFile(values.bundle ?? defaultBundlePath()));
  const input = toPolicyInput(fact);
  if (context.length > 0) {
    // Joined as an engine joins what it holds about the fact's subject.
    const cache = new ContextCache();
    cache.apply(context.map((c) => [contextKeyOf(factKindOf(c)!, c) ?? '', contextValueOf(c)]));
    cache.attach(kind, input, new Set(context.map((c) => factKindOf(c) as ContextPart)));
  }
  const findings = findingsFrom(evaluator.evaluate(input, kind), subjectOf(input, kind, values.input)).map(findingToJSON);
  process.stdout.write(JSON.stringify({ findings, errors: [] }, null, 2) + '\n');
  return findings.length > 0 ? EXIT_FINDINGS : EXIT_OK;
}

/** A fact as JSON, or a policy example (`policies/examples/**.json`) that wraps it in `input`, with its context facts. */
function evalDocument(document: unknown, file: string): { fact: FactInit; context: FactInit[] } {
  const record = document !== null && typeof document === 'object' ? (document as Record<string, unknown>) : {};
  const wrapped = record.input !== null && typeof record.input === 'object' && factKindOf(record as FactInit) === undefined;
  const fact = (wrapped ? record.input : record) as FactInit;
  if (!factKindOf(fact)) throw new UsageError(`${file} is not a fact: set one of host, container, image, process_exec, ... (or wrap the fact in "input", as the examples do)`);
  const context = wrapped && Array.isArray(record.context) ? (record.context as FactInit[]) : [];
  for (const [i, c] of context.entries()) {
    const kind = c !== null && typeof c === 'object' ? factKindOf(c) : undefined;
    if (kind !== 'container' && kind !== 'image' && kind !== 'host') throw new UsageError(`${file}: context[${i}] is not a container, image or host fact`);
  }
  return { fact, context };
}

export { EXIT_ERROR };

function signingAlgorithm(value: string | undefined): string {
  const alg = value ?? 'RS256';
  if (!isSigningAlgorithm(alg)) throw new UsageError(`--signing-alg: expected one of ${SIGNING_ALGORITHMS.join(', ')} (actual: ${alg})`);
  return alg;
}

const VERIFY_OPTIONS = {
  'verification-key': { type: 'string' },
  'signing-alg': { type: 'string' },
  scope: { type: 'string' },
} as const;

/** --verification-key, --signing-alg and --scope, each over its variable. */
function verifierFrom(values: { 'verification-key'?: string; 'signing-alg'?: string; scope?: string }): Promise<BundleVerifier | undefined> {
  return configuredVerifier({ keyFile: values['verification-key'], algorithm: values['signing-alg'], scope: values.scope });
}

async function readBundleBytes(file: string | undefined, usage: string): Promise<Buffer> {
  if (!file) throw new UsageError(usage);
  try {
    return await fs.readFile(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

async function policyVerify(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: VERIFY_OPTIONS });
  const usage = 'policy verify needs FILE and --verification-key FILE';
  const bytes = await readBundleBytes(positionals[0], usage);
  const verifier = await verifierFrom(values);
  if (!verifier) throw new UsageError(usage);
  const checked = await verifyBundle(bytes, { verifier, label: positionals[0] });
  process.stdout.write(`${positionals[0]}: signature ok (${verifier.algorithm}), ${checked.files.length} files match, revision ${checked.bundle.revision}\n`);
  return EXIT_OK;
}

/** The NATS options of the commands that talk to the store. */
const STORE_OPTIONS = { nats: { type: 'string' }, ...NATS_SECURITY_OPTIONS } as const;
type StoreValues = { nats?: string } & Parameters<typeof natsSecurity>[0];

/** Runs `use` with the bundle store on the --nats server, and closes the connection. */
async function withStore<T>(values: StoreValues, use: (store: BundleStore) => Promise<T>): Promise<T> {
  const nc = await connectNats(natsUrl(values.nats, true)!, 'vigil-policy', natsSecurity(values));
  try {
    return await use(await BundleStore.open({ nc }));
  } finally {
    await nc.close();
  }
}

function describeHead(head: BundleHead): string {
  return `revision ${head.revision || '(none)'} (object ${head.object}, pushed ${head.pushed_at}${head.verified ? ', signature verified' : ''})`;
}

async function policyPush(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, shadow: { type: 'boolean', default: false }, ...STORE_OPTIONS, ...VERIFY_OPTIONS },
  });
  const bytes = await readBundleBytes(positionals[0], 'policy push needs the bundle FILE');
  const verifier = await verifierFrom(values);
  const options = { ...(values.name !== undefined ? { name: values.name } : {}), verifier, label: positionals[0] };
  if (values.shadow) {
    const shadow = await withStore(values, (store) => store.pushShadow(bytes, options));
    process.stdout.write(`${shadow.name} has the shadow ${describeHead(shadow)}: engines judge with it beside the served bundle, findings on vigil.shadow.${shadow.name}.>\n`);
    return EXIT_OK;
  }
  const head = await withStore(values, (store) => store.push(bytes, options));
  process.stdout.write(`${head.name} is now ${describeHead(head)}; ${head.previous.length} earlier revision(s) kept\n`);
  return EXIT_OK;
}

async function policyPromote(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...STORE_OPTIONS, ...VERIFY_OPTIONS } });
  const name = positionals[0] ?? DEFAULT_BUNDLE_NAME;
  const verifier = await verifierFrom(values);
  const head = await withStore(values, (store) => store.promote(name, { verifier }));
  process.stdout.write(`${name} is now ${describeHead(head)}, promoted from its shadow; \`vigil policy rollback --name ${name}\` goes back\n`);
  return EXIT_OK;
}

async function policyShadow(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { name: { type: 'string' }, off: { type: 'boolean', default: false }, ...STORE_OPTIONS } });
  if (values.off) {
    const name = values.name ?? DEFAULT_BUNDLE_NAME;
    const dropped = await withStore(values, (store) => store.dropShadow(name));
    process.stdout.write(`${name}: shadow ${dropped.revision || dropped.object} dropped; engines stop judging with it\n`);
    return EXIT_OK;
  }
  const shadows = await withStore(values, async (store) => {
    const names = values.name === undefined ? await store.shadowNames() : [values.name];
    return (await Promise.all(names.map((name) => store.shadow(name)))).filter((s) => s !== undefined);
  });
  if (shadows.length === 0) process.stdout.write(values.name === undefined ? 'no shadow is deployed\n' : `${values.name} has no shadow\n`);
  for (const shadow of shadows) process.stdout.write(`${shadow.name}: shadow ${describeHead(shadow)}\n`);
  return EXIT_OK;
}

async function policyRollback(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { name: { type: 'string', default: DEFAULT_BUNDLE_NAME }, ...STORE_OPTIONS } });
  const head = await withStore(values, (store) => store.rollback(values.name));
  process.stdout.write(`${values.name} rolled back to ${describeHead(head)}; ${head.previous.length} earlier revision(s) left\n`);
  return EXIT_OK;
}

async function policyHistory(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { name: { type: 'string' }, ...STORE_OPTIONS } });
  const heads = await withStore(values, async (store) => {
    const names = values.name === undefined ? await store.names() : [values.name];
    return Promise.all(names.map((name) => store.head(name)));
  });
  if (values.name !== undefined && heads[0] === undefined) throw new UsageError(`nothing was pushed under the name ${values.name}`);
  if (heads.length === 0) process.stdout.write('no bundle is deployed\n');
  for (const head of heads) {
    if (!head) continue;
    if (values.name === undefined) process.stdout.write(`${head.name}\n`);
    process.stdout.write(`* ${describeHead(head)}\n`);
    for (const ref of head.previous) process.stdout.write(`  ${describeHead({ ...ref, name: head.name, previous: [] })}\n`);
  }
  return EXIT_OK;
}

async function policyRemove(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: STORE_OPTIONS });
  const name = positionals[0];
  if (!name) throw new UsageError('policy remove needs the bundle NAME');
  await withStore(values, (store) => store.remove(name));
  process.stdout.write(`${name} removed: engines stop serving it\n`);
  return EXIT_OK;
}

async function policyData(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: STORE_OPTIONS });
  const [action, key, file] = positionals;
  const usage = 'usage: vigil policy data put KEY FILE|- | get KEY | delete KEY | list';
  if (!action || (action !== 'list' && !key) || (action === 'put' && !file)) throw new UsageError(usage);
  let json = '';
  if (action === 'put') {
    try {
      json = file === '-' ? await readStdin() : await fs.readFile(file!, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    }
  }
  const nc = await connectNats(natsUrl(values.nats, true)!, 'vigil-policy-data', natsSecurity(values));
  try {
    const store = await DataStore.open({ nc });
    switch (action) {
      case 'put': {
        const revision = await store.put(key!, json);
        process.stdout.write(`data.vigil.${key} set (revision ${revision})\n`);
        return EXIT_OK;
      }
      case 'get': {
        const doc = await store.get(key!);
        if (!doc) throw new UsageError(`${store.bucket} holds no document ${key}`);
        process.stdout.write(JSON.stringify(doc.value, null, 2) + '\n');
        return EXIT_OK;
      }
      case 'delete':
        await store.delete(key!);
        process.stdout.write(`data.vigil.${key} deleted: the bundle's own document applies again\n`);
        return EXIT_OK;
      case 'list':
        for (const k of await store.keys()) process.stdout.write(`${k}\n`);
        return EXIT_OK;
      default:
        throw new UsageError(usage);
    }
  } finally {
    await nc.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

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
