import { parseArgs } from 'node:util';
import { createLogger } from '../logger.js';
import { Lifecycle } from '../lifecycle.js';
import { connectNats, NATS_SECURITY_OPTIONS, natsSecurity, natsUrl } from '../nats.js';
import { parseAlertFormat, printAlerts } from '../alert-printer.js';

export async function alertsCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { nats: { type: 'string' }, subject: { type: 'string' }, format: { type: 'string' }, ...NATS_SECURITY_OPTIONS },
  });
  const logger = createLogger();
  const format = parseAlertFormat(values.format);
  const life = new Lifecycle(logger);
  const stopping = life.abortSignal();
  return life.run(async () => {
    const nc = await connectNats(natsUrl(values.nats, true)!, 'vigil-alerts', natsSecurity(values));
    life.defer('connection', () => nc.drain().catch(() => nc.close()));
    try {
      const printer = await printAlerts(nc, {
        subject: values.subject,
        format,
        signal: stopping,
        onError: (err) => logger.warn({ err }, 'undecodable alert'),
        onFallback: (err) => logger.info({ err: String((err as Error)?.message ?? err) }, 'cannot read the alert stream: reading the alert subject, each alert id once'),
      });
      life.defer('alert printer', () => printer.stop());
    } catch (error) {
      // Interrupted while waiting for the alert stream: a clean stop, not a failure.
      if (!stopping.aborted) throw error;
    }
  });
}
