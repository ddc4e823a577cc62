import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DockerDiskPeers } from '../../src/runtime/peers.js';

describe('runtime - peer containers by address', () => {
  let root: string;
  const container = async (id: string, config: unknown): Promise<void> => {
    const dir = path.join(root, 'var/lib/docker/containers', id);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'config.v2.json'), JSON.stringify(config));
  };

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-peers-'));
    await container('a', {
      State: { Running: true },
      Config: { Image: 'busybox:1', Labels: { 'com.docker.compose.project': 'app', 'com.docker.compose.service': 'server' } },
      NetworkSettings: { Networks: { app_default: { IPAddress: '172.20.0.2' } } },
    });
    await container('b', { State: { Running: false }, Config: { Image: 'db:1' }, NetworkSettings: { Networks: { bridge: { IPAddress: '172.17.0.9' } } } });
    await fs.mkdir(path.join(root, 'var/lib/docker/containers/broken'), { recursive: true });
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('peers - a running container on this host is known by its workload; stopped ones and unknown addresses are not', async () => {
    const peers = new DockerDiskPeers(root, '/var/lib/docker', 1);
    expect(await peers.workloadAt('172.20.0.2')).toBe('compose:app/server');
    expect(await peers.workloadAt('172.17.0.9')).toBeUndefined();
    expect(await peers.workloadAt('8.8.8.8')).toBeUndefined();
    expect(await peers.workloadAt('')).toBeUndefined();
  });

  it('peers - a container whose state is written a moment after the first connection to it is still found', async () => {
    const peers = new DockerDiskPeers(root, '/var/lib/docker', 50);
    const lookup = peers.workloadAt('172.20.0.7');
    await new Promise((r) => setTimeout(r, 20));
    await container('c', { State: { Running: true }, Config: { Image: 'shop/cache:2' }, NetworkSettings: { Networks: { app_default: { IPAddress: '172.20.0.7' } } } });
    expect(await lookup).toBe('image:shop/cache');
  });
});
