import fs from 'node:fs/promises';
import { readTarGz } from './tarball.js';
import { VigilEngineError } from '../errors.js';
import { manifestProblem, type VigilManifest } from './manifest.js';

/** A compiled Vigil bundle, read into memory. */
export interface Bundle {
  revision: string;
  wasm: Uint8Array;
  data: Record<string, unknown>;
  manifest: VigilManifest;
}

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
  return bundleFromFiles(await readBundleTarball(bytes, label), label);
}

/** The tarball's files (see readTarGz); VIGIL_ERR_BUNDLE_INVALID when it cannot be read. */
export async function readBundleTarball(bytes: Uint8Array, label = 'bundle'): Promise<Map<string, Buffer>> {
  try {
    return await readTarGz(bytes);
  } catch (error) {
    throw new VigilEngineError('VIGIL_ERR_BUNDLE_INVALID', [label, (error as Error).message], { cause: error });
  }
}

/** A bundle from the files of its tarball, read once (and verified, when a key is configured). */
export function bundleFromFiles(files: ReadonlyMap<string, Uint8Array>, label = 'bundle'): Bundle {
  const wasm = files.get('policy.wasm');
  const manifestText = files.get('.manifest');
  if (!wasm) throw new VigilEngineError('VIGIL_ERR_BUNDLE_INVALID', [label, 'no policy.wasm (was it built with -t wasm?)']);
  if (!manifestText) throw new VigilEngineError('VIGIL_ERR_BUNDLE_INVALID', [label, 'no .manifest']);
  let manifest: { revision?: string; metadata?: { vigil?: VigilManifest } };
  let data: Record<string, unknown>;
  try {
    const text = new TextDecoder();
    manifest = JSON.parse(text.decode(manifestText)) as typeof manifest;
    const dataText = files.get('data.json');
    data = JSON.parse(dataText === undefined ? '{}' : text.decode(dataText)) as Record<string, unknown>;
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
