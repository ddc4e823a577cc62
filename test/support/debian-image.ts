import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { docker } from '../harness/index.js';

const run = promisify(execFile);

/**
 * A Debian 12 root file system holding only os-release and a dpkg status
 * file, `docker import`ed as `tag` and `docker save`d: the image tarball's path.
 */
export async function debianImageTarball(dir: string, tag: string, dpkgStatus: string): Promise<string> {
  const root = path.join(dir, 'root');
  await fs.mkdir(path.join(root, 'etc'), { recursive: true });
  await fs.mkdir(path.join(root, 'var', 'lib', 'dpkg'), { recursive: true });
  await fs.writeFile(path.join(root, 'etc', 'os-release'), 'ID=debian\nVERSION_ID="12"\n');
  await fs.writeFile(path.join(root, 'var', 'lib', 'dpkg', 'status'), dpkgStatus);
  await run('tar', ['-cf', path.join(dir, 'rootfs.tar'), '-C', root, '.']);
  await docker(['import', path.join(dir, 'rootfs.tar'), tag]);
  const tar = path.join(dir, 'image.tar');
  await docker(['save', tag, '-o', tar]);
  return tar;
}
