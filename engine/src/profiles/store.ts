import type { NatsConnection, QueuedIterator } from '@nats-io/nats-core';
import type { KV, KvWatchEntry } from '@nats-io/kv';
import { ensureKv, isWrongRevision } from '../distribution/buckets.js';
import { VigilEngineError } from '../errors.js';
import { normalised, profileProblem, type Profile } from './model.js';

/**
 * Learned profiles in a NATS KV bucket (`vigil-profiles`), one key per
 * workload, the last {@link PROFILE_HISTORY} versions kept. Every change is a
 * compare-and-set on the key's revision, so engines and the CLI updating one
 * profile at once never lose each other's items.
 */
export const PROFILE_BUCKET = 'vigil-profiles';
export const PROFILE_HISTORY = 64;
const MAX_ATTEMPTS = 50;

/** KV keys allow `[-/_=.A-Za-z0-9]` with `.` as a token separator: anything else is `=XX`. */
export function profileKey(workload: string): string {
  return [...Buffer.from(workload, 'utf8')]
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[-/_A-Za-z0-9]/.test(c) ? c : `=${b.toString(16).padStart(2, '0')}`;
    })
    .join('');
}

export function workloadOfKey(key: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < key.length; i++) {
    if (key[i] === '=') {
      bytes.push(parseInt(key.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(key.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

export function decodeProfile(workload: string, bytes: Uint8Array): Profile {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new VigilEngineError('VIGIL_ERR_PROFILE_INVALID', [workload, `not JSON: ${(error as Error).message}`], { cause: error });
  }
  const problem = profileProblem(value);
  if (problem) throw new VigilEngineError('VIGIL_ERR_PROFILE_INVALID', [workload, problem]);
  return normalised(value as Profile);
}

export interface StoredProfile {
  profile: Profile;
  revision: number;
}

export class ProfileStore {
  private constructor(readonly kv: KV) {}

  static async open(nc: NatsConnection, bucket = PROFILE_BUCKET): Promise<ProfileStore> {
    return new ProfileStore(await ensureKv(nc, bucket, { history: PROFILE_HISTORY, description: 'Vigil learned workload profiles: workload → profile JSON' }));
  }

  async get(workload: string): Promise<StoredProfile | undefined> {
    const entry = await this.kv.get(profileKey(workload));
    if (!entry || entry.operation !== 'PUT') return undefined;
    return { profile: decodeProfile(workload, entry.value), revision: entry.revision };
  }

  async workloads(): Promise<string[]> {
    const keys: string[] = [];
    for await (const key of await this.kv.keys()) keys.push(workloadOfKey(key));
    return keys.sort();
  }

  /** Every stored version still in the bucket's history, oldest first. */
  async history(workload: string): Promise<Profile[]> {
    const out: Profile[] = [];
    for await (const entry of await this.kv.history({ key: profileKey(workload) })) {
      if (entry.operation === 'PUT') out.push(decodeProfile(workload, entry.value));
    }
    return out;
  }

  /**
   * Read, change, write back if nobody wrote in between; otherwise again.
   * `change` gets the current profile (undefined when there is none) and returns
   * the new one, or undefined to leave the key as it is. The version grows by one.
   */
  async update(workload: string, change: (current: Profile | undefined) => Profile | undefined): Promise<Profile | undefined> {
    const key = profileKey(workload);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const entry = await this.kv.get(key);
      const current = entry && entry.operation === 'PUT' ? decodeProfile(workload, entry.value) : undefined;
      const next = change(current === undefined ? undefined : structuredClone(current));
      if (next === undefined) return current;
      next.version = (current?.version ?? 0) + 1;
      next.updated_ms = Date.now();
      const bytes = new TextEncoder().encode(JSON.stringify(next));
      try {
        if (entry) await this.kv.update(key, bytes, entry.revision);
        else await this.kv.create(key, bytes);
        return next;
      } catch (error) {
        if (!isWrongRevision(error)) throw error;
      }
    }
    throw new VigilEngineError('VIGIL_ERR_PROFILE_CONFLICT', [workload, String(MAX_ATTEMPTS)]);
  }

  async delete(workload: string): Promise<void> {
    await this.kv.delete(profileKey(workload));
  }

  /**
   * Every current profile, and the stream position to follow changes from.
   * Invalid values are reported to `onInvalid` and left out.
   */
  async snapshot(onInvalid: (workload: string, error: Error) => void): Promise<{ profiles: Map<string, Profile>; since: number }> {
    const since = (await this.kv.status()).streamInfo.state.last_seq;
    const profiles = new Map<string, Profile>();
    for (const workload of await this.workloads()) {
      try {
        const stored = await this.get(workload);
        if (stored) profiles.set(workload, stored.profile);
      } catch (error) {
        onInvalid(workload, error as Error);
      }
    }
    return { profiles, since };
  }

  /** Every change after stream position `since`; a deleted profile comes as undefined. */
  async follow(since: number, onProfile: (workload: string, profile: Profile | undefined) => void, onInvalid: (workload: string, error: Error) => void): Promise<QueuedIterator<KvWatchEntry>> {
    const watch = await this.kv.watch({ resumeFromRevision: since + 1 });
    void (async () => {
      for await (const entry of watch) {
        const workload = workloadOfKey(entry.key);
        if (entry.operation !== 'PUT') {
          onProfile(workload, undefined);
          continue;
        }
        try {
          onProfile(workload, decodeProfile(workload, entry.value));
        } catch (error) {
          onInvalid(workload, error as Error);
        }
      }
    })();
    return watch;
  }
}
