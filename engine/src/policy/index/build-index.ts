import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { VigilEngineError } from '../../errors.js';
import type { RuleMeta } from '../rules.js';
import { isAlways, type Condition } from './conditions.js';
import { IndexDeriver, type AstModule } from './derive.js';
import { INDEXED_KINDS, type RuleIndexDocument } from './rule-index.js';

const run = promisify(execFile);
const PARSE_CONCURRENCY = 4;

/**
 * Derives the rule index of a staged policy directory: parses every module
 * with `opa parse` and, for each enabled rule of a runtime kind, works out
 * what a fact must meet for it to fire. Undefined when no such rule is enabled.
 */
export async function buildRuleIndex(opa: string, dir: string, enabled: readonly RuleMeta[], shownAs = dir): Promise<RuleIndexDocument | undefined> {
  const indexed = enabled.filter((r) => INDEXED_KINDS.includes(r.kind));
  if (indexed.length === 0) return undefined;
  const deriver = new IndexDeriver(await parseModules(opa, dir, shownAs));
  const conditions: Record<string, Condition> = {};
  for (const rule of indexed) {
    const condition = deriver.denyCondition(rule.package);
    if (!isAlways(condition)) conditions[rule.id] = condition;
  }
  return { format: 1, kinds: [...new Set(indexed.map((r) => r.kind))], conditions };
}

async function parseModules(opa: string, dir: string, shownAs: string): Promise<AstModule[]> {
  const files = (await fs.readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && e.name.endsWith('.rego'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  const modules: AstModule[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next++]!;
      try {
        const { stdout } = await run(opa, ['parse', '--format', 'json', '--json-include', '-comments', file], { maxBuffer: 64 * 1024 * 1024 });
        modules.push(JSON.parse(stdout) as AstModule);
      } catch (error) {
        const { stderr } = error as { stderr?: string };
        throw new VigilEngineError('VIGIL_ERR_POLICY_COMPILE', [shownAs, (stderr || String(error)).split(dir).join(shownAs)], { cause: error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARSE_CONCURRENCY, files.length) }, worker));
  return modules;
}
