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
  const stopping = new AbortController();
  const signalled = untilSignal().then(() => stopping.abort());
  const printer = await printAlerts(nc, {
    subject: values.subject,
    format,
    signal: stopping.signal,
    onError: (err) => logger.warn({ err }, 'undecodable alert'),
    onFallback: (err) => logger.info({ err: String((err as Error)?.message ?? err) }, 'cannot read the alert stream: reading the alert subject, each alert id once'),
  }).catch(async (error: unknown) => {
    await nc.close();
    // Interrupted while waiting for the alert stream: a clean stop, not a failure.
    if (stopping.signal.aborted) return undefined;
    throw error;
  });
  if (printer === undefined) return 0;
  await signalled;
  await printer.stop();
  await nc.drain();
  return 0;
}
