import crypto from 'node:crypto';

/**
 * Hashes one bundle file exactly as OPA's bundle signer does (v1/bundle/hash.go),
 * so that a bundle signed by `opa build --signing-key` verifies here.
 *
 * Structured files (base name `data.json`, `.manifest`) are hashed in a canonical
 * form: object keys sorted by their UTF-8 bytes, no whitespace, numbers written
 * as they appear in the file (OPA decodes with `UseNumber`), strings re-encoded
 * the way Go's encoding/json does with HTML escaping off (so U+2028/U+2029 are
 * escaped, `<>&` are not). Every other file is hashed byte for byte.
 */

/** OPA's hash names → node:crypto's. MD5 and SHA-1 are refused as too weak to trust. */
const HASHES: Readonly<Record<string, string>> = {
  'SHA-224': 'sha224',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
  'SHA-512-224': 'sha512-224',
  'SHA-512-256': 'sha512-256',
};

export function isSupportedFileHash(algorithm: string): boolean {
  return Object.hasOwn(HASHES, algorithm);
}

/** OPA's `IsStructuredDoc`: these files are hashed as canonical JSON. */
export function isStructuredFile(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return base === 'data.json' || base === '.manifest';
}

/** Hex digest of one bundle file; throws when a structured file is not JSON. */
export function hashBundleFile(name: string, bytes: Uint8Array, algorithm: string): string {
  const hashName = HASHES[algorithm];
  if (!hashName) throw new Error(`unsupported file hash algorithm ${algorithm}`);
  const hash = crypto.createHash(hashName);
  if (isStructuredFile(name)) writeCanonical(parseKeepingNumbers(new TextDecoder().decode(bytes)), hash);
  else hash.update(bytes);
  return hash.digest('hex');
}

/** A number as written in the source text (Go's json.Number). */
class NumberText {
  constructor(readonly text: string) {}
}

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

function parseKeepingNumbers(text: string): unknown {
  const reviver: Reviver = (_key, value, context) => {
    if (typeof value !== 'number') return value;
    if (context?.source === undefined) throw new Error('this Node.js lacks JSON.parse source text access (needs Node.js ≥ 22)');
    return new NumberText(context.source);
  };
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown);
}

/** Buffers small writes: a large data.json makes millions of them. */
class Sink {
  private buffer = '';
  constructor(private readonly hash: crypto.Hash) {}
  write(text: string): void {
    this.buffer += text;
    if (this.buffer.length > 65_536) this.flush();
  }
  flush(): void {
    if (this.buffer) this.hash.update(this.buffer, 'utf8');
    this.buffer = '';
  }
}

function writeCanonical(value: unknown, hash: crypto.Hash): void {
  const sink = new Sink(hash);
  walk(value, sink);
  sink.flush();
}

function walk(value: unknown, sink: Sink): void {
  if (value instanceof NumberText) {
    sink.write(value.text);
  } else if (Array.isArray(value)) {
    sink.write('[');
    value.forEach((item, i) => {
      if (i > 0) sink.write(',');
      walk(item, sink);
    });
    sink.write(']');
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    sink.write('{');
    sortedKeys(record).forEach((key, i) => {
      if (i > 0) sink.write(',');
      sink.write(goQuote(key));
      sink.write(':');
      walk(record[key], sink);
    });
    sink.write('}');
  } else if (typeof value === 'string') {
    sink.write(goQuote(value));
  } else {
    sink.write(JSON.stringify(value)); // true, false, null
  }
}

/**
 * Go sorts map keys by their UTF-8 bytes, i.e. by code point. UTF-16 order is the
 * same unless a key holds a surrogate pair, so only those keys pay for encoding.
 */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  if (!keys.some((k) => SURROGATE.test(k))) return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys
    .map((key) => ({ key, bytes: Buffer.from(wellFormed(key), 'utf8') }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes))
    .map((k) => k.key);
}

const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Go's decoder turns a lone surrogate escape into U+FFFD. */
function wellFormed(text: string): string {
  return SURROGATE.test(text) ? text.replace(LONE_SURROGATE, '\uFFFD') : text;
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029]/g;

/** encoding/json string encoding with SetEscapeHTML(false). */
function goQuote(text: string): string {
  const escaped = wellFormed(text).replace(
    NEEDS_ESCAPE,
    (c) => SHORT_ESCAPES[c] ?? `\\u00${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return `"${escaped}"`;
}
