import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VigilEngineError } from './errors.js';

/**
 * Finds an external tool: the env override, then the copy scripts/setup.sh
 * installs under ~/.cache/vigil/bin, then PATH.
 */
export function resolveTool(name: 'opa' | 'nats-server'): string {
  const envName = name === 'opa' ? 'VIGIL_OPA' : 'VIGIL_NATS_SERVER';
  const fromEnv = process.env[envName]?.trim();
  if (fromEnv) return fromEnv;
  const cache = process.env.VIGIL_CACHE?.trim() || path.join(os.homedir(), '.cache', 'vigil');
  const candidates = [path.join(cache, 'bin', name)];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir) candidates.push(path.join(dir, name));
  }
  for (const candidate of candidates) {
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new VigilEngineError('VIGIL_ERR_TOOL_NOT_FOUND', [name, envName]);
}

/** The repository (or installed package) root, from this module's location. */
export function packageRoot(): string {
  let dir = path.dirname(new URL(import.meta.url).pathname);
  while (dir !== path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'policies'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error('cannot locate the Vigil package root');
}

/** Where `npm run build` puts the default policy bundle. */
export function defaultBundlePath(): string {
  return path.join(packageRoot(), 'dist', 'policies', 'bundle.tar.gz');
}
