import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { parseBundle, PolicyEvaluator, resolveTool, VigilEngineError, type Bundle } from '../../src/index.js';
import { CUSTOM_BUILTINS, requiredBuiltins, SDK_BUILTINS } from '../../src/policy/builtins.js';

const run = promisify(execFile);
/** OPA's semver.compare never returns on some inputs (two int64-overflowing identifiers last): never wait on it. */
const OPA_TIMEOUT_MS = 20_000;

/**
 * Each case list is run through OPA (`opa eval`) and through the same policy
 * compiled to WASM with Vigil's built-ins. `[x | x := f(...)]` turns an
 * undefined call into `[]`, and json.marshal keeps every digit of a
 * nanosecond count, so the two answers are compared exactly.
 */
const COMPARE_POLICY = `package t

results := {
	"rfc3339": [json.marshal([n | n := time.parse_rfc3339_ns(s)]) | some s in input.rfc3339],
	"duration": [json.marshal([n | n := time.parse_duration_ns(s)]) | some s in input.durations],
	"is_valid": [json.marshal([b | b := semver.is_valid(v)]) | some v in input.versions],
	"compare": [json.marshal([c | c := semver.compare(p[0], p[1])]) | some p in input.pairs],
}

now := json.marshal(time.now_ns())
`;

const RFC3339 = [
  '2024-01-01T00:00:00Z',
  '2024-01-01T00:00:00.123456789Z',
  '2024-01-01T00:00:00.1234567891234Z',
  '2024-01-01T00:00:00.5Z',
  '2024-02-29T12:30:45+05:30',
  '2024-06-30T23:59:59.5-08:00',
  '2024-01-01T00:00:00-00:00',
  '1970-01-01T00:00:00Z',
  '1969-12-31T23:59:59.999999999Z',
  '2000-02-29T00:00:00Z',
  // Go's parser is laxer than RFC 3339 here.
  '2024-01-01T1:00:00Z',
  '2024-01-01T00:00:00,5Z',
  '2024-01-01T00:00:00+24:00',
  '2024-01-01T00:00:00+00:60',
  // The int64 nanosecond range.
  '1677-09-21T00:12:43.145224192Z',
  '1677-09-21T00:12:43.145224191Z',
  '2262-04-11T23:47:16.854775807Z',
  '2262-04-11T23:47:16.854775808Z',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  // Invalid.
  '2023-02-29T00:00:00Z',
  '1900-02-29T00:00:00Z',
  '2024-04-31T00:00:00Z',
  '2024-13-01T00:00:00Z',
  '2024-00-01T00:00:00Z',
  '2024-01-00T00:00:00Z',
  '2024-01-01T24:00:00Z',
  '2024-01-01T00:60:00Z',
  '2024-01-01T00:00:60Z',
  '2024-01-01T00:00:00+25:00',
  '2024-01-01T00:00:00+00:61',
  '2024-01-01T00:00:00+0530',
  '2024-01-01T00:00:00*05:30',
  '2024-01-01t00:00:00Z',
  '2024-01-01 00:00:00Z',
  '2024-01-01T00:00:00',
  '2024-01-01T00:00:00z',
  '2024-01-01T00:00:00.Z',
  '2024-01-01T00:00:00ZZ',
  '2024-1-01T00:00:00Z',
  '24-01-01T00:00:00Z',
  '2024-01-01T00:0:00Z',
  '2024-01-01T001:00:00Z',
  '',
  1704067200,
  null,
];

const DURATIONS = [
  '1h30m',
  '250ms',
  '1.5h',
  '-1.5h',
  '+2h45m',
  '1h1m1s1ms1us1ns',
  '300us',
  '300\u00b5s',
  '300\u03bcs',
  '1.s',
  '.5s',
  '0',
  '-0',
  '+0',
  '0s',
  '0.000000001s',
  '0.0000000001s',
  '0.1234567890123456789h',
  '1.0000000000000000000001s',
  '3.9999999999999999999m',
  '2562047h47m16.854775807s',
  '2562047h47m16.854775808s',
  '-2562047h47m16.854775808s',
  '-2562047h47m16.854775809s',
  '9223372036854775807ns',
  '9223372036854775808ns',
  '-9223372036854775808ns',
  '99999999999999999999ns',
  '2562048h',
  // OPA adds days, weeks and 365-day years to Go's units.
  '7d',
  '1.5d',
  '-1d12h',
  '1w2d',
  '1.3w',
  '0.1y',
  '1s1y',
  '292y',
  '293y',
  '106751d23h47m16.854775807s',
  '106752d',
  // Invalid.
  '1mo',
  '1M',
  '1D',
  '1yr',
  '1day',
  '',
  '1',
  'h',
  '.s',
  '-.s',
  '1hm',
  '1H',
  '1h 30m',
  ' 1h',
  '--1h',
  '1h-30m',
  5,
  null,
];

const VERSIONS = [
  '1.0.0',
  '0.0.0',
  'v1.2.3',
  '1.2.3-rc.1+build.5',
  '1.0.0-0',
  '1.0.0-0A',
  '1.0.0-alpha-',
  '1.0.0-alpha.-5',
  '1.0.0-x.7.z.92',
  '1.0.0+001',
  '1.0.0+build.01',
  '9223372036854775807.0.0',
  '1.0.0-99999999999999999999',
  // Invalid.
  '9223372036854775808.0.0',
  '01.0.0',
  '1.01.0',
  '1.0.0-01',
  '1.0.0-00',
  '1.0',
  '1.0.0.0',
  'V1.0.0',
  'vv1.0.0',
  'v',
  '1.0.0-',
  '1.0.0+',
  '1.0.0-alpha.',
  '1.0.0-alpha..1',
  '1.0.0+.a',
  '1.0.0-alpha_beta',
  '1.0.0-a+b+c',
  '-1.0.0',
  '+1.0.0',
  ' 1.0.0',
  '1.0.0\n',
  '1.0.0-\u0661',
  '',
  1,
  null,
];

/** SemVer 2.0's own precedence example, lowest first. */
const PRECEDENCE = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0'];

/** Every pair of these (at most one version with an int64-overflowing identifier: see OPA_TIMEOUT_MS). */
const COMPARED = [
  ...PRECEDENCE,
  '1.0.0+build.1',
  'v1.0.0',
  '0.9.9',
  '1.0.1',
  '1.1.0',
  '2.0.0-0',
  '10.0.0',
  '1.0.0-alpha.-5',
  '1.0.0-alpha.a',
  '1.0.0-Alpha',
  '1.0.0-alpha.1.1',
  '1.0.0-99999999999999999999',
  '1.0.0-9',
  '1.0.0--',
  '9223372036854775807.0.0',
  '1.0',
  'not.a.version',
];

const PAIRS: unknown[][] = [
  ...COMPARED.flatMap((a) => COMPARED.map((b) => [a, b])),
  ['1.0.0-99999999999999999999.b', '1.0.0-100000000000000000000.a'],
  [1, '1.0.0'],
  ['1.0.0', null],
];

interface CompareResults {
  rfc3339: string[];
  duration: string[];
  is_valid: string[];
  compare: string[];
}

async function opaBuild(opa: string, dir: string, rego: string, entrypoints: string[]): Promise<Bundle> {
  const src = path.join(dir, 'src');
  await fs.mkdir(src, { recursive: true });
  await fs.writeFile(path.join(src, 'policy.rego'), rego);
  await fs.writeFile(path.join(src, '.manifest'), JSON.stringify({ revision: 'builtins-test', metadata: { vigil: { format: 1, rules: [], enabled: [] } } }));
  const out = path.join(dir, 'bundle.tar.gz');
  await run(opa, ['build', '-b', src, '-t', 'wasm', ...entrypoints.flatMap((e) => ['-e', e]), '-o', out], { timeout: OPA_TIMEOUT_MS });
  return parseBundle(await fs.readFile(out), out);
}

async function opaEval(opa: string, dir: string, input: unknown, query: string): Promise<unknown> {
  const inputFile = path.join(dir, 'input.json');
  await fs.writeFile(inputFile, JSON.stringify(input));
  const { stdout } = await run(opa, ['eval', '--format', 'json', '--data', path.join(dir, 'src', 'policy.rego'), '--input', inputFile, query], {
    timeout: OPA_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
  });
  const output = JSON.parse(stdout) as { result?: { expressions: { value: unknown }[] }[] };
  return output.result?.[0]?.expressions[0]?.value;
}

describe('policy built-ins', () => {
  let opa: string;
  let root: string;
  let dirCount = 0;
  const tempDir = async (): Promise<string> => {
    const dir = path.join(root, String(dirCount++));
    await fs.mkdir(dir);
    return dir;
  };

  beforeAll(async () => {
    opa = resolveTool('opa');
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-builtins-test-'));
  });

  afterAll(async () => {
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  it('policy built-ins - time and semver built-ins answer exactly as OPA does', async () => {
    const dir = await tempDir();
    const bundle = await opaBuild(opa, dir, COMPARE_POLICY, ['t/results', 't/now']);
    const input = { rfc3339: RFC3339, durations: DURATIONS, versions: VERSIONS, pairs: PAIRS };

    const policy = await loadPolicy(bundle.wasm, undefined, CUSTOM_BUILTINS);
    // Every custom built-in is one OPA leaves to the host (none is compiled in natively).
    expect(requiredBuiltins(policy)).toEqual(expect.arrayContaining(Object.keys(CUSTOM_BUILTINS)));
    const wasmResults = (policy.evaluate(input, 't/results') as { result: CompareResults }[])[0]?.result;
    const opaResults = (await opaEval(opa, dir, input, 'data.t.results')) as CompareResults;

    // Side by side per case, so a mismatch names its input.
    const sideBySide = (key: keyof CompareResults, cases: readonly unknown[]) =>
      cases.map((c, i) => ({ case: c, opa: opaResults[key][i], wasm: wasmResults?.[key][i] }));
    const mismatches = (key: keyof CompareResults, cases: readonly unknown[]) => sideBySide(key, cases).filter((r) => r.opa !== r.wasm);

    for (const [key, cases] of [['rfc3339', RFC3339], ['duration', DURATIONS], ['is_valid', VERSIONS], ['compare', PAIRS]] as const) {
      expect(opaResults[key]).toHaveLength(cases.length);
      expect(mismatches(key, cases)).toEqual([]);
    }
    // The corpora exercise both outcomes: values and undefined (OPA's answer to a built-in error).
    for (const key of ['rfc3339', 'duration', 'compare'] as const) {
      const undefinedCount = opaResults[key].filter((r) => r === '[]').length;
      expect(undefinedCount).toBeGreaterThan(2);
      expect(opaResults[key].length - undefinedCount).toBeGreaterThan(10);
    }
    expect(new Set(opaResults.is_valid)).toEqual(new Set(['[true]', '[false]']));
    expect(new Set(opaResults.compare)).toEqual(new Set(['[-1]', '[0]', '[1]', '[]']));
    // Nanoseconds beyond 2^53 keep every digit.
    expect(wasmResults?.rfc3339[RFC3339.indexOf('2024-01-01T00:00:00.123456789Z')]).toBe('[1704067200123456789]');
    expect(wasmResults?.duration[DURATIONS.indexOf('9223372036854775807ns')]).toBe('[9223372036854775807]');
    // SemVer 2.0's precedence example, in order.
    const pairResult = (a: string, b: string) => wasmResults?.compare[PAIRS.findIndex((p) => p[0] === a && p[1] === b)];
    for (let i = 1; i < PRECEDENCE.length; i++) {
      expect([pairResult(PRECEDENCE[i - 1] ?? '', PRECEDENCE[i] ?? ''), pairResult(PRECEDENCE[i] ?? '', PRECEDENCE[i - 1] ?? '')]).toEqual(['[-1]', '[1]']);
    }
  });

  it('policy built-ins - time.now_ns is the wall clock in nanoseconds, as in OPA', async () => {
    const dir = await tempDir();
    const bundle = await opaBuild(opa, dir, COMPARE_POLICY, ['t/now']);
    const policy = await loadPolicy(bundle.wasm, undefined, CUSTOM_BUILTINS);
    const before = BigInt(Date.now()) * 1_000_000n;
    const wasmNow = BigInt((policy.evaluate({}, 't/now') as { result: string }[])[0]?.result ?? 'NaN');
    const after = BigInt(Date.now()) * 1_000_000n;
    expect(wasmNow >= before && wasmNow <= after).toBe(true);
    const opaNow = BigInt((await opaEval(opa, dir, {}, 'data.t.now')) as string);
    const gap = opaNow > wasmNow ? opaNow - wasmNow : wasmNow - opaNow;
    expect(gap < 60_000_000_000n).toBe(true);
  });

  it('policy built-ins - a bundle calling only implemented built-ins loads and evaluates', async () => {
    const dir = await tempDir();
    const rego = `package vigil.main

container := {"builtins": [msg]} if {
	semver.compare(input.container.image_version, "1.2.0") < 0
	time.parse_duration_ns("90s") > time.parse_duration_ns("1m")
	msg := sprintf("image %s is older than 1.2.0", [input.container.image_version])
}
`;
    const bundle = await opaBuild(opa, dir, rego, ['vigil/main/container']);
    const rule = { id: 'builtins', title: 'builtins', severity: 'low', kinds: ['container'] };
    const withRule = { ...bundle, manifest: { ...bundle.manifest, rules: [rule], enabled: ['builtins'] } } as unknown as Bundle;
    const evaluator = await PolicyEvaluator.load(withRule);
    const hits = evaluator.evaluate({ kind: 'container', container: { image_version: '1.1.9' } } as never, 'container');
    expect(hits.map((h) => [h.rule.id, h.messages])).toEqual([['builtins', ['image 1.1.9 is older than 1.2.0']]]);
    expect(evaluator.evaluate({ kind: 'container', container: { image_version: '1.2.0' } } as never, 'container')).toEqual([]);
  });

  it('policy built-ins - a bundle calling a built-in nobody implements is refused at load, naming it', async () => {
    const dir = await tempDir();
    const rego = `package vigil.main

container := {"remote": [r.status]} if {
	r := http.send({"method": "GET", "url": input.container.url})
}

image := {"certs": [c.Subject.CommonName]} if {
	some c in crypto.x509.parse_certificates(input.image.pem)
	semver.is_valid(input.image.version)
}
`;
    const bundle = await opaBuild(opa, dir, rego, ['vigil/main/container', 'vigil/main/image']);
    const error = await PolicyEvaluator.load(bundle).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VigilEngineError);
    expect((error as VigilEngineError).code).toBe('VIGIL_ERR_BUNDLE_BUILTIN');
    expect((error as VigilEngineError).message).toContain('crypto.x509.parse_certificates, http.send,');
    expect((error as VigilEngineError).message).not.toContain('semver.is_valid');
  });

  it('policy built-ins - the SDK set Vigil assumes is what the installed opa-wasm implements', () => {
    const require = createRequire(import.meta.url);
    const sdkEntry = require.resolve('@open-policy-agent/opa-wasm');
    const sdkBuiltins = require(path.join(path.dirname(sdkEntry), 'builtins', 'index.js')) as Record<string, unknown>;
    expect(Object.keys(sdkBuiltins).sort()).toEqual([...SDK_BUILTINS].sort());
    // Vigil's own never shadow the SDK's (the SDK would win).
    expect(Object.keys(CUSTOM_BUILTINS).filter((name) => SDK_BUILTINS.has(name))).toEqual([]);
  });
});
