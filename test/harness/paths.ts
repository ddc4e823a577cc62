import { homedir } from 'node:os';
import { join } from 'node:path';

/** Same rule as scripts/lib.sh: tools live outside the checkout, in $VIGIL_CACHE. */
export function vigilCacheDir(): string {
  return process.env['VIGIL_CACHE'] ?? join(homedir(), '.cache', 'vigil');
}

/** Directory holding `opa` and `nats-server` (built by scripts/setup.sh). */
export function vigilBinDir(): string {
  return join(vigilCacheDir(), 'bin');
}

/** Local images built by `scripts/setup.sh --test`; never pulled from a registry. */
export const BUSYBOX_IMAGE = 'vigil-test/busybox:1';
export const NATS_IMAGE = 'vigil-test/nats:2.15.2';
