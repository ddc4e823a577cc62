import fs from 'node:fs/promises';
import path from 'node:path';
import { nkeys } from '@nats-io/nats-core';
import { subjectToken } from '../../../proto/src/index.js';
import { UsageError } from '../errors.js';
import { alertsPermissions, collectorPermissions, consolePermissions, enginePermissions, forwardPermissions, inboxPrefixFor, policyPermissions, type Permissions, type Role } from './permissions.js';
import { createCa, issueClientCert, issueServerCert, subjectAltNames, type CertFiles } from './pki.js';
import { ACCOUNTS, ACCOUNT_OF_ROLE } from './accounts.js';
import { renderServerConfig } from './server-config.js';

export interface NatsConfigOptions {
  /** Directory written: config, CA, server certificate, identities/. Existing keys in it are reused. */
  outDir: string;
  /** Collector hosts, one identity each (publishes `vigil.facts.*.<host>` only). */
  hosts: readonly string[];
  /** nats-server `server_name` and the certificate's common name (default `nats`, also a DNS name of the certificate). */
  serverName?: string;
  /** DNS names in the server certificate besides serverName (default `localhost`). */
  dns?: readonly string[];
  /** IP addresses in the server certificate (default `127.0.0.1`). */
  ip?: readonly string[];
  /** `host:port` the server listens on (default `0.0.0.0:4222`). */
  listen?: string;
  /** Where outDir's files will be on the server, for the paths in nats-server.conf (default outDir). */
  serverDir?: string;
  /** JetStream store directory on the server (default `<serverDir>/jetstream`). */
  storeDir?: string;
  /** Mutual TLS: issue a client certificate per identity and have the server require one. */
  mtls?: boolean;
  /** Identities (`collector-<host>`, `engine`, `alerts`, `policy`, `console`, `forward`), `server` or `ca` to issue anew. */
  rotate?: readonly string[];
}

export interface Identity {
  /** `collector-<host>`, `engine`, `alerts`, `policy`, `console` or `forward`. */
  name: string;
  role: Role;
  host?: string;
  publicKey: string;
  /** The nkey seed file: give it to the client as --nats-nkey / VIGIL_NATS_NKEY. */
  seedFile: string;
  inboxPrefix: string;
  permissions: Permissions;
  /** With mtls: the client certificate for --nats-tls-cert / --nats-tls-key. */
  tls?: CertFiles;
}

export interface GeneratedNatsConfig {
  configFile: string;
  caFile: string;
  server: CertFiles;
  identities: Identity[];
  /** Files written anew by this run (keys and certificates issued, config rewritten). */
  written: string[];
  /** Identity files of hosts no longer listed, deleted. */
  removed: string[];
}

const IDENTITIES_DIR = 'identities';

const PERMISSIONS: Record<Role, (publicKey: string, host: string | undefined) => Permissions> = {
  engine: (publicKey) => enginePermissions(publicKey),
  alerts: (publicKey) => alertsPermissions(publicKey),
  policy: (publicKey) => policyPermissions(publicKey),
  console: (publicKey) => consolePermissions(publicKey),
  forward: (publicKey) => forwardPermissions(publicKey),
  collector: (publicKey, host) => collectorPermissions(host!, publicKey),
};
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/**
 * Generates (or updates in place) everything a TLS-only, nkey-authenticated
 * NATS server for Vigil needs. Running it again keeps every existing key and
 * certificate except those named in `rotate`; hosts dropped from the list
 * lose their identity. Reload the server afterwards.
 */
export async function generateNatsConfig(options: NatsConfigOptions): Promise<GeneratedNatsConfig> {
  const outDir = path.resolve(options.outDir);
  const serverDir = options.serverDir ?? outDir;
  const serverName = options.serverName ?? 'nats';
  const rotate = new Set(options.rotate ?? []);
  const hosts = collectorHosts(options.hosts);
  const names = ['engine', 'alerts', 'policy', 'console', 'forward', ...hosts.map((h) => `collector-${h}`)];
  const unknown = [...rotate].filter((r) => r !== 'server' && r !== 'ca' && !names.includes(r));
  if (unknown.length > 0) {
    throw new UsageError(`--rotate ${unknown.join(',')}: expected some of server, ca, ${names.join(', ')}`);
  }

  const written: string[] = [];
  const idDir = path.join(outDir, IDENTITIES_DIR);
  await fs.mkdir(idDir, { recursive: true, mode: 0o700 });

  const ca: CertFiles = { certFile: path.join(outDir, 'ca.pem'), keyFile: path.join(outDir, 'ca-key.pem') };
  const newCa = rotate.has('ca') || !(await exists(ca.certFile)) || !(await exists(ca.keyFile));
  if (newCa) {
    await createCa(ca, { commonName: `Vigil NATS CA (${serverName})` });
    written.push(ca.certFile, ca.keyFile);
  }

  const server: CertFiles = { certFile: path.join(outDir, 'server-cert.pem'), keyFile: path.join(outDir, 'server-key.pem') };
  const dns = unique([serverName, ...(options.dns ?? ['localhost'])]);
  const ip = unique(options.ip ?? ['127.0.0.1']);
  const wantedSans = [...dns.map((d) => `DNS:${d}`), ...ip.map((i) => `IP:${i}`)].sort();
  const sansChanged = (await exists(server.certFile)) && (await subjectAltNames(server.certFile)).join() !== wantedSans.join();
  if (newCa || rotate.has('server') || sansChanged || !(await exists(server.certFile)) || !(await exists(server.keyFile))) {
    await issueServerCert(ca, server, { commonName: serverName, dns, ip });
    written.push(server.certFile, server.keyFile);
  }

  const identities: Identity[] = [];
  const roles: Array<{ name: string; role: Role; host?: string }> = [
    { name: 'engine', role: 'engine' },
    { name: 'alerts', role: 'alerts' },
    { name: 'policy', role: 'policy' },
    { name: 'console', role: 'console' },
    { name: 'forward', role: 'forward' },
    ...hosts.map((host) => ({ name: `collector-${host}`, role: 'collector' as const, host })),
  ];
  for (const { name, role, host } of roles) {
    const seedFile = path.join(idDir, `${name}.nk`);
    const { publicKey, created } = await userKey(seedFile, rotate.has(name));
    if (created) written.push(seedFile);
    const permissions = PERMISSIONS[role](publicKey, host);
    const identity: Identity = { name, role, publicKey, seedFile, inboxPrefix: inboxPrefixFor(publicKey), permissions };
    if (host !== undefined) identity.host = host;
    if (options.mtls) {
      const tls: CertFiles = { certFile: path.join(idDir, `${name}-cert.pem`), keyFile: path.join(idDir, `${name}-key.pem`) };
      if (newCa || rotate.has(name) || !(await exists(tls.certFile)) || !(await exists(tls.keyFile))) {
        await issueClientCert(ca, tls, { commonName: `vigil-${name}` });
        written.push(tls.certFile, tls.keyFile);
      }
      identity.tls = tls;
    }
    identities.push(identity);
  }

  const removed = await removeStaleCollectors(idDir, new Set(hosts.map((h) => `collector-${h}`)));

  const onServer = (file: string): string => path.join(serverDir, path.relative(outDir, file));
  const configFile = path.join(outDir, 'nats-server.conf');
  await fs.writeFile(
    configFile,
    renderServerConfig({
      serverName,
      listen: options.listen ?? '0.0.0.0:4222',
      storeDir: options.storeDir ?? path.join(serverDir, 'jetstream'),
      tls: { certFile: onServer(server.certFile), keyFile: onServer(server.keyFile), caFile: onServer(ca.certFile), verify: options.mtls ?? false },
      users: identities.map((i) => ({ name: i.name, publicKey: i.publicKey, permissions: i.permissions, account: ACCOUNT_OF_ROLE[i.role] })),
      accounts: ACCOUNTS,
    }),
    { mode: 0o644 },
  );
  written.push(configFile);
  const manifest = identities.map((i) => ({ ...i, seedFile: path.relative(outDir, i.seedFile), tls: undefined }));
  await fs.writeFile(path.join(outDir, 'identities.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  return { configFile, caFile: ca.certFile, server, identities, written, removed };
}

/** Reads the nkey seed at `file`, or creates one (mode 0600) when missing or rotated. */
async function userKey(file: string, rotate: boolean): Promise<{ publicKey: string; created: boolean }> {
  if (!rotate && (await exists(file))) {
    return { publicKey: readSeed(await fs.readFile(file, 'utf8'), file).getPublicKey(), created: false };
  }
  const pair = nkeys.createUser();
  await fs.writeFile(file, `${new TextDecoder().decode(pair.getSeed())}\n`, { mode: 0o600 });
  await fs.chmod(file, 0o600);
  return { publicKey: pair.getPublicKey(), created: true };
}

/** Parses a user nkey seed file: the first line that is a seed (`SU…`), comments and blank lines aside. */
export function readSeed(text: string, file: string): nkeys.KeyPair {
  const line = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l.startsWith('SU'));
  if (!line) throw new UsageError(`${file} holds no user nkey seed: expected a line starting with SU (a file written by \`vigil nats-config\`)`);
  try {
    return nkeys.fromSeed(new TextEncoder().encode(line));
  } catch (error) {
    throw new UsageError(`${file}: not a valid nkey seed (${(error as Error).message})`);
  }
}

function collectorHosts(hosts: readonly string[]): string[] {
  const tokens = hosts.map((h) => h.trim()).filter(Boolean).map((h) => subjectToken(h));
  for (const token of tokens) {
    if (!NAME_PATTERN.test(token)) {
      throw new UsageError(`host ${token}: expected letters, digits, '-' or '_' (it becomes a subject token and a file name)`);
    }
  }
  const duplicate = tokens.find((t, i) => tokens.indexOf(t) !== i);
  if (duplicate) throw new UsageError(`host ${duplicate} is listed twice (after '.' became '_')`);
  return tokens;
}

async function removeStaleCollectors(idDir: string, keep: ReadonlySet<string>): Promise<string[]> {
  const removed: string[] = [];
  for (const file of await fs.readdir(idDir)) {
    const match = /^(collector-.+?)(\.nk|-cert\.pem|-key\.pem)$/.exec(file);
    if (match && !keep.has(match[1]!)) {
      await fs.rm(path.join(idDir, file));
      removed.push(path.join(idDir, file));
    }
  }
  return removed;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values.map((v) => v.trim()).filter(Boolean))];
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
