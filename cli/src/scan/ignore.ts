import fs from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { UsageError } from '../errors.js';
import type { ScanFinding } from './scan.js';

/** One entry of an ignore file: a rule, optionally only under some paths, until a date, and why. */
export interface IgnoreEntry {
  rule: string;
  paths: string[];
  /** YYYY-MM-DD, the last day it applies; "" for no end. */
  expires: string;
  statement: string;
}

export interface IgnoredFinding extends ScanFinding {
  ignored: { statement: string; expires: string };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Reads `.vigilignore` (one entry per line: `RULE_ID [PATH-GLOB...] [exp:YYYY-MM-DD]`,
 * `#` comments) or its YAML form (`.vigilignore.yaml`: `rules: [{id, paths,
 * expires, statement}]`). Undefined when the default file is absent; a file
 * named on the command line must exist, and a malformed one is refused
 * whole, with the line or entry at fault.
 */
export async function readIgnoreFile(file: string, required: boolean): Promise<IgnoreEntry[] | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read ignore file ${file}: ${(error as Error).message}`);
  }
  return /\.ya?ml$/i.test(file) ? parseYaml(text, file) : parseLines(text, file);
}

function parseLines(text: string, file: string): IgnoreEntry[] {
  const out: IgnoreEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') return;
    const [rule, ...rest] = line.split(/\s+/);
    let expires = '';
    const paths: string[] = [];
    for (const token of rest) {
      if (token.startsWith('exp:')) expires = token.slice(4);
      else paths.push(token);
    }
    if (expires !== '' && !DATE.test(expires)) throw new UsageError(`${file}:${index + 1}: exp: expected YYYY-MM-DD (actual: ${expires})`);
    out.push({ rule: rule!, paths, expires, statement: '' });
  });
  return out;
}

function parseYaml(text: string, file: string): IgnoreEntry[] {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: not YAML: ${(error as Error).message}`);
  }
  const rules = (doc as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) throw new UsageError(`${file}: expected a top-level "rules" list of {id, paths, expires, statement}`);
  return rules.map((entry, i) => {
    const e = entry as { id?: unknown; paths?: unknown; expires?: unknown; statement?: unknown };
    if (typeof e?.id !== 'string' || e.id === '') throw new UsageError(`${file}: rules[${i}]: id is required`);
    const expires = e.expires === undefined ? '' : String(e.expires instanceof Date ? e.expires.toISOString().slice(0, 10) : e.expires);
    if (expires !== '' && !DATE.test(expires)) throw new UsageError(`${file}: rules[${i}]: expires: expected YYYY-MM-DD (actual: ${expires})`);
    const paths = e.paths === undefined ? [] : Array.isArray(e.paths) ? e.paths.map(String) : [String(e.paths)];
    return { rule: e.id, paths, expires, statement: typeof e.statement === 'string' ? e.statement : '' };
  });
}

/** Splits findings into those that stand and those an entry ignores today. */
export function applyIgnores(findings: readonly ScanFinding[], entries: readonly IgnoreEntry[], root: string, today = new Date().toISOString().slice(0, 10)): { kept: ScanFinding[]; ignored: IgnoredFinding[] } {
  const kept: ScanFinding[] = [];
  const ignored: IgnoredFinding[] = [];
  for (const f of findings) {
    const relative = path.relative(root, path.resolve(root, f.subject.source)).split(path.sep).join('/');
    const entry = entries.find((e) => e.rule === f.rule_id && (e.expires === '' || today <= e.expires) && (e.paths.length === 0 || e.paths.some((g) => globMatches(g, relative))));
    if (entry) ignored.push({ ...f, ignored: { statement: entry.statement, expires: entry.expires } });
    else kept.push(f);
  }
  return { kept, ignored };
}

/** Glob match on a relative path: `**` any directories, `*` and `?` within one segment; a bare directory covers what is below it. */
export function globMatches(glob: string, relative: string): boolean {
  const pattern = glob.replace(/^\.\//, '').replace(/\/$/, '/**');
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      re += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}(?:/.*)?$`).test(relative);
}
