import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DockerApiImageSource,
  DockerDiskImageSource,
  ImageScanner,
  TarReader,
  scanImage,
  startImageCollector,
  type ImageFactInit,
} from '../../src/image/index.js';
import { tempDir } from './fixtures.js';
import { MemorySink } from '../memory-sink.js';

const run = promisify(execFile);
const TEST_IMAGE = 'vigil-test/busybox:1';
/** The only tag these tests create (and remove). */
const TEST_TAG = `vigil-itest-${process.pid}:tagged`;

async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

interface Inspect {
  Id: string;
  RepoTags: string[];
  Config: { Cmd: string[] | null; Labels: Record<string, string> | null; Env: string[] | null };
  RootFS: { Layers: string[] };
  Size: number;
}

let dir: string;
let cleanup: () => Promise<void>;
let inspect: Inspect;

beforeAll(async () => {
  try {
    await docker('version', '--format', '{{.Server.APIVersion}}');
  } catch (error) {
    throw new Error(`image tests need a running Docker engine at /var/run/docker.sock: ${(error as Error).message}`);
  }
  try {
    inspect = (JSON.parse(await docker('image', 'inspect', TEST_IMAGE)) as Inspect[])[0]!;
  } catch {
    throw new Error(`image tests need the local image ${TEST_IMAGE} (it is never pulled)`);
  }
  ({ dir, cleanup } = await tempDir());
});
afterAll(async () => {
  await docker('rmi', TEST_TAG).catch(() => undefined);
  await cleanup();
});

/** What must not depend on the source an image was read from. */
function content(fact: ImageFactInit | undefined) {
  expect(fact).toBeDefined();
  const { id, config, history, os_release, packages, files, secrets, layer_count } = fact!;
  return { id, config, history, os_release, packages, files, secrets, layer_count };
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('image scan of the real Docker engine', () => {
  it('docker - docker save here writes the layers before manifest.json', async () => {
    const names: string[] = [];
    const reader = new TarReader((header) => {
      names.push(header.name);
      return null;
    });
    const child = spawn('docker', ['save', TEST_IMAGE], { stdio: ['ignore', 'pipe', 'inherit'] });
    for await (const chunk of child.stdout) await reader.push(chunk as Buffer);
    await reader.end();
    const manifest = names.indexOf('manifest.json');
    const lastLayer = Math.max(...names.map((name, index) => (/layer\.tar$|^blobs\//.test(name) ? index : -1)));
    expect(manifest).toBeGreaterThan(lastLayer);
    expect(lastLayer).toBeGreaterThanOrEqual(0);
  });

  it('docker - busybox from a docker save file, the API stream and the on-disk store give the same facts', async () => {
    const file = path.join(dir, 'busybox.tar');
    await docker('save', '-o', file, TEST_IMAGE);
    const fromFile = await scanImage({ kind: 'archive', path: file });
    const progress: number[] = [];
    const fromApi = await scanImage({ kind: 'docker-api', image: TEST_IMAGE }, { onProgress: (done) => progress.push(done) });
    const fromDisk = await scanImage({ kind: 'docker-disk', hostRoot: '/', image: inspect.Id });
    for (const result of [fromFile, fromApi, fromDisk]) expect(result.errors).toEqual([]);

    const expected = content(fromFile.fact);
    expect(expected.id).toBe(inspect.Id);
    expect(expected.config?.cmd).toEqual(inspect.Config.Cmd ?? []);
    expect(expected.config?.labels).toEqual(inspect.Config.Labels ?? {});
    expect(expected.config?.env).toEqual(inspect.Config.Env ?? []);
    expect(expected.layer_count).toBe(inspect.RootFS.Layers.length);
    // busybox-static: no package database, no os-release; /tmp is the one notable path.
    expect(expected.packages).toEqual([]);
    expect(expected.os_release).toBe('');
    expect(expected.files).toEqual([
      {
        path: '/tmp',
        mode: 0o1777,
        uid: 0,
        gid: 0,
        setuid: false,
        setgid: false,
        world_writable: true,
        sticky: true,
        is_dir: true,
        capabilities: [],
        layer: 0,
      },
    ]);
    expect(content(fromApi.fact)).toEqual(expected);
    expect(content(fromDisk.fact)).toEqual(expected);

    expect(fromFile.fact).toMatchObject({ source: 'docker-save', reference: TEST_IMAGE, repo_tags: [TEST_IMAGE] });
    expect(fromApi.fact).toMatchObject({ source: 'docker', reference: TEST_IMAGE, repo_tags: inspect.RepoTags });
    expect(fromDisk.fact).toMatchObject({ source: 'docker', reference: inspect.Id, size_bytes: inspect.Size });
    expect(fromApi.fact?.size_bytes).toBe(inspect.Size);
    expect(fromFile.fact?.size_bytes).toBeGreaterThanOrEqual(inspect.Size); // tar bytes: headers and padding included
    expect(progress.length).toBeGreaterThan(0);
  });

  it('docker - an image the engine does not have is an error, not a crash', async () => {
    const result = await scanImage({ kind: 'docker-api', image: 'vigil-itest-absent:none' });
    expect(result.fact).toBeUndefined();
    expect(result.errors.map((e) => e.message)).toEqual(['VIGIL_ERR_IMAGE_DOCKER_API: Docker Engine API: no such image: vigil-itest-absent:none']);
  });

  it('collector - publishes each engine image once, and again without rescanning when it gains a tag', async () => {
    const sink = new MemorySink();
    const scanner = new ImageScanner();
    const collector = startImageCollector({ source: new DockerApiImageSource(), sink, intervalMs: 60_000, scanner });
    try {
      const listed = (await docker('images', '--no-trunc', '-q')).split('\n').filter(Boolean);
      const ids = (): string[] => sink.facts.map((fact) => fact.image?.id ?? '');
      await until(() => listed.every((id) => ids().includes(id)), 30_000, 'a fact for every image');
      expect(new Set(ids()).size).toBe(ids().length);
      expect(scanner.scans).toBe(ids().length);
      const busybox = sink.facts.find((fact) => fact.image?.id === inspect.Id)!.image!;
      expect(busybox.repo_tags).toEqual(inspect.RepoTags);

      await collector.sweep();
      const published = sink.facts.length;
      expect(published).toBe(ids().length); // nothing new, nothing twice

      const scans = scanner.scans;
      await docker('tag', TEST_IMAGE, TEST_TAG);
      await until(() => sink.facts.some((fact) => fact.image?.repo_tags?.includes(TEST_TAG)), 15_000, 'the re-tagged image (image event)');
      const tagged = sink.facts.find((fact) => fact.image?.repo_tags?.includes(TEST_TAG))!.image!;
      expect(tagged.id).toBe(inspect.Id);
      expect(content(tagged)).toEqual(content(busybox));
      expect(scanner.scans).toBe(scans);
    } finally {
      await collector.stop();
      await docker('rmi', TEST_TAG).catch(() => undefined);
    }
  });

  it('collector - the on-disk store lists the same images with their tags', async () => {
    const disk = new DockerDiskImageSource({ hostRoot: '/' });
    const images = await disk.list();
    const busybox = images.find((image) => image.id === inspect.Id);
    expect(busybox?.repoTags).toEqual(expect.arrayContaining([TEST_IMAGE]));
    const sink = new MemorySink();
    const collector = startImageCollector({ source: disk, sink, intervalMs: 60_000 });
    try {
      await collector.sweep();
      const fact = sink.facts.find((f) => f.image?.id === inspect.Id)?.image;
      expect(fact?.repo_tags).toEqual(busybox?.repoTags);
      expect(fact?.source).toBe('docker');
      expect(fact?.scan_errors).toEqual([]);
    } finally {
      await collector.stop();
    }
  });
});
