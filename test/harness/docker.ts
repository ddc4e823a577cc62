import { execFile } from 'node:child_process';
import { BUSYBOX_IMAGE } from './paths.js';
import { HarnessError } from './errors.js';

/**
 * Runs the docker CLI and resolves with its stdout (trailing newline removed).
 * Rejects with the command, exit status and stderr when docker fails.
 */
export function docker(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('docker', [...args], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) {
        resolve(stdout.replace(/\n$/, ''));
        return;
      }
      const status = typeof error.code === 'number' ? `exit ${error.code}` : String(error.code ?? error.message);
      const code = error.code === 'ENOENT' ? 'VIGIL_ERR_HARNESS_DOCKER_UNREACHABLE' : 'VIGIL_ERR_HARNESS_DOCKER_COMMAND';
      const detail = error.code === 'ENOENT' ? 'the docker CLI is not on PATH' : stderr.trim();
      reject(new HarnessError(code, `docker ${args.join(' ')} failed (${status}): ${detail}`, { cause: error }));
    });
  });
}

/**
 * `docker exec ARGS…` whose command may fail (a refused connect, a denied call, a
 * missing applet): only docker itself failing (exit 125/126, or no docker) is an error.
 */
export async function dockerExec(...args: string[]): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    execFile('docker', ['exec', ...args], { timeout: 30_000 }, (error) => {
      const code = error === null ? 0 : error.code;
      if (typeof code === 'number' && code !== 125 && code !== 126) resolve();
      else reject(new HarnessError('VIGIL_ERR_HARNESS_DOCKER_COMMAND', `docker exec ${args.join(' ')} failed (${String(code ?? error?.message)})`, { cause: error }));
    });
  });
}

export interface ContainerSpec {
  /** Container name; use a prefix unique to your test area so that cleanup removes only yours. */
  name: string;
  /** Flags for `docker create`, e.g. ['--read-only', '--cap-add', 'SYS_ADMIN']. */
  flags?: readonly string[];
  /** Command; default keeps the container running: ['sleep', '86400']. */
  cmd?: readonly string[];
  /** Image; default vigil-test/busybox:1. */
  image?: string;
  /** Start it after creating it (default true). Privileged containers can be created but not started here. */
  start?: boolean;
}

export interface TestContainer {
  id: string;
  name: string;
  /** Force-removes the container and its anonymous volumes; a missing container is not an error. */
  remove(): Promise<void>;
}

/** Creates (and by default starts) a container with the docker CLI. */
export async function createContainer(spec: ContainerSpec): Promise<TestContainer> {
  const { name, flags = [], cmd = ['sleep', '86400'], image = BUSYBOX_IMAGE, start = true } = spec;
  const id = await docker(['create', '--name', name, ...flags, image, ...cmd]);
  const container: TestContainer = { id, name, remove: () => removeContainer(id) };
  if (start) {
    try {
      await docker(['start', id]);
    } catch (error) {
      await container.remove();
      throw error;
    }
  }
  return container;
}

async function removeContainer(id: string): Promise<void> {
  try {
    await docker(['rm', '--force', '--volumes', id]);
  } catch (error) {
    if (!(error instanceof HarnessError && /no such container/i.test(error.message))) throw error;
  }
}

/**
 * Removes every container (running or not) whose name starts with `prefix`; returns their names.
 * The engine is shared: the prefix must be specific (at least 4 characters, [A-Za-z0-9_.-]).
 */
export async function removeContainersByPrefix(prefix: string): Promise<string[]> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{3,}$/.test(prefix)) {
    throw new HarnessError(
      'VIGIL_ERR_HARNESS_PREFIX',
      `container name prefix must be at least 4 characters of [A-Za-z0-9_.-] (actual: '${prefix}')`,
    );
  }
  const listing = await docker(['ps', '--all', '--filter', `name=^/${prefix}`, '--format', '{{.ID}} {{.Names}}']);
  const matches = listing
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split(' ') as [string, string])
    .filter(([, name]) => name.startsWith(prefix));
  if (matches.length === 0) return [];
  try {
    await docker(['rm', '--force', '--volumes', ...matches.map(([id]) => id)]);
  } catch (error) {
    // A container that went away meanwhile is fine; anything else is not.
    if (!(error instanceof HarnessError && /no such container/i.test(error.message))) throw error;
  }
  return matches.map(([, name]) => name);
}
