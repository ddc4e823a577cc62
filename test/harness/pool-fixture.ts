import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildBundle, readBundleFile, type Bundle } from '../../engine/src/index.js';
import { decodeAlert, decodeDeadLetter, decodeVerdict, encodeFactBatch, subjects, type FactInit } from '../../proto/src/index.js';
import type { FactMessage, Judgement } from '../../engine/src/internal.js';
import { ruleText } from './rule-text.js';

const RULE = (id: string, pkg: string, body: string): string => ruleText(id, 'container', pkg, body);

/**
 * Test policies compiled with `opa build`: T-1 flags privileged containers
 * (its message says which bundle judged), T-LOOP runs for hours for a container
 * named "loop" (8e9 comparisons; it allocates about 85 MiB/s), T-BLOAT allocates without
 * bound for one named "bloat". Exceptions name a rule and a container.
 */
export async function buildTestBundles(dir: string): Promise<{ v1: Bundle; v2: Bundle }> {
  const build = async (version: string): Promise<Bundle> => {
    const src = path.join(dir, `src-${version}`);
    await fs.mkdir(path.join(src, 'container'), { recursive: true });
    await fs.mkdir(path.join(src, 'lib'), { recursive: true });
    await fs.writeFile(
      path.join(src, 'container', 'privileged.rego'),
      RULE('T-1', 'vigil.container.privileged', `deny contains sprintf("%s is privileged (${version})", [input.container.name]) if input.container.privileged`),
    );
    await fs.writeFile(
      path.join(src, 'container', 'loop.rego'),
      RULE(
        'T-LOOP',
        'vigil.container.loop',
        [
          'deny contains "never" if {',
          '\tinput.container.name == "loop"',
          '\txs := numbers.range(1, 2000)',
          '\tsome a in xs',
          '\tsome b in xs',
          '\ta > b',
          '\tsome c in xs',
          '\tb > c',
          '\tc > 5000',
          '}',
        ].join('\n'),
      ),
    );
    await fs.writeFile(
      path.join(src, 'container', 'bloat.rego'),
      RULE('T-BLOAT', 'vigil.container.bloat', 'deny contains "huge" if {\n\tinput.container.name == "bloat"\n\tcount(numbers.range(1, 100000000)) > 0\n}'),
    );
    await fs.writeFile(
      path.join(src, 'lib', 'exceptions.rego'),
      'package vigil.lib.exceptions\n\nexcepted(rule_id, fact, _) if {\n\tsome e in data.vigil.exceptions\n\te.rule == rule_id\n\te.name == fact.container.name\n}\n',
    );
    await fs.writeFile(path.join(src, 'data.json'), JSON.stringify({ vigil: { exceptions: [] } }));
    const outFile = path.join(dir, `${version}.tar.gz`);
    await buildBundle({ policyDir: src, outFile });
    return readBundleFile(outFile);
  };
  return { v1: await build('v1'), v2: await build('v2') };
}

export async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'vigil-pool-test-'));
}

export const container = (name: string, privileged = true): FactInit => ({
  id: `fact-${name}`,
  container: { id: `id-${name}`, name, image: 'busybox', privileged },
});

export const message = (...facts: FactInit[]): FactMessage => ({
  subject: subjects.facts('container', 'pool-host'),
  data: encodeFactBatch({ facts }),
});

/** The judgements' publications, decoded by kind. */
export function decoded(judgements: readonly Judgement[]) {
  const publications = judgements.flatMap((j) => j.publications);
  const verdicts = publications.filter((p) => p.subject.startsWith('vigil.verdicts.')).map((p) => decodeVerdict(p.payload));
  const alerts = publications.filter((p) => p.subject.startsWith('vigil.alerts.')).map((p) => decodeAlert(p.payload));
  const deadLetters = publications.filter((p) => p.subject.startsWith('vigil.dlq.')).map((p) => ({ subject: p.subject, letter: decodeDeadLetter(p.payload) }));
  return { verdicts, alerts, deadLetters };
}

export async function until(check: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
