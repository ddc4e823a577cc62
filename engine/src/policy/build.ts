import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FACT_KINDS, isFactKind, mergeKernelFilters, type FactKind } from '../../../proto/src/index.js';
import { VigilEngineError } from '../errors.js';
import { resolveTool } from '../tools.js';
import { rulesFromAnnotations, type InspectAnnotation, type RuleMeta } from './rules.js';
import { BATCH_ENTRYPOINT, checkBundleName, DEFAULT_BUNDLE_NAME, ENTRYPOINT_PREFIX, type BundleTriggers, type VigilManifest } from './manifest.js';
import { isSubjectFilter } from './subject-filter.js';
import { buildRuleIndex } from './index/build-index.js';
import { SELECTED_RULES_KEY } from './index/rule-index.js';

const run = promisify(execFile);

export interface BuildOptions {
  policyDir: string;
  outFile: string;
  /** Compile incubating rules into the entrypoints too (default: stable only). */
  includeIncubating?: boolean;
  opaPath?: string;
  /**
   * Sign the bundle in OPA's format (`/.signatures.json`): the file of a PEM private
   * key for RS/PS/ES algorithms, or of the shared secret (its bytes as they are) for HS.
   */
  signingKey?: string;
  /** Default RS256, as for `opa build`. */
  signingAlg?: string;
  /** The name engines serve the bundle under, beside bundles of other names (default `default`). */
  name?: string;
  /** Fact kinds that trigger the bundle (default: the kinds its enabled rules judge). */
  kinds?: string[];
  /** NATS subject filters a fact must arrive on to trigger the bundle (default: any fact subject). */
  subjects?: string[];
}

export interface BuildResult {
  outFile: string;
  revision: string;
  name: string;
  triggers: BundleTriggers;
  rules: RuleMeta[];
}

/**
 * Builds a Vigil bundle: reads every rule's METADATA, generates one entrypoint
 * per fact kind that calls exactly the rules of that kind (the routing table is
 * fixed at build time, so the engine does one evaluation per fact), and compiles
 * it all with `opa build -t wasm`. Tests and examples stay out of the bundle.
 */
export async function buildBundle(options: BuildOptions): Promise<BuildResult> {
  const opa = options.opaPath ?? resolveTool('opa');
  const name = checkBundleName(options.name ?? DEFAULT_BUNDLE_NAME);
  checkTriggerOptions(options);
  const staging = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-bundle-'));
  try {
    await copyPolicies(options.policyDir, staging);
    const { rules: inspected, hasExceptions } = await inspectRules(opa, staging, options.policyDir);
    const rules = await withDigests(staging, inspected);
    const enabled = rules.filter((r) => options.includeIncubating || r.maturity === 'stable');
    const index = await buildRuleIndex(opa, staging, enabled, options.policyDir);
    await fs.mkdir(path.join(staging, '_vigil'), { recursive: true });
    await fs.writeFile(path.join(staging, '_vigil', 'main.rego'), generateMain(enabled, hasExceptions));

    const triggers: BundleTriggers = {
      kinds: (options.kinds as FactKind[] | undefined) ?? [...new Set(enabled.map((r) => r.kind))],
      subjects: options.subjects ?? [],
    };
    const revision = await contentRevision(staging, JSON.stringify({ name, triggers }));
    const manifest: { revision: string; roots: string[]; metadata: { vigil: VigilManifest } } = {
      revision,
      roots: [''],
      metadata: {
        vigil: { format: 1, name, triggers, rules, enabled: enabled.map((r) => r.id), kernel_filter: mergeKernelFilters(enabled.map((r) => r.kernel_filter ?? {})), ...(index ? { index } : {}) },
      },
    };
    await fs.writeFile(path.join(staging, '.manifest'), JSON.stringify(manifest));

    await fs.mkdir(path.dirname(path.resolve(options.outFile)), { recursive: true });
    const entrypoints = [...FACT_KINDS.map((kind) => `${ENTRYPOINT_PREFIX}/${kind}`), BATCH_ENTRYPOINT].flatMap((e) => ['-e', e]);
    const signing = await signingArgs(options);
    try {
      await run(opa, ['build', '-b', staging, '-t', 'wasm', ...entrypoints, ...signing, '-o', path.resolve(options.outFile)], {
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (error) {
      throw new VigilEngineError('VIGIL_ERR_POLICY_COMPILE', [options.policyDir, stderrOf(error, staging, options.policyDir)], { cause: error });
    }
    return { outFile: options.outFile, revision, name, triggers, rules };
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

function checkTriggerOptions(options: BuildOptions): void {
  const badKind = options.kinds?.find((kind) => !isFactKind(kind));
  if (badKind !== undefined) throw new VigilEngineError('VIGIL_ERR_ENGINE_CONFIG', [`fact kinds (${FACT_KINDS.join(', ')})`, badKind]);
  const badFilter = options.subjects?.find((filter) => !isSubjectFilter(filter));
  if (badFilter !== undefined) throw new VigilEngineError('VIGIL_ERR_ENGINE_CONFIG', ['NATS subject filters such as vigil.facts.container.>', badFilter]);
}

/** opa takes a --signing-key that names no file as the key itself: insist on a file. */
async function signingArgs(options: BuildOptions): Promise<string[]> {
  if (!options.signingKey) return [];
  const keyFile = path.resolve(options.signingKey);
  try {
    await fs.access(keyFile, fs.constants.R_OK);
  } catch {
    throw new VigilEngineError('VIGIL_ERR_ENGINE_CONFIG', ['a readable signing key file', options.signingKey]);
  }
  return ['--signing-key', keyFile, '--signing-alg', options.signingAlg ?? 'RS256'];
}

/** Reads and validates rule metadata with `opa inspect -a`. */
export async function inspectRules(opa: string, dir: string, shownAs = dir): Promise<{ rules: RuleMeta[]; hasExceptions: boolean }> {
  let stdout: string;
  try {
    ({ stdout } = await run(opa, ['inspect', '-a', '--format', 'json', dir], { maxBuffer: 64 * 1024 * 1024 }));
  } catch (error) {
    throw new VigilEngineError('VIGIL_ERR_POLICY_COMPILE', [shownAs, stderrOf(error, dir, shownAs)], { cause: error });
  }
  const parsed = JSON.parse(stdout) as { annotations?: InspectAnnotation[]; namespaces?: Record<string, unknown> };
  const { rules, problems } = rulesFromAnnotations(parsed.annotations ?? []);
  if (problems.length > 0) throw new VigilEngineError('VIGIL_ERR_POLICY_METADATA', [problems.join('\n').split(dir).join(shownAs)]);
  const hasExceptions = Object.keys(parsed.namespaces ?? {}).includes('data.vigil.lib.exceptions');
  return { rules, hasExceptions };
}

/**
 * One entrypoint per fact kind: `vigil/main/<kind>` evaluates to
 * `{rule_id: [messages]}` for the rules that fired and are not excepted.
 * And `vigil/main/batch`: given `input = {facts: [fact, ...]}` it evaluates to
 * one such object per fact, in order, each judged exactly as its kind's
 * entrypoint would judge the fact alone; a fact without a known kind gets `{}`.
 *
 * Each rule is called through `_selected`: when the input carries
 * `_vigil_rules` (the rule index's choice for that fact), only the rules it
 * names are evaluated; without it, every rule of the kind is.
 */
export function generateMain(rules: readonly RuleMeta[], hasExceptions: boolean): string {
  const lines = [
    '# Generated by engine/src/policy/build.ts at bundle build time. Do not edit.',
    'package vigil.main',
    '',
    '# The engine sets data.vigil.today ("YYYY-MM-DD"): WASM policies have no clock.',
    'default _today := ""',
    '',
    '_today := data.vigil.today',
    '',
  ];
  for (const kind of FACT_KINDS) {
    const ofKind = rules.filter((r) => r.kind === kind);
    lines.push(`${kind} := {id: msgs |`);
    lines.push(`\tsome id, msgs in _${kind}`);
    lines.push('\tcount(msgs) > 0');
    if (hasExceptions) lines.push('\tnot data.vigil.lib.exceptions.excepted(id, input, _today)');
    lines.push('}', '');
    if (ofKind.length === 0) lines.push(`_${kind} := {}`, '');
    for (const rule of ofKind) lines.push(`_${kind}[${JSON.stringify(rule.id)}] := data.${rule.package}.deny if _selected(${JSON.stringify(rule.id)})`, '');
  }
  lines.push(
    `_selected(_) if not input.${SELECTED_RULES_KEY}`,
    '',
    `_selected(id) if input.${SELECTED_RULES_KEY}[id]`,
    '',
  );
  lines.push(
    '# One evaluation per batch: each fact in turn is the input of its kind\'s entrypoint.',
    'batch := [result | some fact in input.facts; result := _judged with input as fact]',
    '',
    'default _judged := {}',
    '',
  );
  for (const kind of FACT_KINDS) lines.push(`_judged := ${kind} if input.kind == ${JSON.stringify(kind)}`, '');
  return lines.join('\n');
}

async function copyPolicies(from: string, to: string): Promise<void> {
  await fs.cp(from, to, {
    recursive: true,
    filter: (source) => {
      const base = path.basename(source);
      if (base === 'examples' || base.startsWith('.')) return source === from;
      if (base.endsWith('_test.rego')) return false;
      return true;
    },
  });
}

/**
 * Each rule with its file named relative to the policy directory and its
 * digest: its own file, the files of rule packages it imports, and one hash
 * of every other file of the bundle (libraries, data), so a change to any
 * library or data changes every rule's digest.
 */
async function withDigests(staging: string, rules: readonly RuleMeta[]): Promise<RuleMeta[]> {
  const files = (await fs.readdir(staging, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  const content = new Map(await Promise.all(files.map(async (f) => [f, await fs.readFile(f)] as const)));
  const ruleFiles = new Map(rules.map((r) => [r.package, path.resolve(staging, r.file)]));
  const ownFiles = new Set(ruleFiles.values());
  const shared = crypto.createHash('sha256');
  for (const file of files) {
    if (ownFiles.has(file)) continue;
    shared.update(path.relative(staging, file));
    shared.update(content.get(file)!);
  }
  const sharedDigest = shared.digest('hex');
  return rules.map((rule) => {
    const file = ruleFiles.get(rule.package)!;
    const source = content.get(file) ?? Buffer.alloc(0);
    const hash = crypto.createHash('sha256').update(sharedDigest).update(source);
    for (const [, imported] of source.toString('utf8').matchAll(/^\s*import\s+data\.([\w.]+)/gm)) {
      const other = ruleFiles.get(imported!);
      if (other !== undefined && other !== file) hash.update(content.get(other) ?? Buffer.alloc(0));
    }
    return { ...rule, file: path.relative(staging, file), digest: hash.digest('hex').slice(0, 32) };
  });
}

async function contentRevision(dir: string, settings: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  hash.update(settings);
  const entries = (await fs.readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  for (const file of entries) {
    hash.update(path.relative(dir, file));
    hash.update(await fs.readFile(file));
  }
  return hash.digest('hex').slice(0, 16);
}

function stderrOf(error: unknown, staging?: string, original?: string): string {
  const { stdout, stderr } = error as { stdout?: string; stderr?: string };
  const output = [stderr, stdout].filter((s) => s && s.trim()).join('\n') || String(error);
  return staging && original ? output.split(staging).join(original) : output;
}
