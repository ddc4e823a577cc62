import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  buildBundle,
  createVerifier,
  loadVerifier,
  packageRoot,
  verifyBundle,
  verifyBundleFiles,
  VigilEngineError,
} from '../../src/index.js';
import { readTarGz } from '../../src/policy/tarball.js';
import { makeKeys, opaBundle, repack, type TestKeys } from './support.js';

async function refusal(work: Promise<unknown> | (() => unknown)): Promise<VigilEngineError> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (error) {
    if (error instanceof VigilEngineError) return error;
    throw error;
  }
  throw new Error('expected a VigilEngineError, got success');
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('signed bundles', () => {
  let dir: string;
  let keys: TestKeys;
  let rsaBundle: Buffer;
  let hsBundle: Buffer;
  let unsignedBundle: Buffer;
  let revision: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-dist-sig-'));
    keys = await makeKeys(dir);
    const policyDir = path.join(packageRoot(), 'policies');
    const build = async (file: string, signing: { signingKey?: string; signingAlg?: string }) => {
      const result = await buildBundle({ policyDir, outFile: path.join(dir, file), ...signing });
      return { bytes: await fs.readFile(result.outFile), revision: result.revision };
    };
    const [rs, hs, plain] = await Promise.all([
      build('rs.tar.gz', { signingKey: keys.rsaPrivate, signingAlg: 'RS256' }),
      build('hs.tar.gz', { signingKey: keys.hmacSecret, signingAlg: 'HS256' }),
      build('plain.tar.gz', {}),
    ]);
    rsaBundle = rs.bytes;
    hsBundle = hs.bytes;
    unsignedBundle = plain.bytes;
    revision = rs.revision;
  });

  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('signature - a bundle signed RS256 by opa build verifies with the public key', async () => {
    const verifier = await loadVerifier({ keyFile: keys.rsaPublic, algorithm: 'RS256' });
    const checked = await verifyBundle(rsaBundle, { verifier });
    expect(checked.verified).toBe(true);
    expect(checked.files).toEqual(expect.arrayContaining(['.manifest', 'data.json', 'policy.wasm']));
    expect(checked.files).not.toContain('.signatures.json');
    expect(checked.bundle.revision).toBe(revision);
    expect(checked.bundle.manifest.rules.length).toBeGreaterThan(50);
    expect(checked.digest).toBe(crypto.createHash('sha256').update(rsaBundle).digest('hex'));
  });

  it('signature - a bundle signed HS256 verifies with the same secret file, newline and all', async () => {
    const verifier = await loadVerifier({ keyFile: keys.hmacSecret, algorithm: 'HS256' });
    expect((await verifyBundle(hsBundle, { verifier })).verified).toBe(true);
    const trimmed = createVerifier({ algorithm: 'HS256', key: (await fs.readFile(keys.hmacSecret, 'utf8')).trim() });
    const error = await refusal(verifyBundle(hsBundle, { verifier: trimmed }));
    expect(error.code).toBe('VIGIL_ERR_BUNDLE_SIGNATURE');
    expect(error.message).toContain('does not verify');
  });

  it('signature - an ES256 signature by opa build verifies', async () => {
    const bytes = await opaBundle(dir, '{"a": 1}', { key: keys.ecPrivate, alg: 'ES256' });
    const verifier = await loadVerifier({ keyFile: keys.ecPublic, algorithm: 'ES256' });
    expect(verifyBundleFiles(await readTarGz(bytes), verifier)).toEqual(expect.arrayContaining(['data.json', 'policy.wasm', '.manifest']));
  });

  it("signature - data.json is hashed in OPA's canonical form: key order and spacing do not matter, number spelling does", async () => {
    const tricky = '{"z": 1.0, "a": [1e3, -0, 2.50, {"y": null, "x": true}], "\u00e9": "<&>\u2028 \\u0001 \\"q\\" \\\\", "\ud83d\ude00": 1, "\ue000": 2, "A": false}';
    const signed = await opaBundle(dir, tricky, { key: keys.rsaPrivate, alg: 'RS256' });
    const verifier = await loadVerifier({ keyFile: keys.rsaPublic });
    expect(verifyBundleFiles(await readTarGz(signed), verifier)).toContain('data.json');

    const respaced = await repack(signed, (files) => {
      files.set('data.json', Buffer.from('{ "A" : false ,\n "\ue000": 2, "\ud83d\ude00" : 1, "\u00e9": "<&>\\u2028 \\u0001 \\"q\\" \\\\",\n "a": [1e3, -0, 2.50, {"x": true, "y": null}], "z": 1.0 }'));
    });
    expect(verifyBundleFiles(await readTarGz(respaced), verifier)).toContain('data.json');

    const respelt = await repack(signed, (files) => {
      files.set('data.json', Buffer.from(tricky.replace('"z": 1.0', '"z": 1')));
    });
    const respeltFiles = await readTarGz(respelt);
    const error = await refusal(() => verifyBundleFiles(respeltFiles, verifier));
    expect(error.code).toBe('VIGIL_ERR_BUNDLE_TAMPERED');
    expect(error.message).toContain('data.json: digest mismatch');
  });

  it('signature - a file changed inside the tarball after signing is refused', async () => {
    const verifier = await loadVerifier({ keyFile: keys.rsaPublic });
    const tampered = await repack(rsaBundle, (files) => {
      const data = JSON.parse(files.get('data.json')!.toString()) as { vigil: { exceptions: unknown[] } };
      data.vigil.exceptions.push({ rules: ['*'], scope: {}, justification: 'sneaky', expires: '2099-12-31' });
      files.set('data.json', Buffer.from(JSON.stringify(data)));
    });
    const error = await refusal(verifyBundle(tampered, { verifier }));
    expect(error.code).toBe('VIGIL_ERR_BUNDLE_TAMPERED');
    expect(error.message).toMatch(/data\.json: digest mismatch \(want [0-9a-f]{64}, got [0-9a-f]{64}\)/);

    const wasm = await repack(rsaBundle, (files) => {
      const bytes = Buffer.from(files.get('policy.wasm')!);
      bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1);
      files.set('policy.wasm', bytes);
    });
    expect((await refusal(verifyBundle(wasm, { verifier }))).message).toContain('policy.wasm: digest mismatch');
  });

  it('signature - a file added to or removed from the bundle after signing is refused', async () => {
    const verifier = await loadVerifier({ keyFile: keys.rsaPublic });
    const added = await repack(rsaBundle, (files) => files.set('extra/data.json', Buffer.from('{"vigil": {}}')));
    const addedError = await refusal(verifyBundle(added, { verifier }));
    expect(addedError.code).toBe('VIGIL_ERR_BUNDLE_TAMPERED');
    expect(addedError.message).toContain('file extra/data.json is not covered by the signature');

    const removed = await repack(rsaBundle, (files) => files.delete('data.json'));
    const removedError = await refusal(verifyBundle(removed, { verifier }));
    expect(removedError.code).toBe('VIGIL_ERR_BUNDLE_TAMPERED');
    expect(removedError.message).toContain('file(s) data.json are signed but missing from the bundle');
  });

  it('signature - an unsigned bundle is refused when a key is configured, and loads when none is', async () => {
    const verifier = await loadVerifier({ keyFile: keys.rsaPublic });
    const error = await refusal(verifyBundle(unsignedBundle, { verifier, label: 'plain.tar.gz' }));
    expect(error.code).toBe('VIGIL_ERR_BUNDLE_UNSIGNED');
    expect(error.message).toBe(
      'VIGIL_ERR_BUNDLE_UNSIGNED: policy bundle plain.tar.gz is not signed but a verification key is configured: build it with `vigil policy build --signing-key KEY`',
    );
    const stripped = await repack(rsaBundle, (files) => files.delete('.signatures.json'));
    expect((await refusal(verifyBundle(stripped, { verifier }))).code).toBe('VIGIL_ERR_BUNDLE_UNSIGNED');

    const open = await verifyBundle(unsignedBundle);
    expect(open.verified).toBe(false);
    expect(open.bundle.manifest.rules.length).toBeGreaterThan(50);
  });

  it('signature - another key, another algorithm or a forged payload is refused', async () => {
    const other = await loadVerifier({ keyFile: keys.otherRsaPublic });
    const wrongKey = await refusal(verifyBundle(rsaBundle, { verifier: other }));
    expect(wrongKey.code).toBe('VIGIL_ERR_BUNDLE_SIGNATURE');
    expect(wrongKey.message).toContain(`does not verify with ${keys.otherRsaPublic}`);

    const hs = await loadVerifier({ keyFile: keys.hmacSecret, algorithm: 'HS256' });
    const wrongAlg = await refusal(verifyBundle(rsaBundle, { verifier: hs }));
    expect(wrongAlg.message).toContain('signed with "RS256"');

    // The classic confusion: an HS256 token whose secret is the RSA public key, offered to an RS256 verifier.
    const rs = await loadVerifier({ keyFile: keys.rsaPublic, algorithm: 'RS256' });
    const files = await readTarGz(rsaBundle);
    const token = JSON.parse(files.get('.signatures.json')!.toString()).signatures[0] as string;
    const [, payload] = token.split('.') as [string, string];
    const header = b64url({ alg: 'HS256', typ: 'JWT' });
    const mac = crypto.createHmac('sha256', await fs.readFile(keys.rsaPublic)).update(`${header}.${payload}`).digest('base64url');
    files.set('.signatures.json', Buffer.from(JSON.stringify({ signatures: [`${header}.${payload}.${mac}`] })));
    expect((await refusal(() => verifyBundleFiles(files, rs))).message).toContain('signed with "HS256"');

    // A payload rewritten to match a tampered file, under the original signature.
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { files: { name: string; hash: string }[] };
    for (const f of decoded.files) if (f.name === 'policy.wasm') f.hash = '00'.repeat(32);
    const [h, , s] = token.split('.') as [string, string, string];
    files.set('.signatures.json', Buffer.from(JSON.stringify({ signatures: [`${h}.${b64url(decoded)}.${s}`] })));
    const forged = await refusal(() => verifyBundleFiles(files, rs));
    expect(forged.code).toBe('VIGIL_ERR_BUNDLE_SIGNATURE');
    expect(forged.message).toContain('does not verify');
  });

  it('signature - a key that does not fit its algorithm is refused when the verifier is made', async () => {
    expect((await refusal(loadVerifier({ keyFile: keys.ecPublic, algorithm: 'RS256' }))).message).toContain('RS256 needs an RSA key (actual: ec)');
    expect((await refusal(loadVerifier({ keyFile: keys.rsaPublic, algorithm: 'ES256' }))).code).toBe('VIGIL_ERR_VERIFICATION_KEY');
    expect((await refusal(() => createVerifier({ algorithm: 'HS256', key: '' }))).message).toContain('the secret is empty');
    expect((await refusal(() => createVerifier({ algorithm: 'none', key: 'x' }))).code).toBe('VIGIL_ERR_ENGINE_CONFIG');
    expect((await refusal(loadVerifier({ keyFile: path.join(dir, 'absent.pem') }))).code).toBe('VIGIL_ERR_VERIFICATION_KEY');
  });

  it('signature - policy build refuses a signing key file that does not exist', async () => {
    const error = await refusal(
      buildBundle({ policyDir: path.join(packageRoot(), 'policies'), outFile: path.join(dir, 'never.tar.gz'), signingKey: path.join(dir, 'typo.pem') }),
    );
    expect(error.code).toBe('VIGIL_ERR_ENGINE_CONFIG');
    expect(error.message).toContain('typo.pem');
    await expect(fs.access(path.join(dir, 'never.tar.gz'))).rejects.toThrow();
  });
});
