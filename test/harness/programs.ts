import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import { HarnessError } from './errors.js';

const run = promisify(execFile);

/**
 * Compiles one C source into a static binary with gcc, unless `binary` is
 * already newer than `source`. Static, so it runs in any container image.
 */
export async function buildStaticProgram(source: string, binary: string, flags: readonly string[] = []): Promise<string> {
  const [src, bin] = await Promise.all([fs.stat(source), fs.stat(binary).catch(() => undefined)]);
  if (bin && bin.mtimeMs >= src.mtimeMs) return binary;
  try {
    await run('gcc', ['-O2', '-static', ...flags, '-o', binary, source], { timeout: 60_000 });
  } catch (error) {
    throw new HarnessError(
      'VIGIL_ERR_HARNESS_BUILD',
      `cannot build ${source} with gcc (static; needs gcc and libc6-dev, which scripts/setup.sh --test installs): ${String((error as { stderr?: string }).stderr ?? error)}`,
      { cause: error },
    );
  }
  return binary;
}
