import { loadVerifier, SIGNING_ALGORITHMS, type BundleVerifier, type PoolSettings } from '../../engine/src/index.js';
import { config, type Config } from './config.js';
import { UsageError } from './errors.js';

/**
 * The policy worker settings of an engine or a replay: `--workers`, the
 * evaluation deadline and the WASM memory cap. A replay takes its worker count
 * from the option only: by default it uses every core, whatever the engines run with.
 */
export function poolSettings(workers: string | undefined, settings: Config = config, use: 'engine' | 'replay' = 'engine'): PoolSettings {
  const resolved: PoolSettings = {};
  const n = use === 'replay' && workers === undefined ? undefined : settings.whole('workers', workers, { min: 1, max: 256 });
  const timeout = settings.whole('evalTimeoutMs', undefined, { min: 10, max: 3_600_000 });
  const memory = settings.whole('wasmMemoryMb', undefined, { min: 1, max: 4_096 });
  if (n !== undefined) resolved.workers = n;
  if (timeout !== undefined) resolved.evaluationTimeoutMs = timeout;
  if (memory !== undefined) resolved.maxMemoryMb = memory;
  return resolved;
}

/**
 * The verifier this process is configured with, or undefined when none is:
 * `--verification-key`, `--signing-alg` (default RS256) and `--scope`, each
 * over its variable.
 */
export async function configuredVerifier(
  options: { keyFile?: string | undefined; algorithm?: string | undefined; scope?: string | undefined } = {},
  settings: Config = config,
): Promise<BundleVerifier | undefined> {
  const keyFile = settings.text('verificationKey', options.keyFile);
  const algorithm = settings.oneOf('signingAlg', options.algorithm, SIGNING_ALGORITHMS);
  const scope = settings.text('signingScope', options.scope);
  if (!keyFile) {
    if (options.algorithm !== undefined || options.scope !== undefined) throw new UsageError('--signing-alg and --scope need --verification-key FILE');
    return undefined;
  }
  return loadVerifier({ keyFile, algorithm: algorithm ?? 'RS256', ...(scope ? { scope } : {}) });
}
