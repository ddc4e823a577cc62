/**
 * A strict reader of the Prometheus text format, for tests: every line must be
 * a HELP, a TYPE or a sample, every sample must belong to a family with a TYPE.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  help: Map<string, string>;
  type: Map<string, string>;
  samples: Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/;

export function parseExposition(text: string): Exposition {
  if (text !== '' && !text.endsWith('\n')) throw new Error('exposition must end with a line feed');
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n').slice(0, -1)) {
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (comment) {
      const [, what, name, rest] = comment as unknown as [string, string, string, string];
      if (what === 'HELP') help.set(name, unescape(rest, false));
      else type.set(name, rest);
      continue;
    }
    const sample = SAMPLE.exec(line);
    if (!sample) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const [, name, labelText, valueText] = sample as unknown as [string, string, string | undefined, string];
    const family = familyOf(name, type);
    if (family === undefined) throw new Error(`sample ${name} has no TYPE before it`);
    samples.push({ name, labels: labelText === undefined ? {} : parseLabels(labelText), value: parseValue(valueText) });
  }
  return { help, type, samples };
}

/** The value of the one sample with this name and exactly these labels. */
export function valueOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const matches = exposition.samples.filter((s) => s.name === name && sameLabels(s.labels, labels));
  if (matches.length > 1) throw new Error(`${matches.length} samples for ${name} ${JSON.stringify(labels)}`);
  return matches[0]?.value;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function familyOf(name: string, type: Map<string, string>): string | undefined {
  if (type.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && type.get(base) === 'histogram') return base;
  }
  return undefined;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`not a value: ${text}`);
  return value;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 1;
  while (i < text.length - 1) {
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i))?.[0];
    if (name === undefined || text[i + name.length] !== '=' || text[i + name.length + 1] !== '"') throw new Error(`bad labels: ${text}`);
    i += name.length + 2;
    let raw = '';
    while (text[i] !== '"') {
      if (i >= text.length) throw new Error(`unterminated label value: ${text}`);
      if (text[i] === '\\') {
        raw += text.slice(i, i + 2);
        i += 2;
      } else {
        raw += text[i];
        i++;
      }
    }
    i++;
    if (Object.hasOwn(labels, name)) throw new Error(`label ${name} twice: ${text}`);
    labels[name] = unescape(raw, true);
    if (text[i] === ',') i++;
    else if (i !== text.length - 1) throw new Error(`bad labels: ${text}`);
  }
  return labels;
}

function unescape(text: string, quotes: boolean): string {
  return text.replace(/\\(.)/g, (whole, c: string) => {
    if (c === 'n') return '\n';
    if (c === '\\') return '\\';
    if (c === '"' && quotes) return '"';
    throw new Error(`bad escape ${whole} in ${text}`);
  });
}
