/**
 * A learned workload profile: what every replica of one workload was seen
 * doing, item by item, and whether it is still learning or already enforcing.
 * Pure data and pure functions; storage is store.ts, learning learner.ts.
 */

export const PROFILE_CATEGORIES = [
  'executables',
  'exec_edges',
  'reads',
  'writes',
  'listen_ports',
  'peers',
  'uids',
  'capabilities',
  'syscalls',
  'sockets',
  'labels',
  'volumes',
] as const;
export type ProfileCategory = (typeof PROFILE_CATEGORIES)[number];

export type ProfileState = 'learning' | 'enforcing';

/**
 * What the workload's configuration says rather than what it did (its labels
 * as `key=value`, where its writable volumes are mounted): learned from
 * container facts, read by the hardening generators, never drift, and no
 * activity toward the learning window.
 */
export const CONFIGURATION_CATEGORIES: ReadonlySet<ProfileCategory> = new Set(['labels', 'volumes']);

/** Who saw one item and when (epoch ms). Lists are capped at {@link MAX_NAMES}. */
export interface ProfileItem {
  replicas: string[];
  hosts: string[];
  first_seen: number;
  last_seen: number;
  /**
   * Executables: where the binary came from when the collector could tell,
   * `image` (a layer of the image) or `container` (written after the container
   * started); absent when unknown.
   */
  origin?: 'image' | 'container';
}

export interface Profile {
  workload: string;
  /** Grows by one with every stored change; drift alerts name it. */
  version: number;
  state: ProfileState;
  learn_window_s: number;
  /** Seconds of observed activity so far, summed over all engines without overlap. */
  active_s: number;
  last_active_ms: number;
  created_ms: number;
  updated_ms: number;
  enforcing_since_ms?: number;
  items: Record<ProfileCategory, Record<string, ProfileItem>>;
}

/** One thing a replica did, as the engine extracts it from a fact. */
export interface Observation {
  workload: string;
  /** `activity`: the workload did something, nothing that goes into its profile (it counts toward the window). */
  category: ProfileCategory | 'activity';
  key: string;
  host: string;
  replica: string;
  at: number;
  origin?: 'image' | 'container';
}

export const MAX_NAMES = 100;
/** A directory with more distinct names than this, in reads or writes, is folded into a prefix pattern. */
export const GENERALISE_AT = 5;
const PATH_CATEGORIES: ReadonlySet<ProfileCategory> = new Set(['reads', 'writes']);

export function isProfileCategory(value: string): value is ProfileCategory {
  return (PROFILE_CATEGORIES as readonly string[]).includes(value);
}

export function emptyItems(): Profile['items'] {
  return Object.fromEntries(PROFILE_CATEGORIES.map((c) => [c, {}])) as Profile['items'];
}

export function newProfile(workload: string, learnWindowS: number, now: number): Profile {
  return {
    workload,
    version: 0,
    state: 'learning',
    learn_window_s: learnWindowS,
    active_s: 0,
    last_active_ms: 0,
    created_ms: now,
    updated_ms: now,
    items: emptyItems(),
  };
}

function addName(list: string[], name: string): boolean {
  if (name === '' || list.includes(name) || list.length >= MAX_NAMES) return false;
  list.push(name);
  return true;
}

/** Folds `source` into `target`; true when anything changed. */
function mergeItem(target: ProfileItem, source: ProfileItem): boolean {
  let changed = false;
  for (const r of source.replicas) changed = addName(target.replicas, r) || changed;
  for (const h of source.hosts) changed = addName(target.hosts, h) || changed;
  if (source.first_seen < target.first_seen) {
    target.first_seen = source.first_seen;
    changed = true;
  }
  if (source.last_seen > target.last_seen) {
    target.last_seen = source.last_seen;
    changed = true;
  }
  if (source.origin && !target.origin) {
    target.origin = source.origin;
    changed = true;
  }
  return changed;
}

/** Matches a path against a profile key: exact, or a `*` pattern that does not cross `/`. */
export function pathMatches(pattern: string, path: string): boolean {
  if (!pattern.includes('*')) return pattern === path;
  const star = pattern.indexOf('*');
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  if (!path.startsWith(head) || !path.endsWith(tail) || path.length < head.length + tail.length) return false;
  return !path.slice(head.length, path.length - tail.length).includes('/');
}

/** The key an item is stored under: a path already covered by a pattern goes into the pattern. */
function keyFor(category: ProfileCategory, items: Record<string, ProfileItem>, key: string): string {
  if (!PATH_CATEGORIES.has(category) || key in items) return key;
  for (const existing of Object.keys(items)) {
    if (existing.includes('*') && pathMatches(existing, key)) return existing;
  }
  return key;
}

/**
 * Adds an item (or more sightings of one) to a profile's category; true when
 * the profile changed. Paths are generalised afterwards (see {@link generalise}).
 */
export function addItem(profile: Profile, category: ProfileCategory, key: string, item: ProfileItem): boolean {
  const items = profile.items[category];
  const at = keyFor(category, items, key);
  const existing = items[at];
  if (existing === undefined) {
    items[at] = {
      replicas: [...item.replicas].slice(0, MAX_NAMES),
      hosts: [...item.hosts].slice(0, MAX_NAMES),
      first_seen: item.first_seen,
      last_seen: item.last_seen,
      ...(item.origin ? { origin: item.origin } : {}),
    };
    if (PATH_CATEGORIES.has(category)) generalise(items);
    return true;
  }
  return mergeItem(existing, item);
}

/**
 * Where one directory holds more than {@link GENERALISE_AT} distinct names, they
 * become one pattern: the directory, the names' longest common prefix and `*`
 * (`/tmp/app-1`, `/tmp/app-2`, … → `/tmp/app-*`).
 */
export function generalise(items: Record<string, ProfileItem>): void {
  const byDir = new Map<string, string[]>();
  for (const key of Object.keys(items)) {
    if (key.includes('*')) continue;
    const slash = key.lastIndexOf('/');
    if (slash < 0) continue;
    const dir = key.slice(0, slash + 1);
    const list = byDir.get(dir) ?? [];
    list.push(key);
    byDir.set(dir, list);
  }
  for (const [dir, keys] of byDir) {
    if (keys.length <= GENERALISE_AT) continue;
    const names = keys.map((k) => k.slice(dir.length));
    let prefix = names[0]!;
    for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
    const pattern = `${dir}${prefix}*`;
    const folded = items[pattern] ?? { replicas: [], hosts: [], first_seen: Number.MAX_SAFE_INTEGER, last_seen: 0 };
    for (const key of keys) {
      mergeItem(folded, items[key]!);
      delete items[key];
    }
    items[pattern] = folded;
  }
}

/** Whether a profile already holds an item, by exact key or pattern. */
export function hasItem(profile: Profile, category: ProfileCategory, key: string): boolean {
  const items = profile.items[category];
  return keyFor(category, items, key) in items;
}

/** What Rego sees in `data.vigil.profiles[workload]`: item keys only. */
export interface ProfileData {
  learned: true;
  workload: string;
  version: number;
  state: ProfileState;
  [category: string]: unknown;
}

export function profileData(profile: Profile): ProfileData {
  const data: ProfileData = { learned: true, workload: profile.workload, version: profile.version, state: profile.state };
  for (const category of PROFILE_CATEGORIES) {
    data[category] = Object.fromEntries(Object.keys(profile.items[category]).map((k) => [k, true]));
  }
  return data;
}

/** What changed between two versions of a profile, per category. */
export interface ProfileDiff {
  from: number;
  to: number;
  state?: { from: ProfileState; to: ProfileState };
  added: Partial<Record<ProfileCategory, string[]>>;
  removed: Partial<Record<ProfileCategory, string[]>>;
}

export function diffProfiles(before: Profile, after: Profile): ProfileDiff {
  const diff: ProfileDiff = { from: before.version, to: after.version, added: {}, removed: {} };
  if (before.state !== after.state) diff.state = { from: before.state, to: after.state };
  for (const category of PROFILE_CATEGORIES) {
    const a = new Set(Object.keys(before.items[category] ?? {}));
    const b = new Set(Object.keys(after.items[category] ?? {}));
    const added = [...b].filter((k) => !a.has(k)).sort();
    const removed = [...a].filter((k) => !b.has(k)).sort();
    if (added.length) diff.added[category] = added;
    if (removed.length) diff.removed[category] = removed;
  }
  return diff;
}

/**
 * Checks a profile read from a file or the store: the shape every other
 * function relies on. Returns the problem, or undefined.
 */
export function profileProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'a profile is a JSON/YAML object';
  const p = value as Partial<Profile>;
  if (typeof p.workload !== 'string' || p.workload === '') return 'workload: a non-empty string is required';
  if (!Number.isInteger(p.version) || (p.version as number) < 0) return 'version: a non-negative integer is required';
  if (p.state !== 'learning' && p.state !== 'enforcing') return 'state: learning or enforcing';
  if (typeof p.learn_window_s !== 'number' || !(p.learn_window_s >= 0)) return 'learn_window_s: a number of seconds is required';
  if (typeof p.items !== 'object' || p.items === null) return 'items: an object of categories is required';
  for (const [category, items] of Object.entries(p.items)) {
    if (!isProfileCategory(category)) return `items.${category}: unknown category; expected one of ${PROFILE_CATEGORIES.join(', ')}`;
    if (typeof items !== 'object' || items === null || Array.isArray(items)) return `items.${category}: an object of items is required`;
    for (const [key, item] of Object.entries(items as Record<string, unknown>)) {
      const i = item as Partial<ProfileItem> | null;
      if (!i || !Array.isArray(i.replicas) || !Array.isArray(i.hosts) || typeof i.first_seen !== 'number' || typeof i.last_seen !== 'number') {
        return `items.${category}[${JSON.stringify(key)}]: replicas, hosts, first_seen and last_seen are required`;
      }
    }
  }
  return undefined;
}

/** Fills categories a stored or imported profile leaves out. */
export function normalised(profile: Profile): Profile {
  return { ...profile, active_s: profile.active_s ?? 0, last_active_ms: profile.last_active_ms ?? 0, items: { ...emptyItems(), ...profile.items } };
}
