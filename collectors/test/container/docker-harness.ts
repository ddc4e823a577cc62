import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const TEST_IMAGE = 'vigil-test/busybox:1';
/** Every container these tests make is named with this prefix (plus the run's pid) and removed afterwards. */
export const RUN_PREFIX = `vigil-ctest-${process.pid}-`;

export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** Fails loudly when there is no Docker engine or no test image: these tests must not pass silently. */
export async function requireDocker(): Promise<void> {
  try {
    await docker('version', '--format', '{{.Server.APIVersion}}');
  } catch (error) {
    throw new Error(`container tests need a running Docker engine at /var/run/docker.sock: ${(error as Error).message}`);
  }
  try {
    await docker('image', 'inspect', TEST_IMAGE, '--format', '{{.Id}}');
  } catch {
    throw new Error(`container tests need the local image ${TEST_IMAGE} (it is never pulled)`);
  }
}

export async function removeTestContainers(prefix = RUN_PREFIX): Promise<void> {
  const names = (await docker('ps', '-a', '--filter', `name=^/${prefix}`, '--format', '{{.Names}}'))
    .split('\n')
    .filter((name) => name.startsWith(prefix));
  if (names.length > 0) await docker('rm', '-f', '-v', ...names);
}
