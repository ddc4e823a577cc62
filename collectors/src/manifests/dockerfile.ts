import type { FactInit } from '../../../proto/src/index.js';
import { collectorMessage } from '../errors.js';
import type { ManifestError } from './types.js';

type DockerfileFactInit = NonNullable<FactInit['dockerfile']>;
type StageInit = NonNullable<DockerfileFactInit['stages']>[number];
type InstructionInit = NonNullable<StageInit['instructions']>[number];

export interface DockerfileScan {
  fact?: DockerfileFactInit;
  errors: ManifestError[];
}

/** Instructions whose arguments Docker expands variables in (the Dockerfile reference, "Environment replacement"). */
const EXPANDED = new Set(['ADD', 'COPY', 'ENV', 'EXPOSE', 'FROM', 'LABEL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR', 'ONBUILD', 'ARG']);
const KEYWORD = /^[A-Za-z]+$/;
/** Flags only ever come before the arguments, and only on these. */
const FLAGGED = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);

/** A logical instruction: continuation lines joined, heredoc bodies attached. */
interface RawInstruction {
  keyword: string;
  rest: string;
  line: number;
  endLine: number;
  heredocs: Array<{ name: string; content: string }>;
}

/**
 * Reads a Dockerfile into the stages and instructions a build would run,
 * as BuildKit's front end reads it: parser directives (`# escape=`),
 * comments, line continuations, heredocs (`<<EOF`, `<<-EOF`, quoted
 * delimiters), flags, the JSON form, and variable substitution from ARG
 * and ENV (global ARGs in FROM). What it cannot read is an error beside the
 * fact, never an exception; the rest is still judged.
 */
export function parseDockerfile(text: string, file: string): DockerfileScan {
  const problems: Array<{ line: number; message: string }> = [];
  const problem = (line: number, message: string): void => {
    problems.push({ line, message });
  };
  const raw = logicalInstructions(text, problem);
  const stages: StageInit[] = [];
  const globalArgs = new Map<string, string>();
  let scope: Map<string, string> | undefined;
  for (const r of raw) {
    const keyword = r.keyword.toUpperCase();
    if (!KEYWORD.test(r.keyword)) {
      problem(r.line, `"${r.keyword}" is not an instruction`);
      continue;
    }
    const { flags, rest } = FLAGGED.has(keyword) ? takeFlags(r.rest) : { flags: [], rest: r.rest };
    // FROM sees only the ARGs declared before the first FROM.
    const vars = keyword === 'FROM' ? globalArgs : (scope ?? globalArgs);
    const expand = (value: string): string => (EXPANDED.has(keyword) ? substitute(value, vars) : value);
    if (keyword === 'FROM') {
      const words = splitWords(expand(rest));
      const base = words[0] ?? '';
      if (base === '') problem(r.line, 'FROM names no image');
      const named = words.length >= 3 && words[1]!.toUpperCase() === 'AS' ? words[2]! : '';
      const earlier = stages.find((s) => s.name !== '' && s.name!.toLowerCase() === base.toLowerCase()) ?? (/^\d+$/.test(base) ? stages[Number(base)] : undefined);
      const platform = flags.find((f) => f.name === 'platform')?.value ?? '';
      stages.push({
        index: stages.length,
        name: named,
        base,
        base_stage: earlier ? earlier.name || String(earlier.index) : '',
        lineage: earlier ? [earlier.index!, ...(earlier.lineage ?? [])] : [],
        platform: substitute(platform, globalArgs),
        line: r.line,
        instructions: [],
      });
      // A stage starts with no ARGs but the global ones it redeclares.
      scope = new Map();
      continue;
    }
    const instruction: InstructionInit = {
      keyword,
      arguments: '',
      exec_form: [],
      flags: flags.map((f) => ({ name: f.name, value: expand(f.value) })),
      heredocs: r.heredocs,
      variables: {},
      line: r.line,
      end_line: r.endLine,
    };
    const exec = execForm(rest);
    if (exec) instruction.exec_form = exec.map(expand);
    if (keyword === 'LABEL') {
      instruction.variables = Object.fromEntries(envVariables('LABEL', rest, scope ?? globalArgs, (m) => problem(r.line, m)));
      instruction.arguments = expand(rest).trim();
    } else if (keyword === 'ARG' || keyword === 'ENV') {
      const variables = keyword === 'ARG' ? argVariables(rest, scope ?? globalArgs, globalArgs, scope === undefined) : envVariables('ENV', rest, scope ?? globalArgs, (m) => problem(r.line, m));
      instruction.variables = Object.fromEntries(variables.map(([name, value]) => [name, value ?? '']));
      // An ARG without a value is set at build time: unknown here, so references to it stay as written.
      for (const [name, value] of variables) if (value !== undefined) (scope ?? globalArgs).set(name, value);
      instruction.arguments = keyword === 'ARG' ? rest.trim() : expand(rest).trim();
    } else {
      instruction.arguments = expand(rest).trim();
    }
    if (scope === undefined) {
      if (keyword !== 'ARG') problem(r.line, `${keyword} before the first FROM`);
      continue;
    }
    stages[stages.length - 1]!.instructions!.push(instruction);
  }
  if (stages.length === 0) problem(1, 'no FROM instruction');
  const errors: ManifestError[] = problems
    .sort((a, b) => a.line - b.line)
    .map((p) => ({ file, code: 'VIGIL_ERR_DOCKERFILE_SYNTAX', message: collectorMessage('VIGIL_ERR_DOCKERFILE_SYNTAX', file, p.line, p.message) }));
  return stages.length === 0 ? { errors } : { fact: { path: file, stages }, errors };
}

/** The labels an image built from the final stage carries: its own and those of the stages it builds on, the nearest winning. */
export function finalStageLabels(fact: DockerfileFactInit): Record<string, string> {
  const stages = fact.stages ?? [];
  const last = stages[stages.length - 1];
  if (!last) return {};
  const lineage = [...(last.lineage ?? [])].reverse().map((i) => stages[i]!);
  const labels: Record<string, string> = {};
  for (const stage of [...lineage, last]) for (const i of stage.instructions ?? []) if (i.keyword === 'LABEL') Object.assign(labels, i.variables ?? {});
  return labels;
}

/**
 * Whether a file may be a Dockerfile by its name: `Dockerfile` and
 * `Containerfile` are; `Dockerfile.prod` and `api.Dockerfile` may be, if their
 * content says so too (see looksLikeDockerfile). `Dockerfile.dockerignore` is not.
 */
export function dockerfileCandidate(fileName: string): boolean {
  if (/\.dockerignore$/.test(fileName)) return false;
  return /^(Dockerfile|Containerfile)(\.[A-Za-z0-9_-]+)?$|\.([Dd]ockerfile|[Cc]ontainerfile)$/.test(fileName);
}

/** A Dockerfile by its exact name, or by content whose first instruction is ARG or FROM and which has a FROM. */
export function looksLikeDockerfile(fileName: string, text: string): boolean {
  if (fileName === 'Dockerfile' || fileName === 'Containerfile') return true;
  for (const line of text.split('\n', 10_000)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    return /^(FROM|ARG)\s/i.test(trimmed) && /^\s*FROM\s+\S/im.test(text);
  }
  return false;
}

function logicalInstructions(text: string, problem: (line: number, message: string) => void): RawInstruction[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const escape = escapeDirective(lines);
  const out: RawInstruction[] = [];
  let i = 0;
  while (i < lines.length) {
    const first = lines[i]!;
    if (first.trim() === '' || first.trim().startsWith('#')) {
      i++;
      continue;
    }
    const start = i;
    let joined = '';
    // Join continuation lines; comment and blank lines inside one are dropped.
    for (;;) {
      const line = lines[i]!;
      const trimmedEnd = line.trimEnd();
      const continues = trimmedEnd.endsWith(escape);
      joined += continues ? trimmedEnd.slice(0, -1) : line;
      i++;
      if (!continues) break;
      while (i < lines.length && (lines[i]!.trim() === '' || lines[i]!.trim().startsWith('#'))) i++;
      if (i >= lines.length) break;
    }
    const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(joined);
    if (!match) continue;
    const heredocs: RawInstruction['heredocs'] = [];
    for (const h of HEREDOC_KEYWORDS.has(match[1]!.toUpperCase()) ? heredocStarts(match[2]!) : []) {
      const body: string[] = [];
      let closed = false;
      while (i < lines.length) {
        const line = lines[i++]!;
        const candidate = h.stripTabs ? line.replace(/^\t+/, '') : line;
        if (candidate === h.name) {
          closed = true;
          break;
        }
        body.push(candidate);
      }
      if (!closed) problem(start + 1, `heredoc <<${h.name} is never closed`);
      heredocs.push({ name: h.name, content: body.length > 0 ? `${body.join('\n')}\n` : '' });
    }
    out.push({ keyword: match[1]!, rest: match[2]!, line: start + 1, endLine: i, heredocs });
  }
  return out;
}

/** `# escape=`` ` among the parser directives at the top; `\` otherwise. */
function escapeDirective(lines: readonly string[]): string {
  for (const line of lines) {
    const directive = /^\s*#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(line);
    if (!directive) return '\\';
    if (directive[1]!.toLowerCase() === 'escape' && (directive[2] === '`' || directive[2] === '\\')) return directive[2];
  }
  return '\\';
}

/** Heredocs open at the start of a word (`cat <<EOF`, not `1<<N`), and only on these. */
const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);

function heredocStarts(rest: string): Array<{ name: string; stripTabs: boolean }> {
  const starts: Array<{ name: string; stripTabs: boolean }> = [];
  for (const m of rest.matchAll(/(?:^|\s)<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_-]*)\2/g)) starts.push({ name: m[3]!, stripTabs: m[1] === '-' });
  return starts;
}

function takeFlags(rest: string): { flags: Array<{ name: string; value: string }>; rest: string } {
  const flags: Array<{ name: string; value: string }> = [];
  let remaining = rest.trimStart();
  for (;;) {
    const m = /^--([A-Za-z][A-Za-z0-9-]*)(?:=("(?:[^"\\]|\\.)*"|\S*))?(?:\s+|$)/.exec(remaining);
    if (!m) break;
    flags.push({ name: m[1]!.toLowerCase(), value: unquote(m[2] ?? '') });
    remaining = remaining.slice(m[0].length);
  }
  return { flags, rest: remaining };
}

function execForm(rest: string): string[] | undefined {
  const trimmed = rest.trim();
  if (!trimmed.startsWith('[')) return undefined;
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    return Array.isArray(parsed) && parsed.every((v) => typeof v === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** `ARG name[=default]`...: a stage's ARG without default takes the global one of that name; else its value is unknown. */
function argVariables(rest: string, vars: Map<string, string>, globals: Map<string, string>, global: boolean): Array<[string, string | undefined]> {
  return splitWords(rest).map((word): [string, string | undefined] => {
    const eq = word.indexOf('=');
    if (eq < 0) return [unquote(word), global ? undefined : globals.get(unquote(word))];
    return [unquote(word.slice(0, eq)), substitute(unquote(word.slice(eq + 1)), vars)];
  });
}

/** `ENV a=1 b="two words"` (LABEL alike, keys may be quoted), or the legacy `ENV name value with spaces`. */
function envVariables(keyword: string, rest: string, vars: Map<string, string>, problem: (message: string) => void): Array<[string, string]> {
  const words = splitWords(rest);
  if (words.length === 0) {
    problem(`${keyword} names no ${keyword === 'LABEL' ? 'label' : 'variable'}`);
    return [];
  }
  if (!words[0]!.includes('=')) {
    const legacy = /^\s*(\S+)\s+([\s\S]*)$/.exec(rest);
    return legacy ? [[unquote(legacy[1]!), substitute(unquote(legacy[2]!.trim()), vars)]] : [[unquote(words[0]!), '']];
  }
  const out: Array<[string, string]> = [];
  const scope = new Map(vars);
  for (const word of words) {
    const eq = keyEnd(word);
    if (eq <= 0) {
      problem(`${keyword} ${word} has no "="`);
      continue;
    }
    const key = unquote(word.slice(0, eq));
    const value = substitute(unquote(word.slice(eq + 1)), scope);
    out.push([key, value]);
    scope.set(key, value);
  }
  return out;
}

/** Where a `key=value` word's key ends: the first "=" outside the key's quotes. */
function keyEnd(word: string): number {
  if (word.startsWith('"')) {
    const close = word.indexOf('"', 1);
    return close > 0 && word[close + 1] === '=' ? close + 1 : -1;
  }
  return word.indexOf('=');
}

/** Splits on unquoted whitespace, keeping quotes (unquote() takes them off). */
function splitWords(text: string): string[] {
  return text.match(/(?:"(?:[^"\\]|\\.)*"|'[^']*'|\\.|[^\s"'\\])+/g) ?? [];
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return value.slice(1, -1).replace(/\\(.)/g, '$1');
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1);
  return value;
}

/**
 * `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME:+word}`; `\$` is a literal
 * dollar. A name with no known value (an ARG given only at build time) stays
 * as written. One pass: an unclosed `${` is text.
 */
export function substitute(value: string, vars: ReadonlyMap<string, string>): string {
  if (!value.includes('$')) return value;
  let out = '';
  let i = 0;
  // The next "}" at or after a position; -1 once none is left, so unclosed "${" stay linear.
  let close = -2;
  const nextClose = (from: number): number => {
    if (close === -1 || (close >= from && close !== -2)) return close;
    close = value.indexOf('}', from);
    return close;
  };
  while (i < value.length) {
    const c = value[i]!;
    if (c === '\\' && value[i + 1] === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const bare = /^[A-Za-z_][A-Za-z0-9_]*/.exec(value.slice(i + 1, i + 257));
    if (bare) {
      out += vars.get(bare[0]) ?? `$${bare[0]}`;
      i += 1 + bare[0].length;
      continue;
    }
    const end = value[i + 1] === '{' ? nextClose(i + 2) : -1;
    const braced = end > 0 ? /^([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([\s\S]*))?$/.exec(value.slice(i + 2, end)) : null;
    if (!braced) {
      out += c;
      i++;
      continue;
    }
    const [, name, op, word] = braced;
    const current = vars.get(name!);
    if (op === '-') out += current !== undefined && current !== '' ? current : substitute(word ?? '', vars);
    else if (op === '+') out += current !== undefined && current !== '' ? substitute(word ?? '', vars) : '';
    else out += current ?? value.slice(i, end + 1);
    i = end + 1;
  }
  return out;
}
