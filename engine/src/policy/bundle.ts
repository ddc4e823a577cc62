import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import { VigilEngineError } from '../errors.js';
import { manifestProblem, type VigilManifest } from './manifest.js';

/** A compiled Vigil bundle, read into memory. */
export interface Bundle {
  revision: string;
  wasm: Uint8Array;
  data: Record<string, unknown>;
  manifest: VigilManifest;
}

const MAX_BUNDLE_BYTES = 256 * 1024 * 1024;

export async function readBundleFile(file: string): Promise<Bundle> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    throw new VigilEngineError('VIGIL_ERR_BUNDLE_NOT_FOUND', [file], { cause: error });
  }
  return parseBundle(bytes, file);
}

/** Parses an OPA bundle tarball (`opa build` output) that carries Vigil's manifest metadata. */
export async function parseBundle(bytes: Uint8Array, label = 'bundle'): Promise<Bundle> {
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: unknown) => {
      if (!Buffer.isBuffer(chunk)) return;
      size += chunk.length;
      if (size > MAX_BUNDLE_BYTES) {
        stream.destroy(new Error(`entry ${header.name} is larger than ${MAX_BUNDLE_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => {
      files.set(header.name.replace(/^\/+/, ''), Buffer.concat(chunks));
      next();
    });
    stream.resume();
  });
  try {
    await pipeline(Readable.from([Buffer.from(bytes)]), zlib.createGunzip(), extract);
  } catch (error) {
    throw new VigilEngineError('VIGIL_ERR_BUNDLE_INVALID', [label, (error as Error).message], { cause: error });
  }

  const wasm = files.get('policy.wasm');
  const manifestText = files.get('.manifest');
  if (!wasm) throw new VigilEngineError('VIGIL_ERR_BUNDLE_INVALID', [label, 'no policy.wasm (was it built with -t wasm?)']);
  if (!manifestText) throw new VigilEngineError('VIGIL_ERR_BUNDLE_INVALID', [label, 'no .manifest']);
  let manifest: { revision?: string; metadata?: { vigil?: VigilManifest } };
  let data: Record<string, unknown>;
  try {
    manifest = JSON.parse(manifestText.toString('utf8')) as typeof manifest;
    data = JSON.parse(files.get('data.json')?.toString('utf8') ?? '{}') as Record<string, unknown>;
  } catch (error) {
    throw new VigilEngineError('VIGIL_ERR_BUNDLE_INVALID', [label, `unreadable JSON: ${(error as Error).message}`], { cause: error });
  }
  const vigil = manifest.metadata?.vigil;
  if (!vigil || vigil.format !== 1 || !Array.isArray(vigil.rules)) {
    throw new VigilEngineError('VIGIL_ERR_BUNDLE_INVALID', [label, 'the manifest has no Vigil rule metadata (build it with `vigil policy build`)']);
  }
  const problem = manifestProblem(vigil);
  if (problem !== undefined) throw new VigilEngineError('VIGIL_ERR_BUNDLE_INVALID', [label, `the manifest's ${problem}`]);
  return { revision: manifest.revision ?? '', wasm: new Uint8Array(wasm), data, manifest: vigil };
}
