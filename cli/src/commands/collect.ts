import os from 'node:os';
import { parseArgs } from 'node:util';
import { startAgent } from '../../../collectors/src/index.js';
import { createLogger } from '../logger.js';
import { connectNats, NATS_SECURITY_OPTIONS, natsSecurity, natsUrl, untilSignal } from '../nats.js';
import { parseCollectors } from './up.js';

export async function collectCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      nats: { type: 'string' },
      'host-root': { type: 'string' },
      socket: { type: 'string' },
      host: { type: 'string' },
      ...NATS_SECURITY_OPTIONS,
    },
  });
  const collectors = parseCollectors(positionals.length > 0 ? positionals.join(',') : undefined);
  const logger = createLogger();
  const nc = await connectNats(natsUrl(values.nats, true)!, `vigil-collect-${collectors.join('-')}`, natsSecurity(values));
  const agent = await startAgent({
    nc,
    host: values.host ?? process.env.VIGIL_HOST ?? os.hostname(),
    hostRoot: values['host-root'] ?? process.env.VIGIL_HOST_ROOT ?? '/',
    socketPath: values.socket,
    collectors,
    logger,
  });
  await untilSignal();
  await agent.stop();
  await nc.drain();
  return 0;
}
