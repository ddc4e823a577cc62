import type { LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { VigilEngineError } from '../errors.js';

/**
 * Built-in functions a policy's WASM calls out to JavaScript for.
 *
 * `opa build -t wasm` compiles most built-ins into the module; the rest (OPA's
 * "SDK-dependent" ones) are imported, and the opa-wasm SDK implements only a
 * few of them. One nobody implements fails only when a rule reaches it, so
 * `checkBuiltins` refuses such a module at load time instead.
 *
 * The implementations below follow OPA's own (Go) semantics. Where OPA's
 * built-in returns an error, they return `undefined`: like the SDK's JS
 * built-ins, and like OPA itself without `--strict-builtin-errors`, the
 * expression is then undefined rather than the whole evaluation failing.
 */

export type Builtin = (...args: unknown[]) => unknown;

/**
 * What the SDK implements itself (@open-policy-agent/opa-wasm 1.10.0,
 * src/builtins/). A test compares this with the installed SDK.
 */
export const SDK_BUILTINS: ReadonlySet<string> = new Set([
  'json.is_valid',
  'regex.split',
  'sprintf',
  'yaml.is_valid',
  'yaml.marshal',
  'yaml.unmarshal',
]);

const MIN_INT64 = -(1n << 63n);
const MAX_INT64 = (1n << 63n) - 1n;
const NS_PER_SECOND = 1_000_000_000n;

/**
 * An integer for the policy, exactly. Nanosecond timestamps exceed 2^53, so a
 * JS number would round them; the SDK parses an ArrayBuffer result as JSON
 * text as it is, and OPA's WASM keeps the digits.
 */
function exactInteger(value: bigint): ArrayBuffer {
  const text = value.toString();
  const buffer = new ArrayBuffer(text.length);
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return buffer;
}

const isDigitAt = (s: string, i: number): boolean => i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;

/** `time.now_ns()`: nanoseconds since the Unix epoch (millisecond resolution). */
function timeNowNs(): ArrayBuffer {
  return exactInteger(BigInt(Date.now()) * 1_000_000n);
}

/** `time.parse_rfc3339_ns(value)`: Go's `time.Parse(time.RFC3339, value).UnixNano()`. */
function timeParseRfc3339Ns(value: unknown): ArrayBuffer | undefined {
  if (typeof value !== 'string') return undefined;
  const ns = parseRfc3339(value);
  // OPA refuses times whose nanoseconds do not fit an int64 (1677 to 2262).
  if (ns === undefined || ns < MIN_INT64 || ns > MAX_INT64) return undefined;
  return exactInteger(ns);
}

/**
 * Go's RFC 3339 parsing, which is laxer than the RFC: a one-digit hour, a
 * comma before the fraction, fractions of any length (digits after the ninth
 * ignored), and zone offsets up to +24:00 / 60 minutes are accepted.
 */
function parseRfc3339(s: string): bigint | undefined {
  let i = 0;
  const fixed = (width: number): number | undefined => {
    for (let k = 0; k < width; k++) if (!isDigitAt(s, i + k)) return undefined;
    const n = Number(s.slice(i, i + width));
    i += width;
    return n;
  };
  const literal = (c: string): boolean => {
    if (s[i] !== c) return false;
    i++;
    return true;
  };

  const year = fixed(4);
  if (year === undefined || !literal('-')) return undefined;
  const month = fixed(2);
  if (month === undefined || !literal('-')) return undefined;
  const day = fixed(2);
  if (day === undefined || !literal('T')) return undefined;
  const hour = isDigitAt(s, i + 1) ? fixed(2) : fixed(1);
  if (hour === undefined || !literal(':')) return undefined;
  const minute = fixed(2);
  if (minute === undefined || !literal(':')) return undefined;
  const second = fixed(2);
  if (second === undefined) return undefined;

  let nanos = 0;
  if ((s[i] === '.' || s[i] === ',') && isDigitAt(s, i + 1)) {
    let end = i + 1;
    while (isDigitAt(s, end)) end++;
    nanos = Number(s.slice(i + 1, Math.min(end, i + 10)).padEnd(9, '0'));
    i = end;
  }

  let offsetSeconds = 0;
  if (s[i] === 'Z') {
    i++;
  } else {
    const sign = s[i];
    if (s.length - i < 6 || s[i + 3] !== ':' || (sign !== '+' && sign !== '-')) return undefined;
    i++;
    const offsetHours = fixed(2);
    i++;
    const offsetMinutes = fixed(2);
    if (offsetHours === undefined || offsetMinutes === undefined || offsetHours > 24 || offsetMinutes > 60) return undefined;
    offsetSeconds = (offsetHours * 60 + offsetMinutes) * 60 * (sign === '-' ? -1 : 1);
  }
  if (i !== s.length) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || second > 59) return undefined;

  const midnight = new Date(0);
  midnight.setUTCFullYear(year, month - 1, day); // unlike Date.UTC, years 0-99 stay as they are
  const seconds = BigInt(midnight.getTime() / 1000) + BigInt(hour * 3600 + minute * 60 + second - offsetSeconds);
  return seconds * NS_PER_SECOND + BigInt(nanos);
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const DURATION_UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // micro sign
  ['\u03bcs', 1_000n], // Greek mu
  ['ms', 1_000_000n],
  ['s', NS_PER_SECOND],
  ['m', 60n * NS_PER_SECOND],
  ['h', 3600n * NS_PER_SECOND],
  // OPA's additions to Go's units: days, weeks and 365-day years.
  ['d', 86_400n * NS_PER_SECOND],
  ['w', 7n * 86_400n * NS_PER_SECOND],
  ['y', 365n * 86_400n * NS_PER_SECOND],
]);

const TWO_63 = 1n << 63n;

/** `time.parse_duration_ns(duration)`: Go's `time.ParseDuration` plus d, w and y, e.g. "1h30m", "-1.5h", "250ms", "7d". */
function timeParseDurationNs(value: unknown): ArrayBuffer | undefined {
  if (typeof value !== 'string') return undefined;
  const ns = parseDuration(value);
  return ns === undefined ? undefined : exactInteger(ns);
}

/** `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` with Go's overflow rules and float64 fractions. */
function parseDuration(text: string): bigint | undefined {
  let s = text;
  let negative = false;
  if (s[0] === '-' || s[0] === '+') {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return undefined;
  let total = 0n;
  while (s !== '') {
    if (s[0] !== '.' && !isDigitAt(s, 0)) return undefined;
    // The integer part; more than 2^63 is an error.
    let whole = 0n;
    let i = 0;
    for (; isDigitAt(s, i); i++) {
      if (whole > TWO_63 / 10n) return undefined;
      whole = whole * 10n + BigInt(s.charCodeAt(i) - 48);
      if (whole > TWO_63) return undefined;
    }
    const hasWhole = i > 0;
    s = s.slice(i);
    // The fraction; digits past int64 precision are dropped, as in Go.
    let fraction = 0n;
    let scale = 1;
    let hasFraction = false;
    if (s[0] === '.') {
      let overflow = false;
      let j = 1;
      for (; isDigitAt(s, j); j++) {
        if (overflow) continue;
        if (fraction > (TWO_63 - 1n) / 10n) {
          overflow = true;
          continue;
        }
        const next = fraction * 10n + BigInt(s.charCodeAt(j) - 48);
        if (next > TWO_63) {
          overflow = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
      hasFraction = j > 1;
      s = s.slice(j);
    }
    if (!hasWhole && !hasFraction) return undefined;
    let u = 0;
    while (u < s.length && s[u] !== '.' && !isDigitAt(s, u)) u++;
    const unit = DURATION_UNITS.get(s.slice(0, u));
    if (unit === undefined) return undefined; // missing or unknown unit
    s = s.slice(u);
    if (whole > TWO_63 / unit) return undefined;
    let v = whole * unit;
    if (fraction > 0n) {
      // float64, as Go does: exact to the nanosecond for fractions of an hour.
      v += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
      if (v > TWO_63) return undefined;
    }
    total += v;
    if (total > TWO_63) return undefined;
  }
  if (negative) return -total;
  return total > MAX_INT64 ? undefined : total;
}

/** SemVer 2.0.0 (semver.org's pattern), with the leading "v" OPA tolerates. */
const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?$/;

interface SemVer {
  core: [bigint, bigint, bigint];
  preRelease: string;
}

function parseSemVer(value: unknown): SemVer | undefined {
  if (typeof value !== 'string') return undefined;
  const match = SEMVER.exec(value);
  if (!match) return undefined;
  const core: [bigint, bigint, bigint] = [BigInt(match[1] ?? ''), BigInt(match[2] ?? ''), BigInt(match[3] ?? '')];
  // OPA keeps major, minor and patch in int64s.
  if (core.some((n) => n > MAX_INT64)) return undefined;
  return { core, preRelease: match[4] ?? '' };
}

/** `semver.is_valid(vsn)`: false for anything that is not a valid version string. */
function semverIsValid(value: unknown): boolean {
  return parseSemVer(value) !== undefined;
}

/** `semver.compare(a, b)`: -1, 0 or 1 by SemVer precedence (build metadata ignored). */
function semverCompare(a: unknown, b: unknown): number | undefined {
  const x = parseSemVer(a);
  const y = parseSemVer(b);
  if (x === undefined || y === undefined) return undefined;
  for (let k = 0; k < 3; k++) {
    const order = compareBig(x.core[k] ?? 0n, y.core[k] ?? 0n);
    if (order !== 0) return order;
  }
  if (x.preRelease === y.preRelease) return 0;
  // A version without a pre-release outranks one with.
  if (x.preRelease === '') return 1;
  if (y.preRelease === '') return -1;
  const xs = x.preRelease.split('.');
  const ys = y.preRelease.split('.');
  for (let k = 0; k < Math.max(xs.length, ys.length); k++) {
    const p = xs[k];
    const q = ys[k];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const pNumeric = /^\d+$/.test(p);
    const qNumeric = /^\d+$/.test(q);
    // Numeric identifiers rank below alphanumeric ones.
    if (pNumeric !== qNumeric) return pNumeric ? -1 : 1;
    // OPA reads numeric identifiers with strconv.Atoi, which caps them at the int64 maximum.
    const order = pNumeric ? compareBig(clampInt64(BigInt(p)), clampInt64(BigInt(q))) : p < q ? -1 : p > q ? 1 : 0;
    if (order !== 0) return order;
  }
  return 0;
}

const compareBig = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);
const clampInt64 = (n: bigint): bigint => (n > MAX_INT64 ? MAX_INT64 : n);

/** Built-ins the opa-wasm SDK lacks and Vigil's policies may call, passed to `loadPolicy`. */
export const CUSTOM_BUILTINS: Readonly<Record<string, Builtin>> = {
  'time.now_ns': timeNowNs,
  'time.parse_rfc3339_ns': timeParseRfc3339Ns,
  'time.parse_duration_ns': timeParseDurationNs,
  'semver.is_valid': semverIsValid,
  'semver.compare': semverCompare,
};

/** The exports of an OPA WASM module (ABI 1.x) this file reads. */
interface OpaExports {
  builtins(): number;
  opa_json_dump(addr: number): number;
  opa_heap_ptr_get(): number;
  opa_heap_ptr_set(addr: number): void;
}

/** The built-ins a loaded policy calls out to the host for, sorted by name. */
export function requiredBuiltins(policy: LoadedPolicy): string[] {
  const { exports } = policy.wasmInstance as unknown as { exports: OpaExports };
  const memory = policy.mem as unknown as { buffer: ArrayBuffer };
  const heap = exports.opa_heap_ptr_get();
  try {
    const start = exports.opa_json_dump(exports.builtins());
    const bytes = new Uint8Array(memory.buffer);
    let end = start;
    while (bytes[end] !== 0) end++;
    const ids = JSON.parse(new TextDecoder().decode(bytes.subarray(start, end))) as Record<string, number>;
    return Object.keys(ids).sort();
  } finally {
    // What the dump allocated is not needed again.
    exports.opa_heap_ptr_set(heap);
  }
}

/** Of `names`, those neither the SDK nor Vigil implements. */
export function unsupportedBuiltins(names: readonly string[]): string[] {
  return names.filter((name) => !SDK_BUILTINS.has(name) && !Object.hasOwn(CUSTOM_BUILTINS, name));
}

/** Throws VIGIL_ERR_BUNDLE_BUILTIN when the policy calls a built-in no one implements. */
export function checkBuiltins(policy: LoadedPolicy, label = 'bundle'): void {
  const missing = unsupportedBuiltins(requiredBuiltins(policy));
  if (missing.length > 0) throw new VigilEngineError('VIGIL_ERR_BUNDLE_BUILTIN', [label, missing.join(', ')]);
}
