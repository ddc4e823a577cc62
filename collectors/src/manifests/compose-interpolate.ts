import { record } from './values.js';

/**
 * Compose variable interpolation over a parsed file (values only, never keys).
 * With `env` the compose rules apply; without, a scan sees the file as its
 * author's defaults: `${VAR:-default}` and `${VAR-default}` give the default,
 * `${VAR:+alt}` gives "", and a variable with no default (`${VAR}`, `$VAR`,
 * `${VAR:?err}`) is kept as written so the reader can see it. `$$` is `$`.
 */
export function interpolateCompose(value: unknown, env: Readonly<Record<string, string>> = {}): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolateCompose(item, env));
  const map = record(value);
  if (!map) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(map)) out[key] = interpolateCompose(item, env);
  return out;
}

export function interpolate(input: string, env: Readonly<Record<string, string>>): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const char = input[i];
    if (char !== '$') {
      out += char;
      i += 1;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = closingBrace(input, i + 2);
      if (end < 0) {
        out += input.slice(i);
        break;
      }
      out += braced(input.slice(i + 2, end), input.slice(i, end + 1), env);
      i = end + 1;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(input.slice(i + 1))?.[0];
    if (name === undefined) {
      out += char;
      i += 1;
      continue;
    }
    out += env[name] ?? `$${name}`;
    i += 1 + name.length;
  }
  return out;
}

function closingBrace(input: string, from: number): number {
  let depth = 1;
  for (let i = from; i < input.length; i += 1) {
    if (input[i] === '{') depth += 1;
    else if (input[i] === '}') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function braced(body: string, written: string, env: Readonly<Record<string, string>>): string {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?$/s.exec(body);
  if (!match) return written;
  const [, name = '', operator, argument = ''] = match;
  const value = env[name];
  const set = value !== undefined;
  const nonEmpty = set && value !== '';
  switch (operator) {
    case undefined:
      return set ? value : written;
    case ':-':
      return nonEmpty ? value : interpolate(argument, env);
    case '-':
      return set ? value : interpolate(argument, env);
    case ':+':
      return nonEmpty ? interpolate(argument, env) : '';
    case '+':
      return set ? interpolate(argument, env) : '';
    default:
      // :? and ?: required variables; kept as written when missing.
      return (operator === ':?' ? nonEmpty : set) ? (value ?? '') : written;
  }
}
