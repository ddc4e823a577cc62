import type { NatsConnection, QueuedIterator } from '@nats-io/nats-core';
import type { KV, KvEntry, KvWatchEntry } from '@nats-io/kv';
import type { ObjectStore } from '@nats-io/obj';
import { VigilEngineError } from '../errors.js';
import { ensureKv, ensureObjectStore } from './buckets.js';
import { bundleNameOf, checkBundleName, DEFAULT_BUNDLE_NAME } from '../policy/manifest.js';
import { verifyBundle, type BundleVerifier, type VerifiedBundle } from './signature.js';

/**
 * Where bundles live in NATS, and their history.
 *
 *   Object Store `vigil-bundles`   one object per pushed bundle, `<name>@<sha256[:16]>`,
 *                                  immutable (the tarball exactly as pushed)
 *   KV `vigil-bundle-heads`        key `<name>` → BundleHead JSON: the object now in
 *                                  force plus the stack of earlier ones
 *
 * A push stores the object, then moves the head (compare-and-set on the KV
 * revision, so two pushes cannot lose each other). A rollback pops the stack.
 * Objects that are neither the head nor on its stack are deleted, so a name
 * keeps at most 1 + BUNDLE_HISTORY bundles. Engines watch the head keys and
 * serve one bundle per name; deleting a head (`remove`) withdraws that bundle.
 *
 *   KV `vigil-bundle-shadows`      key `<name>` → BundleHead JSON (no history) of the
 *                                  candidate engines judge beside the served `<name>`;
 *                                  its object is `shadow.<name>@<sha256[:16]>`
 *
 * Promoting a shadow pushes its object as the head and drops the shadow.
 */
export const BUNDLE_BUCKET = 'vigil-bundles';
export const BUNDLE_HEADS_BUCKET = 'vigil-bundle-heads';
export const BUNDLE_SHADOWS_BUCKET = 'vigil-bundle-shadows';
export const BUNDLE_HISTORY = 10;

/** One pushed bundle. */
export interface BundleRef {
  /** The bundle's own revision (its .manifest). */
  revision: string;
  /** Object name in the bundle bucket. */
  object: string;
  /** sha256 of the tarball, hex. */
  digest: string;
  /** ISO time of the push. */
  pushed_at: string;
  /** Whether the pusher verified its signature. */
  verified: boolean;
}

/** The value of a head key: the bundle in force and, newest first, the ones before it. */
export interface BundleHead extends BundleRef {
  name: string;
  previous: BundleRef[];
}

export interface BundleStoreOptions {
  nc: NatsConnection;
  /** Object Store bucket; default `vigil-bundles`. */
  bucket?: string;
  /** KV bucket of heads; default `vigil-bundle-heads`. */
  headsBucket?: string;
  /** KV bucket of shadows; default `vigil-bundle-shadows`. */
  shadowsBucket?: string;
}

export class BundleStore {
  readonly bucket: string;
  readonly headsBucket: string;

  private constructor(
    private readonly objects: ObjectStore,
    private readonly heads: KV,
    private readonly shadowHeads: KV,
    bucket: string,
    headsBucket: string,
  ) {
    this.bucket = bucket;
    this.headsBucket = headsBucket;
  }

  /** Opens both buckets, creating them when missing. */
  static async open(options: BundleStoreOptions): Promise<BundleStore> {
    const bucket = options.bucket ?? BUNDLE_BUCKET;
    const headsBucket = options.headsBucket ?? BUNDLE_HEADS_BUCKET;
    const [objects, heads, shadows] = await Promise.all([
      ensureObjectStore(options.nc, bucket),
      ensureKv(options.nc, headsBucket, { history: BUNDLE_HISTORY, description: 'Vigil bundle heads: name → BundleHead JSON' }),
      ensureKv(options.nc, options.shadowsBucket ?? BUNDLE_SHADOWS_BUCKET, { history: 1, description: 'Vigil shadow bundles: name → BundleHead JSON of the candidate judged beside it' }),
    ]);
    return new BundleStore(objects, heads, shadows, bucket, headsBucket);
  }

  /**
   * Checks the bundle (and its signature when a verifier is given), stores it and
   * makes it the head of `name` (default: the name in its manifest). Pushing the
   * bundle already in force changes nothing.
   */
  async push(bytes: Uint8Array, options: { name?: string; verifier?: BundleVerifier; label?: string } = {}): Promise<BundleHead> {
    const { name, ref } = await this.store(bytes, options, '');
    return this.moveHead(name, (current) => {
      if (current?.digest === ref.digest) return current;
      const previous = current ? [refOf(current), ...current.previous] : [];
      return { name, ...ref, previous: previous.slice(0, BUNDLE_HISTORY) };
    });
  }

  /**
   * Checks and stores the bundle as the shadow of `name` (default: its
   * manifest's name): engines judge every fact with it too, beside the served
   * bundle of that name, and publish its findings on shadow subjects only.
   * Replaces an earlier shadow of that name.
   */
  async pushShadow(bytes: Uint8Array, options: { name?: string; verifier?: BundleVerifier; label?: string } = {}): Promise<BundleHead> {
    const { name, ref } = await this.store(bytes, options, SHADOW_PREFIX);
    const head: BundleHead = { name, ...ref, previous: [] };
    try {
      await this.shadowHeads.put(name, JSON.stringify(head));
    } catch (error) {
      throw this.error(`cannot set the shadow of ${name}: ${(error as Error).message}`, error);
    }
    await this.prune(`${SHADOW_PREFIX}${name}`, new Set([ref.object]));
    return head;
  }

  /** The shadow of `name`, or undefined when it has none. */
  async shadow(name = DEFAULT_BUNDLE_NAME): Promise<BundleHead | undefined> {
    checkBundleName(name);
    const entry = await this.shadowHeads.get(name);
    return entry && entry.operation === 'PUT' ? parseHead(entry) : undefined;
  }

  /** Names that have a shadow now. */
  async shadowNames(): Promise<string[]> {
    const names: string[] = [];
    for await (const key of await this.shadowHeads.keys()) names.push(key);
    return names.sort();
  }

  /** Engines stop judging with the shadow of `name`; its object is deleted. */
  async dropShadow(name = DEFAULT_BUNDLE_NAME): Promise<BundleHead> {
    const shadow = await this.shadow(name);
    if (!shadow) throw this.error(`${name} has no shadow`);
    try {
      await this.shadowHeads.delete(name);
    } catch (error) {
      throw this.error(`cannot drop the shadow of ${name}: ${(error as Error).message}`, error);
    }
    await this.prune(`${SHADOW_PREFIX}${name}`, new Set());
    return shadow;
  }

  /**
   * Makes the shadow of `name` its head (a push of the same tarball, checked
   * again with `verifier`), then drops the shadow. The bundle it replaces is
   * kept for a rollback like any earlier head.
   */
  async promote(name = DEFAULT_BUNDLE_NAME, options: { verifier?: BundleVerifier } = {}): Promise<BundleHead> {
    const shadow = await this.shadow(name);
    if (!shadow) throw this.error(`${name} has no shadow to promote`);
    const head = await this.push(await this.fetch(shadow), { name, verifier: options.verifier, label: `shadow ${shadow.object}` });
    await this.dropShadow(name);
    return head;
  }

  /** Makes the previous bundle of `name` the head again; the one rolled back from is dropped. */
  async rollback(name = DEFAULT_BUNDLE_NAME): Promise<BundleHead> {
    checkBundleName(name);
    return this.moveHead(name, (current) => {
      if (!current) throw this.error(`no bundle was ever pushed under the name ${name}`);
      const [back, ...older] = current.previous;
      if (!back) throw this.error(`${name} is at its oldest kept revision (${current.revision}); nothing to roll back to`);
      return { name, ...back, previous: older };
    });
  }

  /** The head of `name`, or undefined when nothing was pushed under it. */
  async head(name = DEFAULT_BUNDLE_NAME): Promise<BundleHead | undefined> {
    checkBundleName(name);
    const entry = await this.heads.get(name);
    return entry && entry.operation === 'PUT' ? parseHead(entry) : undefined;
  }

  /** The tarball of a pushed bundle, exactly as pushed. */
  async fetch(ref: Pick<BundleRef, 'object' | 'digest'>): Promise<Uint8Array> {
    let bytes: Uint8Array | null;
    try {
      bytes = await this.objects.getBlob(ref.object);
    } catch (error) {
      throw this.error(`cannot read ${ref.object}: ${(error as Error).message}`, error);
    }
    if (!bytes) throw this.error(`object ${ref.object} is missing`);
    return bytes;
  }

  /**
   * The heads' current values (deletions included) and then every change to
   * them: of the names given, or of every name when none is.
   */
  watchHeads(names?: readonly string[]): Promise<QueuedIterator<KvWatchEntry>> {
    names?.forEach(checkBundleName);
    return this.heads.watch({ key: names === undefined || names.length === 0 ? '>' : [...names] });
  }

  /** As {@link watchHeads}, for the shadows. */
  watchShadows(names?: readonly string[]): Promise<QueuedIterator<KvWatchEntry>> {
    names?.forEach(checkBundleName);
    return this.shadowHeads.watch({ key: names === undefined || names.length === 0 ? '>' : [...names] });
  }

  /**
   * Stops deploying `name`: engines stop serving it. Its objects are deleted;
   * pushing it again starts a new history.
   */
  async remove(name: string): Promise<void> {
    checkBundleName(name);
    const entry = await this.heads.get(name);
    if (!entry || entry.operation !== 'PUT') throw this.error(`no bundle is deployed under the name ${name}`);
    try {
      await this.heads.delete(name, { previousSeq: entry.revision });
    } catch (error) {
      throw this.error(`cannot remove head ${name}: ${(error as Error).message}`, error);
    }
    await this.prune(name, new Set());
  }

  /** Names with a bundle deployed now. */
  async names(): Promise<string[]> {
    const names: string[] = [];
    for await (const key of await this.heads.keys()) names.push(key);
    return names.sort();
  }

  /** Checks the bundle and stores its object as `<prefix><name>@<digest>` (once: objects are immutable). */
  private async store(
    bytes: Uint8Array,
    options: { name?: string; verifier?: BundleVerifier; label?: string },
    prefix: string,
  ): Promise<{ name: string; ref: BundleRef }> {
    const checked: VerifiedBundle = await verifyBundle(bytes, { verifier: options.verifier, label: options.label ?? 'bundle' });
    const name = checkBundleName(options.name ?? bundleNameOf(checked.bundle.manifest));
    const ref: BundleRef = {
      revision: checked.bundle.revision,
      object: `${prefix}${name}@${checked.digest.slice(0, 16)}`,
      digest: checked.digest,
      pushed_at: new Date().toISOString(),
      verified: checked.verified,
    };
    const existing = await this.objects.info(ref.object);
    if (!existing || existing.deleted) {
      try {
        await this.objects.putBlob({ name: ref.object, metadata: { revision: ref.revision, digest: ref.digest } }, bytes);
      } catch (error) {
        throw this.error(`cannot store ${ref.object}: ${(error as Error).message}`, error);
      }
    }
    return { name, ref };
  }

  private async moveHead(name: string, next: (current: BundleHead | undefined) => BundleHead): Promise<BundleHead> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const entry = await this.heads.get(name);
      const current = entry && entry.operation === 'PUT' ? parseHead(entry) : undefined;
      const head = next(current);
      if (head === current) return head;
      const value = JSON.stringify(head);
      try {
        if (entry) await this.heads.update(name, value, entry.revision);
        else await this.heads.create(name, value);
      } catch (error) {
        if (/wrong last sequence|key exists/i.test((error as Error).message)) continue; // a concurrent push won: redo on top of it
        throw this.error(`cannot update head ${name}: ${(error as Error).message}`, error);
      }
      await this.prune(name, new Set([head.object, ...head.previous.map((p) => p.object)]));
      return head;
    }
    throw this.error(`head ${name} kept changing under concurrent pushes; try again`);
  }

  /** Deletes the objects of `name` not in `keep`. */
  private async prune(name: string, keep: ReadonlySet<string>): Promise<void> {
    for (const info of await this.objects.list()) {
      if (!info.deleted && info.name.startsWith(`${name}@`) && !keep.has(info.name)) await this.objects.delete(info.name);
    }
  }

  private error(why: string, cause?: unknown): VigilEngineError {
    return new VigilEngineError('VIGIL_ERR_BUNDLE_STORE', [this.bucket, why], { cause });
  }
}

/** Shadow objects are `shadow.<name>@…`: bundle names have no '.', so no head's prune reaches them. */
const SHADOW_PREFIX = 'shadow.';

function refOf(head: BundleHead): BundleRef {
  return { revision: head.revision, object: head.object, digest: head.digest, pushed_at: head.pushed_at, verified: head.verified };
}

/** Reads a head value; throws VIGIL_ERR_BUNDLE_STORE when it is not one. */
export function parseHead(entry: Pick<KvEntry, 'key' | 'value' | 'bucket'>): BundleHead {
  let head: BundleHead;
  try {
    head = JSON.parse(new TextDecoder().decode(entry.value)) as BundleHead;
  } catch (error) {
    throw new VigilEngineError('VIGIL_ERR_BUNDLE_STORE', [entry.bucket, `head ${entry.key} is not JSON`], { cause: error });
  }
  if (typeof head?.object !== 'string' || typeof head.digest !== 'string' || !Array.isArray(head.previous)) {
    throw new VigilEngineError('VIGIL_ERR_BUNDLE_STORE', [entry.bucket, `head ${entry.key} is not a bundle head (no object, digest or previous)`]);
  }
  return head;
}
