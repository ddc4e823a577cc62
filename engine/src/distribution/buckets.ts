import type { NatsConnection } from '@nats-io/nats-core';
import { Kvm, type KV, type KvOptions } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import { VigilEngineError } from '../errors.js';

/** Opens a KV bucket, creating it when it does not exist yet. */
export async function ensureKv(nc: NatsConnection, bucket: string, options: Partial<KvOptions> = {}): Promise<KV> {
  const kvm = new Kvm(nc);
  try {
    const kv = await kvm.open(bucket);
    await kv.status();
    return kv;
  } catch (error) {
    if (!isNotFound(error)) throw storeError(bucket, error);
  }
  try {
    return await kvm.create(bucket, options);
  } catch (error) {
    throw storeError(bucket, error);
  }
}

/** Opens an Object Store bucket, creating it when it does not exist yet. */
export async function ensureObjectStore(nc: NatsConnection, bucket: string): Promise<ObjectStore> {
  const objm = new Objm(nc);
  try {
    return await objm.open(bucket);
  } catch (error) {
    if (!isNotFound(error)) throw storeError(bucket, error);
  }
  try {
    return await objm.create(bucket, { description: 'Vigil policy bundles (see docs/policy-guide.md)' });
  } catch (error) {
    throw storeError(bucket, error);
  }
}

function isNotFound(error: unknown): boolean {
  return /not found/i.test(String((error as Error)?.message ?? error));
}

function storeError(bucket: string, error: unknown): VigilEngineError {
  const message = (error as Error)?.message ?? String(error);
  const hint = /jetstream not enabled|503|no responders/i.test(message) ? ' (is JetStream enabled on the NATS server?)' : '';
  return new VigilEngineError('VIGIL_ERR_BUNDLE_STORE', [bucket, `${message}${hint}`], { cause: error });
}
