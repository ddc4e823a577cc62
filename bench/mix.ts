import fs from 'node:fs';
import path from 'node:path';
import { v1, type FactInit, type FactKind } from '../proto/src/index.js';
import { packageRoot } from '../engine/src/index.js';

/** Share of each example directory in the mix: mostly runtime events, some container and image facts. */
const MIX: ReadonlyArray<{ dir: string; weight: number }> = [
  { dir: 'runtime', weight: 80 },
  { dir: 'container', weight: 15 },
  { dir: 'image', weight: 5 },
];

export interface MixedFact {
  fact: FactInit;
  kind: FactKind;
  /** The example file the fact was made from: facts of one template get the same findings. */
  template: string;
}

/**
 * A deterministic mix of facts built from the policy library's example facts
 * (policies/examples): 80 % runtime events, 15 % container and 5 % image facts,
 * each with a fresh id so no two facts (or alerts) are the same.
 */
export function mixedFacts(count: number): MixedFact[] {
  const templates = MIX.map(({ dir, weight }) => ({ weight, facts: loadExamples(dir) }));
  const total = templates.reduce((sum, t) => sum + t.weight, 0);
  const out: MixedFact[] = [];
  for (let i = 0; i < count; i++) {
    let slot = (i * 37) % total;
    const group = templates.find((t) => (slot -= t.weight) < 0) ?? templates[0]!;
    const template = group.facts[Math.floor(i / total) % group.facts.length]!;
    const fact = v1.Fact.fromObject({ ...template.input, id: `bench-${i}`, sequence: i });
    out.push({ fact, kind: template.kind, template: template.file });
  }
  return out;
}

export interface Example {
  input: Record<string, unknown> & { kind: FactKind };
  kind: FactKind;
  file: string;
  /** The example expects no finding. */
  clean: boolean;
}

/** The example facts of one policies/examples directory, in file order. */
export function loadExamples(dir: string): Example[] {
  const root = path.join(packageRoot(), 'policies', 'examples', dir);
  return fs
    .readdirSync(root)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const { input, expect } = JSON.parse(fs.readFileSync(path.join(root, f), 'utf8')) as { input: Example['input']; expect?: unknown[] };
      return { input, kind: input.kind, file: `${dir}/${f}`, clean: (expect ?? []).length === 0 };
    });
}
