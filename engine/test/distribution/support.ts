import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import { resolveTool } from '../../src/index.js';
import { readTarGz } from '../../src/policy/tarball.js';

const run = promisify(execFile);

export interface TestKeys {
  rsaPrivate: string;
  rsaPublic: string;
  otherRsaPublic: string;
  ecPrivate: string;
  ecPublic: string;
  hmacSecret: string;
}

/** Fresh keys in `dir`, as files: RSA and EC PEM pairs, an HMAC secret (with a trailing newline, as people write them). */
export async function makeKeys(dir: string): Promise<TestKeys> {
  const write = async (name: string, text: string): Promise<string> => {
    const file = path.join(dir, name);
    await fs.writeFile(file, text, { mode: 0o600 });
    return file;
  };
  const pem = (pair: crypto.KeyPairKeyObjectResult): { publicKey: string; privateKey: string } => ({
    publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  });
  const rsa = pem(crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }));
  const other = pem(crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }));
  const ec = pem(crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  return {
    rsaPrivate: await write('rsa.pem', rsa.privateKey),
    rsaPublic: await write('rsa.pub.pem', rsa.publicKey),
    otherRsaPublic: await write('other.pub.pem', other.publicKey),
    ecPrivate: await write('ec.pem', ec.privateKey),
    ecPublic: await write('ec.pub.pem', ec.publicKey),
    hmacSecret: await write('hmac.key', `${crypto.randomBytes(24).toString('base64')}\n`),
  };
}

/** Unpacks a bundle, lets `edit` change its files, and packs it again as opa does (names with a leading '/'). */
export async function repack(bytes: Uint8Array, edit: (files: Map<string, Buffer>) => void): Promise<Buffer> {
  const files = await readTarGz(bytes);
  edit(files);
  const pack = tar.pack();
  for (const [name, content] of files) pack.entry({ name: `/${name}`, mode: 0o600, mtime: new Date(0) }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  const gzip = pack.pipe(zlib.createGzip());
  for await (const chunk of gzip) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `opa build` of a one-rule plain OPA bundle with the given data.json text, signed or not. */
export async function opaBundle(dir: string, dataJson: string, signing?: { key: string; alg: string }): Promise<Buffer> {
  const src = path.join(dir, `src-${crypto.randomUUID()}`);
  await fs.mkdir(src);
  await fs.writeFile(path.join(src, 'p.rego'), 'package t\n\nallow := true\n');
  await fs.writeFile(path.join(src, 'data.json'), dataJson);
  const out = path.join(dir, `${path.basename(src)}.tar.gz`);
  const sign = signing ? ['--signing-key', signing.key, '--signing-alg', signing.alg] : [];
  await run(resolveTool('opa'), ['build', '-b', src, '-t', 'wasm', '-e', 't/allow', ...sign, '-o', out]);
  return fs.readFile(out);
}

/** Polls until `done` holds, or fails with what it saw. */
export async function waitUntil<T>(what: string, read: () => T, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last saw ${JSON.stringify(value)?.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
