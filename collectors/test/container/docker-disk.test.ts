import { describe, it, expect } from '@jest/globals';
import { cp, mkdtemp, rm, writeFile, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DockerDiskSource,
  inspectFromDisk,
  normaliseDockerInspect,
  type ContainerEvent,
  type DockerDiskConfig,
  type DockerHostConfig,
  type DockerInspect,
} from '../../src/container/index.js';
import { fixturePath, readFixture } from './fixtures.js';

const PRIV = '09b5bd3736bc4e582ec23726772ad82f873bbebf7ac60207d0af14a15be2e6c6';
const HARD = 'a0d32782b024853c04f525d3114b0921507ec885707144f76138ad2b7c48fdba';
const LEGACY = 'e'.repeat(64);
const BROKEN = 'f'.repeat(64);
const ROOT = fixturePath('docker-root');

describe('collector - container on-disk state', () => {
  it('files captured from dockerd map to the same fact as its inspect answer', async () => {
    const source = new DockerDiskSource({ hostRoot: ROOT });
    const { facts } = await source.list();
    for (const [id, name] of [
      [PRIV, 'priv.json'],
      [HARD, 'hard.json'],
    ] as const) {
      const fromApi = normaliseDockerInspect(readFixture<DockerInspect>('docker-inspect', name));
      expect(facts.find((fact) => fact.id === id)).toStrictEqual(fromApi);
    }
  });

  it('a half-written container is an error value with its path; the others are listed', async () => {
    const source = new DockerDiskSource({ hostRoot: ROOT });
    const { facts, failures } = await source.list();
    expect(facts.map((fact) => fact.id).sort()).toEqual([PRIV, HARD, LEGACY].sort());
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      id: BROKEN,
      code: 'VIGIL_ERR_CONTAINER_DISK_MALFORMED',
      path: path.join(ROOT, 'var/lib/docker/containers', BROKEN, 'config.v2.json'),
    });
    expect(failures[0]?.message).toContain('config.v2.json is not valid container state');
    await expect(source.inspect(BROKEN)).rejects.toThrow(/VIGIL_ERR_CONTAINER_DISK_MALFORMED/);
    expect(await source.inspect('0'.repeat(64))).toBeUndefined();
  });

  it('fills User and Healthcheck from the image store only when Config lacks them', async () => {
    const fact = await new DockerDiskSource({ hostRoot: ROOT }).inspect(LEGACY);
    expect(fact).toMatchObject({
      name: 'vigil-ctest-fx-legacy',
      user: '4242:4343',
      run_as_uid: 4242,
      run_as_gid: 4343,
      health_check: { test: ['CMD', 'true'], interval_ms: 7000, timeout_ms: 3000, retries: 2 },
    });
    // What the container configures wins: a User of "" (image default, already merged) stays.
    const config = readFixture<DockerDiskConfig>('docker-root/var/lib/docker/containers', HARD, 'config.v2.json');
    const host = readFixture<DockerHostConfig>('docker-root/var/lib/docker/containers', HARD, 'hostconfig.json');
    const inspect = inspectFromDisk(config, host, { image: { User: 'nobody', Healthcheck: { Test: ['CMD', 'x'] } } });
    expect(inspect.Config?.User).toBe('1000:1000');
    expect(inspect.Config?.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'true'] });
    const priv = readFixture<DockerDiskConfig>('docker-root/var/lib/docker/containers', PRIV, 'config.v2.json');
    expect(inspectFromDisk(priv, host, { image: { User: 'nobody' } }).Config?.User).toBe('');
  });

  it('merges the daemon default ulimits the way inspect does', () => {
    const config = readFixture<DockerDiskConfig>('docker-root/var/lib/docker/containers', HARD, 'config.v2.json');
    const host = readFixture<DockerHostConfig>('docker-root/var/lib/docker/containers', HARD, 'hostconfig.json');
    const inspect = inspectFromDisk(config, host, {
      defaultUlimits: [
        { Name: 'nofile', Soft: 1, Hard: 1 },
        { Name: 'nproc', Soft: 100, Hard: 200 },
      ],
    });
    expect(normaliseDockerInspect(inspect).ulimits).toEqual([
      { name: 'nofile', soft: 1024, hard: 2048 },
      { name: 'nproc', soft: 100, hard: 200 },
    ]);
  });

  it('a missing data-root is a clear error', async () => {
    const source = new DockerDiskSource({ hostRoot: '/nonexistent-vigil-root' });
    await expect(source.list()).rejects.toThrow(/VIGIL_ERR_CONTAINER_DISK_ROOT: cannot list \/nonexistent-vigil-root\/var\/lib\/docker\/containers/);
  });

  it('watching rescans: new, changed (by mtime) and removed containers are reported', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'vigil-ctest-disk-'));
    try {
      const containers = path.join(root, 'var/lib/docker/containers');
      await cp(path.join(ROOT, 'var/lib/docker/containers', PRIV), path.join(containers, PRIV), { recursive: true });
      await writeFile(path.join(root, 'daemon.json'), '{}');
      const source = new DockerDiskSource({ hostRoot: root, rescanMs: 50 });
      const events: ContainerEvent[] = [];
      const errors: Error[] = [];
      const watch = source.watch((event) => events.push(event), (error) => errors.push(error));
      await waitFor(() => events.length === 1);
      expect(events[0]).toMatchObject({ action: 'create', id: PRIV });

      await cp(path.join(ROOT, 'var/lib/docker/containers', HARD), path.join(containers, HARD), { recursive: true });
      await waitFor(() => events.length === 2);
      expect(events[1]).toMatchObject({ action: 'create', id: HARD });

      const configPath = path.join(containers, PRIV, 'config.v2.json');
      const config = readFixture<DockerDiskConfig>('docker-root/var/lib/docker/containers', PRIV, 'config.v2.json');
      config.Name = '/vigil-ctest-renamed';
      await writeFile(configPath, JSON.stringify(config));
      const later = new Date(Date.now() + 5_000);
      await utimes(configPath, later, later);
      await waitFor(() => events.length === 3);
      expect(events[2]).toMatchObject({ action: 'change', id: PRIV, fact: { name: 'vigil-ctest-renamed' } });

      await writeFile(path.join(containers, HARD, 'hostconfig.json'), '{"Binds": [');
      await waitFor(() => errors.length === 1);
      expect(errors[0]?.message).toMatch(/VIGIL_ERR_CONTAINER_DISK_MALFORMED: .*hostconfig\.json/);

      await rm(path.join(containers, PRIV), { recursive: true });
      await waitFor(() => events.length === 4);
      expect(events[3]).toMatchObject({ action: 'destroy', id: PRIV });
      await watch.stop();
      // The unreadable container was never reported destroyed.
      expect(events.filter((event) => event.id === HARD).map((event) => event.action)).toEqual(['create']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
