import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DockerDiskImageSource, chainIdsOf, scanImage } from '../../src/image/index.js';
import { imageConfig, sha256, tempDir } from './fixtures.js';
import { RSA_KEY } from './image-fixture.js';

const run = promisify(execFile);

let root: string;
let cleanup: () => Promise<void>;
let imageId: string;

/**
 * A Docker data-root laid out like overlay2's: whiteouts are 0/0 character
 * devices, opaque directories carry trusted.overlay.opaque=y, capabilities
 * are real security.capability xattrs (setcap). Needs root, like the collector.
 */
beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir());
  const docker = path.join(root, 'var/lib/docker');
  const diffIds = [`sha256:${sha256('layer0')}`, `sha256:${sha256('layer1')}`];
  const chain = chainIdsOf(diffIds);
  const config = imageConfig({ diffIds, config: { User: '1000', Cmd: ['/app/run'] } });
  imageId = `sha256:${sha256(config)}`;
  await mkdir(path.join(docker, 'image/overlay2/imagedb/content/sha256'), { recursive: true });
  await writeFile(path.join(docker, 'image/overlay2/imagedb/content/sha256', sha256(config)), config);
  await writeFile(
    path.join(docker, 'image/overlay2/repositories.json'),
    JSON.stringify({ Repositories: { 'disk/app': { 'disk/app:1': imageId, 'disk/app@sha256:0123': imageId } } }),
  );
  for (const [index, chainId] of chain.entries()) {
    const layerdb = path.join(docker, 'image/overlay2/layerdb/sha256', chainId.slice(7));
    await mkdir(layerdb, { recursive: true });
    await writeFile(path.join(layerdb, 'cache-id'), `cache${index}`);
    await writeFile(path.join(layerdb, 'size'), String(1000 * (index + 1)));
  }
  const l0 = path.join(docker, 'overlay2/cache0/diff');
  const l1 = path.join(docker, 'overlay2/cache1/diff');
  for (const d of ['etc', 'var/lib/dpkg', 'app', 'srv/conf', 'usr/bin']) await mkdir(path.join(l0, d), { recursive: true });
  await writeFile(path.join(l0, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\n');
  await writeFile(path.join(l0, 'var/lib/dpkg/status'), 'Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b2\n');
  await writeFile(path.join(l0, 'app/secret.pem'), RSA_KEY);
  await writeFile(path.join(l0, 'srv/conf/tool'), 'ELF');
  await chmod(path.join(l0, 'srv/conf/tool'), 0o4755);
  await writeFile(path.join(l0, 'usr/bin/ping'), 'ELF');
  await chmod(path.join(l0, 'usr/bin/ping'), 0o755);
  await run('setcap', ['cap_net_raw+ep', path.join(l0, 'usr/bin/ping')]);

  await mkdir(path.join(l1, 'app'), { recursive: true });
  await mkdir(path.join(l1, 'srv/conf'), { recursive: true });
  await run('mknod', [path.join(l1, 'app/secret.pem'), 'c', '0', '0']);
  await run('python3', ['-c', 'import os,sys; os.setxattr(sys.argv[1], "trusted.overlay.opaque", b"y")', path.join(l1, 'srv/conf')]);
  await writeFile(path.join(l1, 'srv/conf/new.conf'), 'listen 80\n');
});
afterAll(async () => cleanup());

describe('image scan of the Docker on-disk store', () => {
  it('docker disk - whiteout devices, opaque xattrs and file capabilities shape the final view', async () => {
    const source = new DockerDiskImageSource({ hostRoot: root });
    expect(await source.list()).toEqual([{ id: imageId, repoTags: ['disk/app:1'], repoDigests: ['disk/app@sha256:0123'], size: 0 }]);
    const { fact, errors } = await scanImage({ kind: 'docker-disk', hostRoot: root, image: imageId });
    expect(errors).toEqual([]);
    expect(fact).toMatchObject({ id: imageId, os_release: 'debian 12', layer_count: 2, size_bytes: 3000, source: 'docker' });
    expect(fact?.packages).toEqual([{ name: 'bash', version: '5.2.15-2+b2', source_name: 'bash', manager: 'dpkg', arch: '', ecosystem: 'Debian:12', layer: 0 }]);
    expect(fact?.files).toEqual([
      {
        path: '/usr/bin/ping',
        mode: 0o755,
        uid: 0,
        gid: 0,
        setuid: false,
        setgid: false,
        world_writable: false,
        sticky: false,
        is_dir: false,
        capabilities: ['NET_RAW'],
        layer: 0,
      },
    ]);
    expect(fact?.secrets).toEqual([
      { rule: 'private-key', location: 'file', path: '/app/secret.pem', layer: 0, deleted_later: true, redacted: '-----BEGIN RSA PRIVATE KEY-----' },
    ]);
  });

  it('docker disk - a missing layer is a per-layer error, a missing config an error for the image', async () => {
    const diffIds = [`sha256:${sha256('layer0')}`, `sha256:${sha256('not-on-disk')}`];
    const config = imageConfig({ diffIds });
    await writeFile(path.join(root, 'var/lib/docker/image/overlay2/imagedb/content/sha256', sha256(config)), config);
    const partial = await scanImage({ kind: 'docker-disk', hostRoot: root, image: sha256(config) });
    expect(partial.errors.map((e) => [e.code, e.layer])).toEqual([['VIGIL_ERR_IMAGE_DISK_LAYER', 1]]);
    expect(partial.errors[0]!.message).toContain('ENOENT');
    expect(partial.fact?.os_release).toBe('debian 12');

    const elsewhere = await scanImage({ kind: 'docker-disk', hostRoot: path.join(root, 'nowhere'), image: imageId });
    expect(elsewhere.fact).toBeUndefined();
    expect(elsewhere.errors.map((e) => e.code)).toEqual(['VIGIL_ERR_IMAGE_CONFIG']);
    expect(elsewhere.errors[0]!.message).toContain('ENOENT');
  });
});
