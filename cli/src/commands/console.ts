import { parseArgs } from 'node:util';
import { defaultBundlePath, readBundleFile, startConsole, type Bundle, type RunningConsole } from '../../../engine/src/index.js';
import { config } from '../config.js';
import { UsageError } from '../errors.js';
import { Lifecycle } from '../lifecycle.js';
import type { Logger } from 'pino';
import { createLogger } from '../logger.js';
import { connectNats, NATS_SECURITY_OPTIONS, natsSecurity, natsUrl } from '../nats.js';
import type { NatsConnection } from '@nats-io/nats-core';

export const CONSOLE_USAGE = `vigil console --nats URL [--console HOST:PORT] [--console-token TOKEN] [--bundle FILE]
  Serves the console (alerts live, fleet, workloads, exceptions) from what NATS holds, on 127.0.0.1:7474
  unless --console says otherwise (VIGIL_CONSOLE). Actions (acknowledge, create an exception, approve drift)
  need the token, and so does everything when bound beyond loopback; without --console-token
  (VIGIL_CONSOLE_TOKEN) one is generated and printed at start. Workloads' posture is judged with --bundle
  (VIGIL_BUNDLE; default: the shipped one).`;

export function parseConsoleAddress(value: string | undefined): { host: string; port: number } {
  const text = config.text('console', value) ?? '127.0.0.1:7474';
  const m = /^(\[[^\]]+\]|[^:]*):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65_535) throw new UsageError(`--console: expected HOST:PORT, e.g. 127.0.0.1:7474 (actual: ${text})`);
  return { host: m[1]!.replace(/^\[|\]$/g, '') || '127.0.0.1', port };
}

/** Starts the console and says where it is (and its token when generated). */
export async function serveConsole(nc: NatsConnection, address: string | undefined, token: string | undefined, logger: Logger, bundle?: Bundle): Promise<RunningConsole> {
  const { host, port } = parseConsoleAddress(address);
  const running = await startConsole({ nc, host, port, token: config.text('consoleToken', token), logger: logger.child({ component: 'console' }), ...(bundle ? { bundle } : {}) });
  const link = running.generatedToken ? `${running.url}?token=${running.token}` : running.url;
  process.stderr.write(`vigil: console at ${link}${running.generatedToken ? ' (token generated for this run)' : ''}\n`);
  logger.info({ url: running.url }, 'console started');
  return running;
}

export async function consoleCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { nats: { type: 'string' }, console: { type: 'string' }, 'console-token': { type: 'string' }, bundle: { type: 'string' }, ...NATS_SECURITY_OPTIONS } });
  const logger = createLogger();
  parseConsoleAddress(values.console);
  const bundle = await readBundleFile(config.single('bundle', values.bundle) ?? defaultBundlePath());
  const life = new Lifecycle(logger);
  return life.run(async () => {
    const nc = await connectNats(natsUrl(values.nats, true)!, 'vigil-console', natsSecurity(values));
    life.defer('connection', () => nc.drain().catch(() => nc.close()));
    const running = await serveConsole(nc, values.console, values['console-token'], logger, bundle);
    life.defer('console', () => running.stop());
  });
}
