import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isHostRuntime, type ContainerMetadata } from '../../src/runtime/metadata.js';

describe('runtime - the host container runtime inside a container', () => {
  let root: string;
  const metadata = (extra: Partial<ContainerMetadata> = {}): ContainerMetadata => ({
    id: 'c1',
    name: 'web',
    image: 'busybox',
    image_id: '',
    runtime: 'runc',
    image_user: '',
    upperDir: '/upper',
    lowerDirs: ['/lower'],
    ...extra,
  });

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-host-runtime-'));
    for (const file of ['lower/bin/busybox', 'lower/opt/image/runc', 'upper/tmp/runc']) {
      await fs.mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await fs.writeFile(path.join(root, file), '');
    }
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('host runtime - runc that is in no layer and under no mount is the host runtime', async () => {
    expect(await isHostRuntime(root, metadata(), '/usr/sbin/runc')).toBe(true);
    expect(await isHostRuntime(root, metadata(), '/usr/bin/crun')).toBe(true);
  });

  it('host runtime - a runtime binary the image ships, one written in the container or one a volume brings is the workload', async () => {
    expect(await isHostRuntime(root, metadata(), '/opt/image/runc')).toBe(false);
    expect(await isHostRuntime(root, metadata(), '/tmp/runc')).toBe(false);
    expect(await isHostRuntime(root, metadata({ mountPoints: ['/tools'] }), '/tools/runc')).toBe(false);
  });

  it('host runtime - other binaries, and containers whose layers are unknown, are never taken for it', async () => {
    expect(await isHostRuntime(root, metadata(), '/usr/bin/nsenter')).toBe(false);
    expect(await isHostRuntime(root, metadata({ upperDir: undefined }), '/usr/sbin/runc')).toBe(false);
  });
});
