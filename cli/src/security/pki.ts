import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { config } from '../config.js';
import { UsageError } from '../errors.js';

const run = promisify(execFile);

/** A certificate and its private key as files on disk. */
export interface CertFiles {
  certFile: string;
  keyFile: string;
}

export interface ServerCertOptions {
  commonName: string;
  dns: readonly string[];
  ip: readonly string[];
  days?: number;
}

const CURVE = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * X.509 through the `openssl` command: node:crypto reads certificates but
 * cannot issue them. Keys are P-256, written with mode 0600.
 */
export async function createCa(ca: CertFiles, options: { commonName: string; days?: number }): Promise<void> {
  await openssl([
    'req', '-x509', '-new', ...CURVE,
    '-keyout', ca.keyFile, '-out', ca.certFile,
    '-days', String(options.days ?? 3650),
    '-subj', `/CN=${options.commonName}`,
    '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await fs.chmod(ca.keyFile, 0o600);
}

export async function issueServerCert(ca: CertFiles, out: CertFiles, options: ServerCertOptions): Promise<void> {
  const san = [...options.dns.map((d) => `DNS:${d}`), ...options.ip.map((i) => `IP:${i}`)].join(',');
  await issue(ca, out, options.commonName, options.days ?? 825, [
    // clientAuth too: in a cluster each server dials its peers' routes with this
    // certificate, and nats-server verifies route peers.
    'extendedKeyUsage=serverAuth,clientAuth',
    ...(san ? [`subjectAltName=${san}`] : []),
  ]);
}

/** A client certificate for mutual TLS (`verify: true` on the server). */
export async function issueClientCert(ca: CertFiles, out: CertFiles, options: { commonName: string; days?: number }): Promise<void> {
  await issue(ca, out, options.commonName, options.days ?? 825, ['extendedKeyUsage=clientAuth']);
}

/** The DNS names and IP addresses a certificate is valid for, sorted, as `DNS:x` / `IP:y`. */
export async function subjectAltNames(certFile: string): Promise<string[]> {
  const cert = new crypto.X509Certificate(await fs.readFile(certFile));
  return (cert.subjectAltName ?? '')
    .split(',')
    .map((s) => s.trim().replace(/^IP Address:/, 'IP:'))
    .filter(Boolean)
    .sort();
}

async function issue(ca: CertFiles, out: CertFiles, commonName: string, days: number, extensions: string[]): Promise<void> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-pki-'));
  try {
    const csr = path.join(work, 'req.csr');
    const ext = path.join(work, 'ext.cnf');
    await fs.writeFile(ext, ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', ...extensions, ''].join('\n'));
    await openssl(['req', '-new', ...CURVE, '-keyout', out.keyFile, '-out', csr, '-subj', `/CN=${commonName}`]);
    await fs.chmod(out.keyFile, 0o600);
    await openssl([
      'x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile,
      '-set_serial', `0x${crypto.randomBytes(16).toString('hex')}`,
      '-days', String(days), '-sha256', '-extfile', ext, '-out', out.certFile,
    ]);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run(config.text('openssl') ?? 'openssl', args);
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new UsageError('openssl not found: install it (Debian: apt-get install openssl) or set VIGIL_OPENSSL to its path');
    }
    throw new UsageError(`openssl ${args[0]} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}
