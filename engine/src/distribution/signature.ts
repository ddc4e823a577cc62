import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import { VigilEngineError } from '../errors.js';
import { bundleFromFiles, readBundleTarball, type Bundle } from '../policy/bundle.js';
import { hashBundleFile, isSupportedFileHash } from './file-hash.js';

/**
 * Verification of bundles signed in OPA's format (`opa build --signing-key`):
 * `/.signatures.json` holds `{"signatures": [JWT]}`, and the JWT's payload lists
 * every other file of the bundle with its hash. A bundle verifies when the JWT's
 * signature checks out with the configured key and the bundle holds exactly the
 * listed files with exactly the listed hashes.
 */

export const SIGNING_ALGORITHMS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'HS256', 'HS384', 'HS512',
] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export const SIGNATURES_FILE = '.signatures.json';

/** A key ready to verify bundles; build it once with `createVerifier` or `loadVerifier`. */
export interface BundleVerifier {
  readonly algorithm: SigningAlgorithm;
  readonly key: KeyObject;
  /** When set, the JWT's `kid` header (or `keyid` claim) must equal it. */
  readonly keyId?: string;
  /** The `scope` claim the bundle must carry (OPA's scope); none by default. */
  readonly scope?: string;
  /** How the key is named in errors, e.g. its file. */
  readonly label: string;
}

export interface VerifierOptions {
  /** Default RS256, as for `opa build`. */
  algorithm?: string;
  /** PEM public key, private key or certificate for RS/PS/ES; the secret bytes for HS. */
  key: string | Uint8Array | KeyObject;
  keyId?: string;
  scope?: string;
  label?: string;
}

export interface VerifiedBundle {
  bundle: Bundle;
  /** True when a verifier was given and the signature and every file checked out. */
  verified: boolean;
  /** The files the signature covered (empty when not verified). */
  files: string[];
  /** sha256 of the tarball, hex. */
  digest: string;
}

const HASH_OF: Record<SigningAlgorithm, string> = {
  RS256: 'sha256', RS384: 'sha384', RS512: 'sha512',
  PS256: 'sha256', PS384: 'sha384', PS512: 'sha512',
  ES256: 'sha256', ES384: 'sha384', ES512: 'sha512',
  HS256: 'sha256', HS384: 'sha384', HS512: 'sha512',
};

const CURVE_OF: Partial<Record<SigningAlgorithm, string>> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };

export function isSigningAlgorithm(value: string): value is SigningAlgorithm {
  return (SIGNING_ALGORITHMS as readonly string[]).includes(value);
}

/** Builds a verifier, checking that the key fits the algorithm. */
export function createVerifier(options: VerifierOptions): BundleVerifier {
  const algorithm = options.algorithm ?? 'RS256';
  const label = options.label ?? 'key';
  if (!isSigningAlgorithm(algorithm)) {
    throw new VigilEngineError('VIGIL_ERR_ENGINE_CONFIG', [`a signing algorithm, one of ${SIGNING_ALGORITHMS.join(', ')}`, algorithm]);
  }
  const unusable = (why: string, cause?: unknown): VigilEngineError => new VigilEngineError('VIGIL_ERR_VERIFICATION_KEY', [label, why], { cause });
  let key: KeyObject;
  if (algorithm.startsWith('HS')) {
    if (options.key instanceof crypto.KeyObject) key = options.key;
    else key = crypto.createSecretKey(typeof options.key === 'string' ? Buffer.from(options.key, 'utf8') : Buffer.from(options.key));
    if (key.type !== 'secret') throw unusable(`${algorithm} needs a shared secret, not a ${key.type} key`);
    if ((key.symmetricKeySize ?? 0) === 0) throw unusable('the secret is empty');
  } else {
    try {
      key = publicKeyOf(options.key);
    } catch (error) {
      throw unusable(`not a PEM public key, private key or certificate (${(error as Error).message})`, error);
    }
    const type = key.asymmetricKeyType;
    if (algorithm.startsWith('ES')) {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (type !== 'ec' || curve !== CURVE_OF[algorithm]) throw unusable(`${algorithm} needs an EC key on ${CURVE_OF[algorithm]} (actual: ${type} ${curve ?? ''})`);
    } else if (type !== 'rsa' && type !== 'rsa-pss') {
      throw unusable(`${algorithm} needs an RSA key (actual: ${type})`);
    }
  }
  return { algorithm, key, label, ...(options.keyId ? { keyId: options.keyId } : {}), ...(options.scope ? { scope: options.scope } : {}) };
}

/**
 * Reads the key from a file: PEM for RS/PS/ES; for HS the file's bytes are the
 * secret, unchanged (as `opa build --signing-key FILE` reads it).
 */
export async function loadVerifier(options: Omit<VerifierOptions, 'key'> & { keyFile: string }): Promise<BundleVerifier> {
  let key: Buffer;
  try {
    key = await fs.readFile(options.keyFile);
  } catch (error) {
    throw new VigilEngineError('VIGIL_ERR_VERIFICATION_KEY', [options.keyFile, (error as Error).message], { cause: error });
  }
  const { keyFile, ...rest } = options;
  return createVerifier({ ...rest, key, label: options.label ?? keyFile });
}

function publicKeyOf(key: string | Uint8Array | KeyObject): KeyObject {
  if (key instanceof crypto.KeyObject) return key.type === 'private' ? crypto.createPublicKey(key) : key;
  const pem = typeof key === 'string' ? key : Buffer.from(key).toString('utf8');
  if (pem.includes('-----BEGIN CERTIFICATE-----')) return new crypto.X509Certificate(pem).publicKey;
  return crypto.createPublicKey(pem);
}

/**
 * Reads a bundle tarball and, when a verifier is given, verifies it first.
 * Throws VigilEngineError: VIGIL_ERR_BUNDLE_UNSIGNED, _SIGNATURE, _TAMPERED or
 * _INVALID; nothing of a refused bundle is returned.
 */
export async function verifyBundle(bytes: Uint8Array, options: { verifier?: BundleVerifier; label?: string } = {}): Promise<VerifiedBundle> {
  const label = options.label ?? 'bundle';
  const digest = crypto.createHash('sha256').update(bytes).digest('hex');
  // Read once: the files verified are the files loaded.
  const entries = await readBundleTarball(bytes, label);
  const files = options.verifier ? verifyBundleFiles(entries, options.verifier, label) : [];
  const bundle = bundleFromFiles(entries, label);
  return { bundle, verified: options.verifier !== undefined, files, digest };
}

interface SignedFile {
  name: string;
  hash: string;
  algorithm: string;
}

/** The check itself, over the tarball's files; returns the names it verified. */
export function verifyBundleFiles(entries: ReadonlyMap<string, Uint8Array>, verifier: BundleVerifier, label = 'bundle'): string[] {
  const signaturesFile = entries.get(SIGNATURES_FILE);
  if (!signaturesFile) throw new VigilEngineError('VIGIL_ERR_BUNDLE_UNSIGNED', [label]);
  const badSignature = (why: string): VigilEngineError => new VigilEngineError('VIGIL_ERR_BUNDLE_SIGNATURE', [label, why]);
  const tampered = (why: string): VigilEngineError => new VigilEngineError('VIGIL_ERR_BUNDLE_TAMPERED', [label, why]);

  let config: { signatures?: unknown; plugin?: unknown };
  try {
    config = JSON.parse(Buffer.from(signaturesFile).toString('utf8')) as typeof config;
  } catch (error) {
    throw badSignature(`${SIGNATURES_FILE} is not JSON (${(error as Error).message})`);
  }
  if (config.plugin !== undefined && config.plugin !== '' && config.plugin !== '_default') {
    throw badSignature(`${SIGNATURES_FILE} names signing plugin ${JSON.stringify(config.plugin)}; only OPA's default JWT format is supported`);
  }
  const tokens = config.signatures;
  if (!Array.isArray(tokens) || tokens.length !== 1 || typeof tokens[0] !== 'string') {
    throw badSignature(`${SIGNATURES_FILE} must hold exactly one JWT`);
  }
  const payload = verifyJwt(tokens[0] as string, verifier, badSignature);

  if ((payload.scope ?? '') !== (verifier.scope ?? '')) {
    throw badSignature(`scope mismatch: signed for ${JSON.stringify(payload.scope ?? '')}, expected ${JSON.stringify(verifier.scope ?? '')}`);
  }
  if (!Array.isArray(payload.files)) throw badSignature('the JWT payload lists no files');
  const signed = new Map<string, SignedFile>();
  for (const file of payload.files as unknown[]) {
    const f = file as Partial<SignedFile> | null;
    if (typeof f?.name !== 'string' || typeof f.hash !== 'string' || typeof f.algorithm !== 'string') {
      throw badSignature(`malformed file entry in the JWT payload: ${JSON.stringify(file)}`);
    }
    signed.set(f.name.replace(/^\/+/, ''), { name: f.name, hash: f.hash, algorithm: f.algorithm });
  }

  const names = [...entries.keys()].filter((n) => n !== SIGNATURES_FILE).sort();
  for (const name of names) {
    const expected = signed.get(name);
    if (!expected) throw tampered(`file ${name} is not covered by the signature (added after signing?)`);
    if (!isSupportedFileHash(expected.algorithm)) throw badSignature(`file ${name} is hashed with unsupported algorithm ${expected.algorithm}`);
    let actual: string;
    try {
      actual = hashBundleFile(name, entries.get(name) ?? new Uint8Array(), expected.algorithm);
    } catch (error) {
      throw tampered(`${name}: cannot be read as JSON (${(error as Error).message})`);
    }
    if (actual !== expected.hash.toLowerCase()) throw tampered(`${name}: digest mismatch (want ${expected.hash}, got ${actual})`);
  }
  const missing = [...signed.keys()].filter((n) => !entries.has(n)).sort();
  if (missing.length > 0) throw tampered(`file(s) ${missing.join(', ')} are signed but missing from the bundle`);
  return names;
}

interface SignaturePayload {
  files?: unknown;
  scope?: string;
  keyid?: string;
}

function verifyJwt(token: string, verifier: BundleVerifier, error: (why: string) => VigilEngineError): SignaturePayload {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]*$/.test(p))) throw error('the signature is not a compact JWT');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  let header: { alg?: unknown; kid?: unknown };
  let payload: SignaturePayload;
  try {
    header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as typeof header;
    payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')) as SignaturePayload;
  } catch (cause) {
    throw error(`the JWT is not readable (${(cause as Error).message})`);
  }
  if (header.alg !== verifier.algorithm) {
    throw error(`signed with ${JSON.stringify(header.alg)}, but the key ${verifier.label} is configured for ${verifier.algorithm}`);
  }
  if (verifier.keyId !== undefined) {
    const kid = typeof header.kid === 'string' ? header.kid : payload.keyid;
    if (kid !== verifier.keyId) throw error(`signed with key id ${JSON.stringify(kid ?? '')}, expected ${JSON.stringify(verifier.keyId)}`);
  }
  const input = Buffer.from(`${headerPart}.${payloadPart}`, 'ascii');
  const signature = Buffer.from(signaturePart, 'base64url');
  if (!checkSignature(verifier, input, signature)) throw error(`the signature does not verify with ${verifier.label}`);
  return payload;
}

function checkSignature(verifier: BundleVerifier, input: Buffer, signature: Buffer): boolean {
  const hash = HASH_OF[verifier.algorithm];
  const family = verifier.algorithm.slice(0, 2);
  if (family === 'HS') {
    const expected = crypto.createHmac(hash, verifier.key).update(input).digest();
    return expected.length === signature.length && crypto.timingSafeEqual(expected, signature);
  }
  try {
    if (family === 'PS') {
      return crypto.verify(hash, input, { key: verifier.key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST }, signature);
    }
    if (family === 'ES') return crypto.verify(hash, input, { key: verifier.key, dsaEncoding: 'ieee-p1363' }, signature);
    return crypto.verify(hash, input, verifier.key, signature);
  } catch {
    return false;
  }
}
