import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { CliError } from '../errors.js';

const run = promisify(execFile);
const ENABLED = '/sys/module/apparmor/parameters/enabled';

/** Whether this kernel enforces AppArmor profiles. */
export async function apparmorStatus(): Promise<{ enabled: boolean }> {
  const text = await readFile(ENABLED, 'utf8').catch(() => '');
  return { enabled: text.trim() === 'Y' };
}

/**
 * Compiles an AppArmor profile with apparmor_parser: loaded into the kernel
 * (`-r`) when `load`, else only parsed and compiled (`-Q -K`, what a kernel
 * without AppArmor allows). A profile that does not compile throws, with the
 * parser's words.
 */
export async function compileApparmor(file: string, options: { load: boolean }): Promise<void> {
  const args = options.load ? ['-r', '-W', file] : ['-Q', '-K', file];
  try {
    await run('apparmor_parser', args, { timeout: 60_000 });
  } catch (error) {
    const e = error as { code?: string | number; stderr?: string; message: string };
    if (e.code === 'ENOENT') throw new CliError('VIGIL_ERR_CLI_TOOL_MISSING', ['apparmor_parser', 'install Debian\'s apparmor package']);
    throw new CliError('VIGIL_ERR_CLI_APPARMOR_COMPILE', [file, (e.stderr ?? e.message).trim()]);
  }
}
