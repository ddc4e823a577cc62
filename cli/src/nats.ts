import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { UsageError } from './errors.js';

/** `--nats` ?? VIGIL_NATS_URL; commands that need a server and got none say so. */
export function natsUrl(option: string | undefined, required: boolean): string | undefined {
  const url = option ?? process.env.VIGIL_NATS_URL;
  if (!url && required) throw new UsageError('no NATS server given: pass --nats URL or set VIGIL_NATS_URL');
  return url;
}

export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  try {
    return await connect({ servers: url.split(','), name, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
  } catch (error) {
    throw new UsageError(`cannot connect to NATS at ${url}: ${(error as Error).message}`);
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const done = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve(signal);
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
