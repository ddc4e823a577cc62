import type { NatsConnection } from '@nats-io/nats-core';
import { Kvm, type KV, type KvOptions } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import { VigilEngineError } from '../errors.js';

/** Opens a KV bucket, creating it when it does not exist yet. */
export function ensureKv(nc: NatsConnection, bucket: string, options: Partial<KvOptions> = {}): Promise<KV> {
  const kvm = new Kvm(nc);
  return whileTimingOut(bucket, async () => {
    try {
      const kv = await kvm.open(bucket);
      await kv.status();
      return kv;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return kvm.create(bucket, options);
  });
}

/** A KV update or create refused because another writer got there first (compare-and-set lost). */
export function isWrongRevision(error: unknown): boolean {
  const text = String((error as Error)?.message ?? error);
  return /wrong last sequence|key exists|10071|10164/i.test(text) || (error as { api_error?: { err_code?: number } })?.api_error?.err_code === 10071;
}

/** Opens an Object Store bucket, creating it when it does not exist yet. */
export function ensureObjectStore(nc: NatsConnection, bucket: string): Promise<ObjectStore> {
  const objm = new Objm(nc);
  return whileTimingOut(bucket, async () => {
    try {
      return await objm.open(bucket);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return objm.create(bucket, { description: 'Vigil policy bundles (see docs/policy-guide.md)' });
  });
}

/** How long a bucket's creation is retried while JetStream times out (a cluster electing leaders, a busy meta layer). */
const BUCKET_TIMEOUT_MS = 30_000;

/**
 * Runs `open` again while the JetStream API times out, up to
 * BUCKET_TIMEOUT_MS: on a cluster that is still electing leaders, or busy
 * creating other streams, a first request can time out though a later one works.
 */
async function whileTimingOut<T>(bucket: string, open: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + BUCKET_TIMEOUT_MS;
  for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 4_000)) {
    try {
      return await open();
    } catch (error) {
      if (!isTimeout(error) || Date.now() + delayMs > deadline) throw storeError(bucket, error);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

function isTimeout(error: unknown): boolean {
  return /timeout|timed out/i.test(String((error as Error)?.message ?? error));
}

function isNotFound(error: unknown): boolean {
  return /not found/i.test(String((error as Error)?.message ?? error));
}

function storeError(bucket: string, error: unknown): VigilEngineError {
  const message = (error as Error)?.message ?? String(error);
  const hint = /jetstream not enabled|503|no responders/i.test(message) ? ' (is JetStream enabled on the NATS server?)' : '';
  return new VigilEngineError('VIGIL_ERR_BUNDLE_STORE', [bucket, `${message}${hint}`], { cause: error });
}
