import { parseArgs } from 'node:util';
import { defaultBundlePath, readBundleFile, startEngine } from '../../../engine/src/index.js';
import { UsageError } from '../errors.js';
import { createLogger } from '../logger.js';
import { connectNats, NATS_SECURITY_OPTIONS, natsSecurity, natsUrl, untilSignal } from '../nats.js';

export async function engineCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { nats: { type: 'string' }, bundle: { type: 'string' }, consumer: { type: 'string' }, workers: { type: 'string' }, ...NATS_SECURITY_OPTIONS },
  });
  const logger = createLogger();
  const workers = parseWorkers(values.workers);
  const bundle = await readBundleFile(values.bundle ?? process.env.VIGIL_BUNDLE ?? defaultBundlePath());
  const nc = await connectNats(natsUrl(values.nats, true)!, 'vigil-engine', natsSecurity(values));
  const engine = await startEngine({ nc, bundle, workers, logger, consumer: values.consumer });
  await untilSignal();
  await engine.stop();
  await nc.drain();
  return 0;
}

/** `--workers N`: a whole number of policy worker threads, at least 1. */
export function parseWorkers(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const workers = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(workers) || workers < 1) {
    throw new UsageError(`--workers expects a whole number of worker threads, at least 1 (actual: ${value})`);
  }
  return workers;
}
