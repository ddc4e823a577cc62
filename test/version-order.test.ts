import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { defaultBundlePath, PolicyEvaluator, readBundleFile, type Bundle } from '../engine/src/index.js';
import type { PolicyInput } from '../proto/src/index.js';
import { seededRandom } from './support/seeded-random.js';

/**
 * Vulnerability matching orders versions exactly as the package managers do.
 * Every comparison below goes through the compiled WASM of the default bundle:
 * package i of one image fact has version a_i, and the feed says "fixed in
 * b_i" (affected iff a_i < b_i) and "last affected b_i" (iff a_i <= b_i), so
 * VGL-IMG-016's findings spell out Vigil's order of each pair.
 *
 * - Debian: thousands of generated pairs against `dpkg --compare-versions`.
 * - Alpine: apk-tools' own test vectors, and chains built from apk's
 *   documented ordering (suffixes, `_p`, `-r`).
 */
const run = promisify(execFile);
type Order = -1 | 0 | 1;

let bundle: Bundle;
beforeAll(async () => {
  bundle = await readBundleFile(defaultBundlePath());
});

/** Vigil's order of each pair, from evaluations of VGL-IMG-016 over a thousand pairs at a time. */
async function vigilOrder(ecosystem: string, pairs: ReadonlyArray<readonly [string, string]>): Promise<Order[]> {
  const orders: Order[] = [];
  for (let i = 0; i < pairs.length; i += 1_000) orders.push(...(await vigilOrderOnce(ecosystem, pairs.slice(i, i + 1_000))));
  return orders;
}

async function vigilOrderOnce(ecosystem: string, pairs: ReadonlyArray<readonly [string, string]>): Promise<Order[]> {
  const vulnerabilities = pairs.flatMap(([, b], i) => [
    { id: `LT-${i}`, affected: [{ package: { ecosystem, name: `p${i}` }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: b }] }] }] },
    { id: `LE-${i}`, affected: [{ package: { ecosystem, name: `p${i}` }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { last_affected: b }] }] }] },
  ]);
  const evaluator = await PolicyEvaluator.load(bundle, { vigil: { vulnerabilities } });
  const input: PolicyInput = {
    kind: 'image',
    image: { reference: 'pairs', packages: pairs.map(([a], i) => ({ name: `p${i}`, version: a, ecosystem, source_name: '' })) },
  };
  const fired = new Set<string>();
  for (const hit of evaluator.evaluate(input, 'image')) {
    if (hit.rule.id !== 'VGL-IMG-016') continue;
    for (const message of hit.messages) {
      const id = / is affected by ((?:LT|LE)-\d+) /.exec(message)?.[1];
      if (id) fired.add(id);
    }
  }
  return pairs.map((_, i) => (fired.has(`LT-${i}`) ? -1 : fired.has(`LE-${i}`) ? 0 : 1));
}

/** Debian versions in the shapes archives hold: epochs, ~ pre-releases, +dfsg, ~debNuM, letters, leading zeros. */
function debianVersions(seed: number, count: number): Array<[string, string]> {
  const next = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const digits = (): string => pick(['0', '1', '2', '9', '10', '01', '009', '20240101', String(Math.floor(next() * 100))]);
  const separator = (): string => pick(['.', '.', '.', '+', '~', '']);
  const word = (): string => pick(['a', 'b', 'rc', 'beta', 'dfsg', 'ds', 'git', 'Z', 'deb12u', 'ubuntu', 'build']);
  const upstream = (): string => {
    let v = digits();
    for (let i = Math.floor(next() * 4); i > 0; i--) v += next() < 0.3 ? `${separator()}${word()}${next() < 0.6 ? digits() : ''}` : `.${digits()}`;
    return v;
  };
  const revision = (): string => {
    let r = pick(['1', '2', '0', '10', '1.1', '3', '0ubuntu1', '1build']);
    if (next() < 0.4) r += `${pick(['+', '~', '.'])}${word()}${digits()}`;
    return r;
  };
  const version = (): string => {
    const epoch = next() < 0.15 ? `${pick(['0', '1', '2', '10'])}:` : '';
    return `${epoch}${upstream()}${next() < 0.7 ? `-${revision()}` : ''}`;
  };
  // Near neighbours decide more than independent pairs: one edit apart.
  const neighbour = (v: string): string => {
    switch (Math.floor(next() * 8)) {
      case 0:
        return `${v}~${word()}`;
      case 1:
        return `${v}${pick(['.0', '+b1', 'a', '.1', '~'])}`;
      case 2:
        return v.replace(/\d+/, (d) => String(Number(d) + 1));
      case 3:
        return v.replace(/\d(?!.*\d)/, (d) => pick(['0', '00', String(Number(d) + 1), `${d}0`]));
      case 4:
        return v.includes(':') ? v.slice(v.indexOf(':') + 1) : `1:${v}`;
      case 5:
        return v.replace(/[.+~]/, () => pick(['.', '+', '~']));
      case 6:
        return v.includes('-') ? v.slice(0, v.lastIndexOf('-')) : `${v}-0`;
      default:
        return v;
    }
  };
  const pairs: Array<[string, string]> = [];
  while (pairs.length < count) {
    const a = version();
    pairs.push(next() < 0.35 ? [a, version()] : [a, neighbour(a)]);
  }
  return pairs;
}

/** dpkg's own answers, from one shell that runs `dpkg --compare-versions` per pair. */
async function dpkgOrder(pairs: ReadonlyArray<readonly [string, string]>): Promise<Order[]> {
  const script = 'while IFS=" " read -r a b; do if dpkg --compare-versions "$a" lt "$b"; then echo -1; elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi; done';
  const child = execFile('bash', ['-c', script], { maxBuffer: 16 * 1024 * 1024 });
  let out = '';
  child.stdout!.on('data', (chunk: string) => (out += chunk));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`dpkg loop exited ${code}`))));
  });
  child.stdin!.end(pairs.map(([a, b]) => `${a} ${b}\n`).join(''));
  await done;
  return out.trim().split('\n').map((line) => Number(line) as Order);
}

describe('Debian: Vigil orders versions as dpkg does', () => {
  it('agrees with dpkg --compare-versions on 3,000 generated version pairs', async () => {
    await run('dpkg', ['--version']).catch((error: Error) => {
      throw new Error(`dpkg is needed as the reference for Debian version order: ${error.message}`);
    });
    const pairs = debianVersions(20261202, 3_000);
    const [expected, actual] = await Promise.all([dpkgOrder(pairs), vigilOrder('Debian:12', pairs)]);
    expect(expected).toHaveLength(pairs.length);
    const disagreements = pairs.map((pair, i) => ({ pair, dpkg: expected[i], vigil: actual[i] })).filter((d) => d.dpkg !== d.vigil);
    console.log(
      `dpkg differential: ${pairs.length - disagreements.length}/${pairs.length} pairs agree ` +
        `(dpkg says < ${expected.filter((o) => o === -1).length}, = ${expected.filter((o) => o === 0).length}, > ${expected.filter((o) => o === 1).length})`,
    );
    expect(disagreements.slice(0, 10)).toEqual([]);
    // The generator must reach all three outcomes, or the agreement says little.
    expect(new Set(expected)).toEqual(new Set([-1, 0, 1]));
  }, 180_000);
});

describe('Alpine: Vigil orders versions as apk does', () => {
  it("agrees with every pair of apk-tools' own version test data", async () => {
    const lines = readFileSync(path.resolve('test', 'fixtures', 'apk-version.data'), 'utf8')
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter((line) => line !== '');
    const cases = lines.map((line) => {
      const [a, op, b] = line.split(/\s+/) as [string, string, string];
      return { a, b, expected: (op === '<' ? -1 : op === '=' ? 0 : 1) as Order };
    });
    expect(cases.length).toBeGreaterThan(600);
    const actual = await vigilOrder('Alpine:v3.20', cases.map((c) => [c.a, c.b] as const));
    const disagreements = cases.filter((c, i) => actual[i] !== c.expected);
    console.log(`apk-tools test data: ${cases.length - disagreements.length}/${cases.length} pairs agree`);
    expect(disagreements).toEqual([]);
  }, 60_000);

  it("follows apk's documented ordering of suffixes, _p patch levels and -r revisions", async () => {
    const next = seededRandom(3200);
    const chains: string[][] = [];
    for (let i = 0; i < 20; i++) {
      const base = `${Math.floor(next() * 20)}.${Math.floor(next() * 30)}${next() < 0.5 ? `.${Math.floor(next() * 10)}` : ''}`;
      const n = 1 + Math.floor(next() * 9);
      chains.push([
        `${base}_alpha`,
        `${base}_alpha${n}`,
        `${base}_beta${n}`,
        `${base}_pre${n}`,
        `${base}_rc${n}`,
        base,
        `${base}-r${n}`,
        `${base}-r${n + 1}`,
        `${base}-r${n * 10}`,
        `${base}_cvs`,
        `${base}_svn`,
        `${base}_git`,
        `${base}_hg`,
        `${base}_p${n}`,
        `${base}_p${n}-r1`,
        `${base}_p${n + 1}`,
        `${base}_p${n * 10}`,
        `${base}a`,
        `${base}z`,
        `${base}.1`,
      ]);
    }
    // Every ordered pair of each chain, both ways round.
    const pairs: Array<[string, string]> = [];
    const expected: Order[] = [];
    for (const chain of chains) {
      for (let i = 0; i < chain.length; i++) {
        for (let j = i + 1; j < chain.length; j++) {
          pairs.push([chain[i]!, chain[j]!], [chain[j]!, chain[i]!]);
          expected.push(-1, 1);
        }
      }
    }
    const actual = await vigilOrder('Alpine:v3.20', pairs);
    const disagreements = pairs.map((pair, i) => ({ pair, expected: expected[i], vigil: actual[i] })).filter((d) => d.expected !== d.vigil);
    expect(disagreements.slice(0, 10)).toEqual([]);
  }, 60_000);
});
