import fs from 'node:fs';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { credsAuthenticator, nkeyAuthenticator, type ConnectionOptions, type NatsConnection, type TlsOptions } from '@nats-io/nats-core';
import { config, SETTINGS, type Config, type SettingName } from './config.js';
import { UsageError } from './errors.js';
import { inboxPrefixFor, readSeed } from './security/index.js';

/** `--nats` ?? VIGIL_NATS_URL; commands that need a server and got none say so. */
export function natsUrl(option: string | undefined, required: boolean): string | undefined {
  const url = config.text('natsUrl', option);
  if (!url && required) throw new UsageError('no NATS server given: pass --nats URL or set VIGIL_NATS_URL');
  return url;
}

/**
 * The connection options every command that talks to NATS accepts; spread
 * into its parseArgs options and pass the parsed values to natsSecurity().
 */
export const NATS_SECURITY_OPTIONS = {
  'nats-nkey': { type: 'string' },
  'nats-creds': { type: 'string' },
  'nats-ca': { type: 'string' },
  'nats-tls-cert': { type: 'string' },
  'nats-tls-key': { type: 'string' },
} as const;

export const NATS_SECURITY_USAGE = `NATS security (any command that connects):
  --nats-nkey FILE      nkey seed file of this identity (VIGIL_NATS_NKEY), from \`vigil nats-config\`
  --nats-creds FILE     JWT user credentials instead, for operator-mode servers (VIGIL_NATS_CREDS)
  --nats-ca FILE        CA certificate the server's TLS certificate must chain to (VIGIL_NATS_CA)
  --nats-tls-cert FILE  client certificate for mutual TLS (VIGIL_NATS_TLS_CERT), with --nats-tls-key (VIGIL_NATS_TLS_KEY)`;

/**
 * The identities `vigil nats-config --out DIR` wrote, for a process that
 * plays several roles (`vigil up`): `of(name)` is the security of one of them.
 */
export function natsIdentities(dir: string): { of(name: string): NatsSecurity } {
  const file = (...parts: string[]): string => path.join(dir, ...parts);
  const readable = (f: string): boolean => {
    try {
      fs.accessSync(f, fs.constants.R_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (!readable(file('ca.pem')) || !readable(file('identities'))) {
    throw new UsageError(`--nats-identities ${dir}: expected the directory \`vigil nats-config --out\` wrote (ca.pem, identities/)`);
  }
  return {
    of(name) {
      const nkeyFile = file('identities', `${name}.nk`);
      if (!readable(nkeyFile)) throw new UsageError(`--nats-identities ${dir}: no identity ${name} (expected ${nkeyFile}; \`vigil nats-config --hosts\` adds a host's collector)`);
      const security: NatsSecurity = { nkeyFile, caFile: file('ca.pem') };
      const [certFile, keyFile] = [file('identities', `${name}-cert.pem`), file('identities', `${name}-key.pem`)];
      if (readable(certFile) && readable(keyFile)) Object.assign(security, { certFile, keyFile });
      return security;
    },
  };
}

/** How a client proves who it is and checks the server; all optional (none: plain, anonymous NATS). */
export interface NatsSecurity {
  nkeyFile?: string;
  credsFile?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

type SecurityValues = { [K in keyof typeof NATS_SECURITY_OPTIONS]?: string | undefined };

/** option ?? environment, validated: files must be readable, nkey and creds are exclusive, cert needs key. */
export function natsSecurity(values: SecurityValues, settings: Config = config): NatsSecurity {
  const security: NatsSecurity = {};
  const pick = (option: string | undefined, name: SettingName, flag: string): string | undefined => {
    const file = settings.text(name, option);
    if (file === undefined || file === '') return undefined;
    const variable = SETTINGS[name].env;
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch {
      throw new UsageError(`${flag} ${file}: expected a readable file (from ${option !== undefined ? flag : variable})`);
    }
    return file;
  };
  const nkeyFile = pick(values['nats-nkey'], 'natsNkey', '--nats-nkey');
  const credsFile = pick(values['nats-creds'], 'natsCreds', '--nats-creds');
  const caFile = pick(values['nats-ca'], 'natsCa', '--nats-ca');
  const certFile = pick(values['nats-tls-cert'], 'natsTlsCert', '--nats-tls-cert');
  const keyFile = pick(values['nats-tls-key'], 'natsTlsKey', '--nats-tls-key');
  if (nkeyFile && credsFile) throw new UsageError('--nats-nkey and --nats-creds are exclusive: give one identity');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new UsageError('--nats-tls-cert and --nats-tls-key go together: give both or neither');
  }
  if (nkeyFile) security.nkeyFile = nkeyFile;
  if (credsFile) security.credsFile = credsFile;
  if (caFile) security.caFile = caFile;
  if (certFile && keyFile) {
    security.certFile = certFile;
    security.keyFile = keyFile;
  }
  return security;
}

/**
 * nats.js connection options for `security`. An nkey identity also gets its
 * own reply inbox (`_INBOX.<public key>`), the only one `vigil nats-config`
 * lets it subscribe to.
 */
export function natsConnectionOptions(security: NatsSecurity): Partial<ConnectionOptions> {
  const options: Partial<ConnectionOptions> = {};
  if (security.nkeyFile) {
    const pair = readSeed(fs.readFileSync(security.nkeyFile, 'utf8'), security.nkeyFile);
    options.authenticator = nkeyAuthenticator(pair.getSeed());
    options.inboxPrefix = inboxPrefixFor(pair.getPublicKey());
  } else if (security.credsFile) {
    options.authenticator = credsAuthenticator(fs.readFileSync(security.credsFile));
  }
  if (security.caFile || security.certFile) {
    const tls: TlsOptions = {};
    if (security.caFile) tls.caFile = security.caFile;
    if (security.certFile && security.keyFile) {
      tls.certFile = security.certFile;
      tls.keyFile = security.keyFile;
    }
    options.tls = tls;
  }
  return options;
}

export async function connectNats(url: string, name: string, security: NatsSecurity = {}): Promise<NatsConnection> {
  try {
    return await connect({
      servers: url.split(','),
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      ...natsConnectionOptions(security),
    });
  } catch (error) {
    throw new UsageError(`cannot connect to NATS at ${url}: ${(error as Error).message}${hint(error, security)}`);
  }
}

function hint(error: unknown, security: NatsSecurity): string {
  const message = String((error as Error)?.message ?? '').toLowerCase();
  if (message.includes('authorization') && !security.nkeyFile && !security.credsFile) {
    return ' (the server wants an identity: pass --nats-nkey FILE or set VIGIL_NATS_NKEY)';
  }
  if ((message.includes('certificate') || message.includes('self-signed') || message.includes('tls')) && !security.caFile) {
    return ' (the server uses TLS: pass --nats-ca FILE or set VIGIL_NATS_CA)';
  }
  return '';
}
