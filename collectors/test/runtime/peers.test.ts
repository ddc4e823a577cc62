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
    await container('b', { State: { Running: false, StartedAt: '2026-12-01T10:00:00Z' }, Config: { Image: 'db:1' }, NetworkSettings: { Networks: { bridge: { IPAddress: '172.17.0.9' } } } });
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

  it('peers - while a container here is being started, its address is looked for again for up to 2 s; otherwise one re-read', async () => {
    const peers = new DockerDiskPeers(root, '/var/lib/docker', 50);
    const t0 = Date.now();
    expect(await peers.workloadAt('203.0.113.9')).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(1_000);
    // docker create writes the state before the start; a loaded host writes "running" long after.
    await container('d', { State: { Running: false, StartedAt: '0001-01-01T00:00:00Z' }, Config: { Image: 'shop/queue:1' }, NetworkSettings: { Networks: {} } });
    const lookup = peers.workloadAt('172.20.0.8');
    await new Promise((r) => setTimeout(r, 700));
    await container('d', { State: { Running: true }, Config: { Image: 'shop/queue:1' }, NetworkSettings: { Networks: { app_default: { IPAddress: '172.20.0.8' } } } });
    expect(await lookup).toBe('image:shop/queue');
  });
});
