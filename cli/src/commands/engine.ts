import { parseArgs } from 'node:util';
import { defaultBundlePath, PolicyEvaluator, readBundleFile, startEngine } from '../../../engine/src/index.js';
import { createLogger } from '../logger.js';
import { connectNats, NATS_SECURITY_OPTIONS, natsSecurity, natsUrl, untilSignal } from '../nats.js';

export async function engineCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { nats: { type: 'string' }, bundle: { type: 'string' }, consumer: { type: 'string' }, ...NATS_SECURITY_OPTIONS },
  });
  const logger = createLogger();
  const evaluator = await PolicyEvaluator.load(await readBundleFile(values.bundle ?? process.env.VIGIL_BUNDLE ?? defaultBundlePath()));
  const nc = await connectNats(natsUrl(values.nats, true)!, 'vigil-engine', natsSecurity(values));
  const engine = await startEngine({ nc, evaluator, logger, consumer: values.consumer });
  await untilSignal();
  await engine.stop();
  await nc.drain();
  return 0;
}
