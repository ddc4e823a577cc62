import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';

const MAX_SYMLINKS = 40; // the kernel's own limit (ELOOP)

function components(p: string): string[] {
  return p.split('/').filter((part) => part !== '' && part !== '.');
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * The host's filesystem seen through a root prefix ("/" on the host itself,
 * "/host" in a container that mounts the host's / read-only).
 *
 * Paths are host paths ("/etc/docker/daemon.json"). Symlinks are followed the
 * way the kernel would inside a chroot at the root: absolute targets restart at
 * the root and `..` stops at it, so no link can lead out of the host's tree
 * (the same rule as Go's filepath-securejoin, which runc and Docker use).
 * The final open uses O_NOFOLLOW so a link swapped in after resolution is refused.
 */
export class HostRoot {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** The real path of host path `hostPath`, with every symlink resolved inside the root. */
  async resolve(hostPath: string, options: { followFinal?: boolean } = {}): Promise<string> {
    const followFinal = options.followFinal ?? true;
    let resolved: string[] = [];
    const pending = components(hostPath);
    let links = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '..') {
        resolved.pop();
        continue;
      }
      const candidate = [...resolved, part];
      if (pending.length === 0 && !followFinal) {
        resolved = candidate;
        break;
      }
      const real = path.join(this.root, ...candidate);
      let stats: Stats;
      try {
        stats = await lstat(real);
      } catch (error) {
        if (!isMissing(error)) throw error;
        resolved = candidate; // the rest cannot exist; keep resolving lexically
        continue;
      }
      if (!stats.isSymbolicLink()) {
        resolved = candidate;
        continue;
      }
      if (++links > MAX_SYMLINKS) {
        throw Object.assign(new Error(`too many levels of symbolic links in ${hostPath}`), { code: 'ELOOP' });
      }
      const target = await readlink(real);
      if (target.startsWith('/')) resolved = [];
      pending.unshift(...components(target));
    }
    return path.join(this.root, ...resolved);
  }

  /** How a host path is named in messages: the path under the root. */
  describe(hostPath: string): string {
    return this.root === '/' ? hostPath : path.join(this.root, hostPath);
  }

  /** A file's text, or `undefined` when it does not exist. Other failures throw. */
  async readText(hostPath: string): Promise<string | undefined> {
    try {
      const real = await this.resolve(hostPath);
      const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        return await handle.readFile('utf8');
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** lstat of the resolved path (symlinks on the way resolved inside the root), or `undefined` when missing. */
  async stat(hostPath: string): Promise<Stats | undefined> {
    try {
      return await lstat(await this.resolve(hostPath));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** Entry names of a directory, sorted, or `undefined` when it does not exist. */
  async list(hostPath: string): Promise<string[] | undefined> {
    try {
      return (await readdir(await this.resolve(hostPath))).sort();
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }
}
