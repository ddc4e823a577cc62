import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import { HarnessError } from './errors.js';

const run = promisify(execFile);

/**
 * Compiles one C source into a static binary with gcc, unless `binary` was
 * already built from this very source and these flags: a stamp beside it holds
 * their hash. (Not mtimes: checkouts in other directories share the cache and
 * may hold older sources with newer mtimes.) Static, so it runs in any image.
 */
export async function buildStaticProgram(source: string, binary: string, flags: readonly string[] = []): Promise<string> {
  const text = await fs.readFile(source);
  const hash = createHash('sha256').update(text).update(JSON.stringify(flags)).digest('hex');
  const stamp = `${binary}.sha256`;
  const [built, exists] = await Promise.all([fs.readFile(stamp, 'utf8').catch(() => ''), fs.stat(binary).then(() => true, () => false)]);
  if (exists && built === hash) return binary;
  // Built under a temporary name and renamed: a test running the old binary meanwhile keeps a whole one.
  const partial = `${binary}.${process.pid}.tmp`;
  try {
    await run('gcc', ['-O2', '-static', ...flags, '-o', partial, source], { timeout: 60_000 });
  } catch (error) {
    await fs.rm(partial, { force: true });
    throw new HarnessError(
      'VIGIL_ERR_HARNESS_BUILD',
      `cannot build ${source} with gcc (static; needs gcc and libc6-dev, which scripts/setup.sh --test installs): ${String((error as { stderr?: string }).stderr ?? error)}`,
      { cause: error },
    );
  }
  await fs.rename(partial, binary);
  await fs.writeFile(stamp, hash);
  return binary;
}
