import type { NatsConnection, QueuedIterator } from '@nats-io/nats-core';
import type { KvWatchEntry } from '@nats-io/kv';
import { VigilEngineError } from '../errors.js';
import type { Bundle } from '../policy/bundle.js';
import { distributionSubjects, publishEvent } from './events.js';
import { verifyBundle, type BundleVerifier } from './signature.js';
import { BundleStore, parseHead, type BundleHead } from './store.js';

export type BundleEvent =
  | { type: 'loaded'; name: string; revision: string; digest: string; verified: boolean; bundle: Bundle; head: BundleHead }
  | { type: 'rejected'; name: string; revision: string; digest: string; code: string; error: string }
  /** The head was deleted (`vigil policy remove`): stop serving the bundle. */
  | { type: 'removed'; name: string };

export interface BundleWatchOptions {
  nc: NatsConnection;
  /** Object Store bucket; default `vigil-bundles`. */
  bucket?: string;
  /** KV bucket of heads; default `vigil-bundle-heads`. */
  headsBucket?: string;
  /** Bundle names to follow; default every name in the bucket. */
  names?: string[];
  /** Follow the shadows of those names instead of their heads. */
  shadows?: boolean;
  /** When set, only bundles signed with this key load; the rest are rejected. */
  verify?: BundleVerifier;
  /** Where rejections are published; default `vigil.events.bundle.rejected`, false for nowhere. */
  eventsSubject?: string | false;
}

/** Events until `stop()`; iterate it once. */
export interface BundleWatch extends AsyncIterable<BundleEvent> {
  stop(): Promise<void>;
}

/**
 * Follows the heads of bundle names: yields `loaded` with the parsed bundle
 * for each head in force at start and for every later push or rollback,
 * `removed` when a head is deleted, and `rejected` (also published on
 * `vigil.events.bundle.rejected`) for a bundle that fails verification or
 * parsing. A rejected bundle changes nothing: the caller keeps serving what it
 * had. Bucket or connection failures end the iteration with an error.
 *
 *   for await (const event of watchBundles({ nc, verify })) {
 *     if (event.type === 'loaded') await engine.replaceBundle(event.bundle, undefined, event.name);
 *   }
 */
export function watchBundles(options: BundleWatchOptions): BundleWatch {
  const subject = options.eventsSubject ?? distributionSubjects.bundleRejected;
  let heads: QueuedIterator<KvWatchEntry> | undefined;
  let stopped = false;

  async function* events(): AsyncGenerator<BundleEvent, void, undefined> {
    const store = await BundleStore.open(options);
    if (stopped) return;
    heads = options.shadows ? await store.watchShadows(options.names) : await store.watchHeads(options.names);
    if (stopped) heads.stop();
    const loadedDigests = new Map<string, string>();
    for await (const entry of heads) {
      const name = entry.key;
      if (entry.operation !== 'PUT') {
        // A deletion seen before any value of the key (a fresh watcher) still withdraws it: the caller may serve it from elsewhere.
        loadedDigests.delete(name);
        yield { type: 'removed', name };
        continue;
      }
      const event = await judge(store, entry);
      if (event.type === 'loaded') {
        if (event.digest === loadedDigests.get(name)) continue;
        loadedDigests.set(name, event.digest);
      } else if (subject !== false) {
        publishEvent(options.nc, subject, {
          name,
          revision: event.revision,
          object: `${options.shadows ? 'shadow.' : ''}${name}@${event.digest.slice(0, 16)}`,
          digest: event.digest,
          code: event.code,
          error: event.error,
          at: new Date().toISOString(),
        });
      }
      yield event;
    }
  }

  async function judge(store: BundleStore, entry: KvWatchEntry): Promise<Exclude<BundleEvent, { type: 'removed' }>> {
    const name = entry.key;
    let head: BundleHead | undefined;
    try {
      head = parseHead(entry);
      const bytes = await store.fetch(head);
      const checked = await verifyBundle(bytes, { verifier: options.verify, label: `${head.object} (revision ${head.revision})` });
      if (checked.digest !== head.digest) {
        throw new VigilEngineError('VIGIL_ERR_BUNDLE_STORE', [store.bucket, `${head.object} has digest ${checked.digest}, its head says ${head.digest}`]);
      }
      return { type: 'loaded', name, revision: checked.bundle.revision, digest: checked.digest, verified: checked.verified, bundle: checked.bundle, head };
    } catch (error) {
      if (!(error instanceof VigilEngineError)) throw error;
      return { type: 'rejected', name, revision: head?.revision ?? '', digest: head?.digest ?? '', code: error.code, error: error.message };
    }
  }

  const generator = events();
  return {
    [Symbol.asyncIterator]: () => generator,
    stop: async () => {
      stopped = true;
      heads?.stop();
      await generator.return(undefined);
    },
  };
}
