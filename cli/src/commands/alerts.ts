import { parseArgs } from 'node:util';
import { createLogger } from '../logger.js';
import { connectNats, NATS_SECURITY_OPTIONS, natsSecurity, natsUrl, untilSignal } from '../nats.js';
import { parseAlertFormat, printAlerts } from '../alert-printer.js';

export async function alertsCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { nats: { type: 'string' }, subject: { type: 'string' }, format: { type: 'string' }, ...NATS_SECURITY_OPTIONS },
  });
  const logger = createLogger();
  const nc = await connectNats(natsUrl(values.nats, true)!, 'vigil-alerts', natsSecurity(values));
  const format = parseAlertFormat(values.format);
  const printer = await printAlerts(nc, {
    subject: values.subject,
    format,
    onError: (err) => logger.warn({ err }, 'undecodable alert'),
    onFallback: (err) => logger.info({ err: String((err as Error)?.message ?? err) }, 'cannot read the alert stream: reading the alert subject, each alert id once'),
  }).catch(async (error: unknown) => {
    await nc.close();
    throw error;
  });
  await untilSignal();
  await printer.stop();
  await nc.drain();
  return 0;
}
