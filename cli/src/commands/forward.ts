import { parseArgs } from 'node:util';
import { startForwarder } from '../../../engine/src/index.js';
import { UsageError } from '../errors.js';
import { FORWARD_SPEC_USAGE, parseOutputSpec } from '../forward-spec.js';
import { Lifecycle } from '../lifecycle.js';
import { createLogger } from '../logger.js';
import { connectNats, NATS_SECURITY_OPTIONS, natsSecurity, natsUrl } from '../nats.js';

export const FORWARD_USAGE = `vigil forward --nats URL --output SPEC [--output SPEC]...
  Delivers alerts from the alert stream to each output, at least once: each output keeps its place in a
  durable consumer, so a restart neither loses alerts nor sends the stream again; a failing output is
  retried with back-off (1 s doubling to 60 s) without holding the others back.
  ${FORWARD_SPEC_USAGE}`;

export async function forwardCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { nats: { type: 'string' }, output: { type: 'string', multiple: true }, ...NATS_SECURITY_OPTIONS } });
  const targets = (values.output ?? []).map(parseOutputSpec);
  if (targets.length === 0) throw new UsageError(`vigil forward needs at least one --output\n${FORWARD_USAGE}`);
  const names = targets.map((t) => t.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new UsageError(`--output: two outputs are named ${twice}; give one a ;name=`);
  const logger = createLogger();
  const life = new Lifecycle(logger);
  return life.run(async () => {
    const nc = await connectNats(natsUrl(values.nats, true)!, 'vigil-forward', natsSecurity(values));
    life.defer('connection', () => nc.drain().catch(() => nc.close()));
    const forwarder = await startForwarder({ nc, targets, logger: logger.child({ component: 'forward' }) });
    life.defer('forwarder', () => forwarder.stop());
  });
}
