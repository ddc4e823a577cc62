import path from 'node:path';
import { parseArgs } from 'node:util';
import { splitList } from '../args.js';
import { UsageError } from '../errors.js';
import { generateNatsConfig } from '../security/index.js';

export const NATS_CONFIG_USAGE = `vigil nats-config --hosts a,b,c --out DIR [--server-name NAME] [--dns NAME,...] [--ip ADDR,...]
         [--listen HOST:PORT] [--server-dir DIR] [--store-dir DIR] [--mtls] [--rotate NAME,...]
  Writes a TLS-only, nkey-authenticated nats-server.conf with a CA, a server certificate and one
  identity per role: collector-<host> (publish its own facts), engine, alerts (subscribe only).
  Run again to add or drop hosts; existing keys are kept unless named in --rotate (an identity,
  server or ca). Then reload the server: nats-server --signal reload.`;

const list = (value: string | undefined): string[] | undefined => (value === undefined ? undefined : splitList(value));

export async function natsConfigCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      hosts: { type: 'string' },
      out: { type: 'string' },
      'server-name': { type: 'string' },
      dns: { type: 'string' },
      ip: { type: 'string' },
      listen: { type: 'string' },
      'server-dir': { type: 'string' },
      'store-dir': { type: 'string' },
      mtls: { type: 'boolean' },
      rotate: { type: 'string' },
    },
  });
  if (!values.out) throw new UsageError('nats-config: expected --out DIR');
  const hosts = list(values.hosts) ?? [];
  if (hosts.length === 0) throw new UsageError('nats-config: expected --hosts a,b,c (the collector hosts)');
  const result = await generateNatsConfig({
    outDir: values.out,
    hosts,
    serverName: values['server-name'],
    dns: list(values.dns),
    ip: list(values.ip),
    listen: values.listen,
    serverDir: values['server-dir'],
    storeDir: values['store-dir'],
    mtls: values.mtls ?? false,
    rotate: list(values.rotate),
  });
  const rel = (file: string): string => {
    const relative = path.relative(process.cwd(), file);
    return relative === '' || relative.startsWith('..') ? file : relative;
  };
  const out: string[] = [`wrote ${rel(result.configFile)} (CA ${rel(result.caFile)})`];
  for (const id of result.identities) {
    const fresh = result.written.includes(id.seedFile) ? ' (new key)' : '';
    out.push(`  ${id.name.padEnd(24)} ${id.publicKey}  --nats-nkey ${rel(id.seedFile)}${fresh}`);
  }
  for (const file of result.removed) out.push(`  removed ${rel(file)}`);
  out.push('apply: copy the directory to the server (keep ca-key.pem offline), then nats-server --signal reload');
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
