import crypto from 'node:crypto';
import type { AlertInit } from '../../../proto/src/index.js';
import { VigilEngineError } from '../errors.js';
import { throttleKey } from './key.js';

export interface AlertThrottleOptions {
  /** Length of a throttling window in ms; 0 disables throttling (every alert is published). */
  windowMs: number;
  /** Most keys (rule + subject + host) tracked at once; when full, the oldest is flushed early. */
  maxKeys: number;
  /** Receives each aggregate alert and the id of its window, to publish it. Must not throw. */
  onFlush(alert: AlertInit, windowId: string): void;
  /**
   * Hears each occurrence counted into a window: `aggregate()` gives the
   * window's aggregate so far, e.g. to checkpoint it where a crash cannot lose it.
   */
  onCounted?(windowId: string, aggregate: () => AlertInit): void;
  /** Clock in epoch ms (default: monotonic, anchored at process start). Inject one in tests. */
  now?: () => number;
  /** Close windows with a timer (default true). Off: windows close on admit(), flushDue() or close(). */
  autoFlush?: boolean;
  /** Errors thrown by onFlush inside the timer; without it they are rethrown (uncaught). */
  onError?(error: unknown): void;
}

export interface AlertThrottleStats {
  /** Keys with an open window right now. */
  keys: number;
  /** Alerts admit() let through (published at once). */
  admitted: number;
  /** Alerts admit() held back and counted into an aggregate. */
  suppressed: number;
  /** Aggregate alerts handed to onFlush. */
  aggregates: number;
  /** Windows closed early because maxKeys was reached. */
  evictions: number;
}

/**
 * One alert as the throttle counts it. `alert()` is read only to build an
 * aggregate, so the engine hands over worker-encoded alerts without decoding
 * each one.
 */
export interface Occurrence {
  id: string;
  /** Epoch ms; 0 when unknown (the throttle's clock stands in). */
  firstSeen: number;
  lastSeen: number;
  /** Occurrences it stands for: 1, or an aggregate's count. */
  count: number;
  alert(): AlertInit;
}

/** An alert as an occurrence (its own first/last seen and count, or its observation time). */
export function occurrenceOf(alert: AlertInit): Occurrence {
  const observed = Number(alert.observed_at_ms ?? 0);
  const count = alert.count ?? 0;
  return {
    id: alert.id ?? '',
    firstSeen: Number(alert.first_seen_ms ?? 0) || observed,
    lastSeen: Number(alert.last_seen_ms ?? 0) || observed,
    count: count > 0 ? count : 1,
    alert: () => alert,
  };
}

/** What the engine calls per alert; a throttle or, when disabled, a pass-through. */
export interface AlertGate {
  /** true: publish this alert now; false: it was counted into a pending aggregate. */
  admit(alert: AlertInit): boolean;
  /** The same as admit() for an occurrence whose key is known. */
  admitKeyed(key: string, occurrence: Occurrence): boolean;
  /**
   * Takes back an alert admitted earlier that was not published after all
   * (another replica had claimed the same key): it is counted into the
   * key's aggregate like a repeat, so no occurrence goes uncounted.
   */
  absorb(key: string, occurrence: Occurrence): void;
  /** Hands every pending aggregate to onFlush and stops throttling (later alerts pass). */
  close(): void;
  stats(): AlertThrottleStats;
}

interface Window {
  readonly key: string;
  /** The key's hash and the window's end: unique among the windows of one throttle. */
  readonly id: string;
  /** When the window closes (clock ms). */
  readonly endsAt: number;
  /** Occurrences suppressed in this window. */
  count: number;
  firstSeen: number;
  lastSeen: number;
  /** Id of the first suppressed alert: makes the aggregate's id deterministic. */
  firstId: string;
  /** The latest suppressed alert: the aggregate carries its finding and fact. */
  last: Occurrence | undefined;
  /** The alert admitted when the window opened: its fact redelivered is admitted again, never counted. */
  admittedId: string;
  /** Ids counted (up to MAX_COUNTED_IDS): a redelivered fact is not counted twice. */
  readonly counted: Set<string>;
}

const MAX_COUNTED_IDS = 4_096;

const monotonicEpochMs = (): number => performance.timeOrigin + performance.now();

/**
 * Throttles alert storms: the same rule on the same subject and host yields
 * one alert at once, then at most one aggregate per window.
 *
 * - The first occurrence passes (admit() returns true): low latency.
 * - Repeats within `windowMs` are counted, not published.
 * - When the window closes with repeats, one aggregate alert goes to onFlush with
 *   `count` = the repeats (not the alert already published, so summing `count`
 *   over all alerts gives the number of occurrences), `first_seen_ms` and
 *   `last_seen_ms` of those repeats, and the latest repeat's finding and fact.
 *   A new window opens at once, so a storm that goes on yields one aggregate per
 *   window; a window that closes without repeats forgets the key, and the next
 *   occurrence is published at once again.
 * - Memory is bounded by `maxKeys`: a new key when full closes the oldest window
 *   early (its aggregate is flushed) and counts an eviction.
 * - An aggregate's id is derived from the key and the first repeat's alert id
 *   (itself derived from the fact), so redelivered facts regrouped the same way
 *   produce the same id and the alert stream's duplicate window drops the copy.
 *
 * Each engine replica throttles on its own. Replicas agree on the first alert
 * through a claim in a shared ledger (see throttled-sink.ts): a replica whose
 * claim finds another's `absorb`s its alert into its aggregate. So N replicas sharing the fact consumer publish one alert per
 * key and window between them, plus at most one aggregate each. Throttle in one
 * place per process (where alerts are published), not per worker thread.
 *
 * Repeats are counted in memory; `onCounted` lets the engine checkpoint each
 * window's aggregate so far before it acks the repeats' facts, so a crash
 * inside a window does not lose the window's count.
 */
export class AlertThrottle implements AlertGate {
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #onFlush: (alert: AlertInit, windowId: string) => void;
  readonly #onCounted: AlertThrottleOptions['onCounted'];
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #now: () => number;
  readonly #autoFlush: boolean;
  /** Insertion order is closing order: every window has the same length. */
  readonly #windows = new Map<string, Window>();
  #timer: NodeJS.Timeout | undefined;
  #armedFor: number | undefined;
  #closed = false;
  readonly #stats = { admitted: 0, suppressed: 0, aggregates: 0, evictions: 0 };

  constructor(options: AlertThrottleOptions) {
    validate(options);
    this.#windowMs = options.windowMs;
    this.#maxKeys = options.maxKeys;
    this.#onFlush = options.onFlush;
    this.#onCounted = options.onCounted;
    this.#onError = options.onError;
    this.#now = options.now ?? monotonicEpochMs;
    this.#autoFlush = options.autoFlush ?? true;
    if (this.#windowMs === 0) this.#closed = true;
  }

  admit(alert: AlertInit): boolean {
    return this.admitKeyed(this.#closed ? '' : throttleKey(alert), occurrenceOf(alert));
  }

  admitKeyed(key: string, occurrence: Occurrence): boolean {
    if (this.#closed) {
      this.#stats.admitted++;
      return true;
    }
    const now = this.#now();
    const { window, opened } = this.#windowOf(key, now);
    if (opened) {
      window.admittedId = occurrence.id;
      this.#stats.admitted++;
      return true;
    }
    if (occurrence.id !== '' && occurrence.id === window.admittedId) return true;
    this.#count(window, occurrence, now);
    return false;
  }

  absorb(key: string, occurrence: Occurrence): void {
    if (this.#closed) return;
    const now = this.#now();
    this.#stats.admitted--;
    this.#count(this.#windowOf(key, now).window, occurrence, now);
  }

  /** Closes the windows that are due; for callers that turned autoFlush off. */
  flushDue(): void {
    if (this.#closed) return;
    this.#closeDue(this.#now());
    this.#arm();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#disarm();
    const windows = [...this.#windows.values()];
    this.#windows.clear();
    for (const window of windows) this.#emit(window);
  }

  stats(): AlertThrottleStats {
    return { keys: this.#windows.size, ...this.#stats };
  }

  #count(window: Window, occurrence: Occurrence, now: number): void {
    if (occurrence.id !== '') {
      if (window.counted.has(occurrence.id)) return;
      if (window.counted.size < MAX_COUNTED_IDS) window.counted.add(occurrence.id);
    }
    const first = occurrence.firstSeen || now;
    const last = occurrence.lastSeen || now;
    if (window.count === 0) {
      window.firstSeen = first;
      window.lastSeen = last;
      window.firstId = occurrence.id;
    } else {
      window.firstSeen = Math.min(window.firstSeen, first);
      window.lastSeen = Math.max(window.lastSeen, last);
    }
    window.count += occurrence.count;
    window.last = occurrence;
    this.#stats.suppressed++;
    this.#onCounted?.(window.id, () => this.#aggregate(window));
  }

  /** The key's open window, or a new one (closing the oldest when maxKeys are open). */
  #windowOf(key: string, now: number): { window: Window; opened: boolean } {
    this.#closeDue(now);
    const open = this.#windows.get(key);
    if (open !== undefined) return { window: open, opened: false };
    while (this.#windows.size >= this.#maxKeys) this.#evictOldest();
    const window = this.#open(key, now);
    this.#arm();
    return { window, opened: true };
  }

  #open(key: string, now: number): Window {
    const endsAt = now + this.#windowMs;
    const id = `${crypto.hash('sha256', key, 'hex').slice(0, 24)}.${Math.round(endsAt)}`;
    const window: Window = { key, id, endsAt, count: 0, firstSeen: 0, lastSeen: 0, firstId: '', last: undefined, admittedId: '', counted: new Set() };
    this.#windows.set(key, window);
    return window;
  }

  #closeDue(now: number): void {
    for (const window of this.#windows.values()) {
      if (window.endsAt > now) break;
      this.#windows.delete(window.key);
      if (window.count > 0) {
        this.#emit(window);
        // The storm may go on: keep suppressing for another window.
        this.#open(window.key, now);
      }
    }
  }

  #evictOldest(): void {
    const oldest = this.#windows.values().next().value;
    if (oldest === undefined) return;
    this.#windows.delete(oldest.key);
    this.#stats.evictions++;
    this.#emit(oldest);
  }

  #emit(window: Window): void {
    if (window.count === 0 || window.last === undefined) return;
    this.#stats.aggregates++;
    this.#onFlush(this.#aggregate(window), window.id);
  }

  #aggregate(window: Window): AlertInit {
    return {
      ...window.last!.alert(),
      id: aggregateId(window),
      raised_at_ms: Math.round(this.#now()),
      count: window.count,
      first_seen_ms: window.firstSeen,
      last_seen_ms: window.lastSeen,
    };
  }

  #arm(): void {
    if (!this.#autoFlush) return;
    const head = this.#windows.values().next().value;
    if (head === undefined) {
      this.#disarm();
      return;
    }
    if (this.#armedFor === head.endsAt) return;
    this.#disarm();
    this.#armedFor = head.endsAt;
    this.#timer = setTimeout(() => this.#onTimer(), Math.max(0, head.endsAt - this.#now()));
    this.#timer.unref();
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = undefined;
  }

  #onTimer(): void {
    this.#timer = undefined;
    this.#armedFor = undefined;
    try {
      this.flushDue();
    } catch (error) {
      this.#arm();
      if (this.#onError === undefined) throw error;
      this.#onError(error);
    }
  }
}

/** A throttle, or a pass-through that costs nothing when `windowMs` is 0. */
export function createAlertThrottle(options: AlertThrottleOptions): AlertGate {
  validate(options);
  if (options.windowMs > 0) return new AlertThrottle(options);
  let admitted = 0;
  const admit = (): boolean => {
    admitted++;
    return true;
  };
  return {
    admit,
    admitKeyed: admit,
    absorb: () => undefined,
    close: () => undefined,
    stats: () => ({ keys: 0, admitted, suppressed: 0, aggregates: 0, evictions: 0 }),
  };
}

function aggregateId(window: Window): string {
  const anchor = window.firstId !== '' ? window.firstId : String(window.firstSeen);
  return crypto.createHash('sha256').update(`aggregate\u0000${window.key}\u0000${anchor}`).digest('hex').slice(0, 32);
}

function validate(options: AlertThrottleOptions): void {
  const { windowMs, maxKeys } = options;
  if (!Number.isFinite(windowMs) || windowMs < 0) {
    throw new VigilEngineError('VIGIL_ERR_ENGINE_CONFIG', ['alert throttle windowMs to be a number of milliseconds >= 0', String(windowMs)]);
  }
  if (!Number.isInteger(maxKeys) || maxKeys < 1) {
    throw new VigilEngineError('VIGIL_ERR_ENGINE_CONFIG', ['alert throttle maxKeys to be an integer >= 1', String(maxKeys)]);
  }
}
