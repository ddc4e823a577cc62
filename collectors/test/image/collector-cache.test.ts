import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FactInit } from '../../../proto/src/index.js';
import { scanImage, startImageCollector, type EngineImage, type EngineScanOptions, type ImageEngineSource } from '../../src/image/index.js';
import { buildTestImage } from './image-fixture.js';
import { dockerSaveTar, sha256, tempDir } from './fixtures.js';
import { MemorySink } from '../memory-sink.js';

/**
 * An engine holding one image, served from a docker save archive and scanned
 * for real; it counts the scans that had to read the layers.
 */
class ArchiveEngine implements ImageEngineSource {
  readonly name = 'archive-engine';
  layerReads = 0;

  constructor(
    private readonly file: string,
    private readonly image: EngineImage,
  ) {}

  async list(): Promise<EngineImage[]> {
    return [this.image];
  }

  scan(_image: EngineImage, options: EngineScanOptions) {
    return scanImage(
      { kind: 'archive', path: this.file },
      {
        limits: options.limits,
        lookup: (id) => {
          const cached = options.lookup?.(id);
          if (!cached) this.layerReads++;
          return cached;
        },
      },
    );
  }
}

let dir: string;
let cleanup: () => Promise<void>;
let archive: string;
let image: EngineImage;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const test = await buildTestImage();
  archive = path.join(dir, 'image.tar');
  await writeFile(archive, await dockerSaveTar({ config: test.config, layers: test.blobs, repoTags: ['cache/test:1'] }));
  image = { id: `sha256:${sha256(test.config)}`, repoTags: ['cache/test:1'], repoDigests: [], size: 0 };
});

afterAll(async () => {
  await cleanup();
});

/** Starts a collector, waits for its first sweep, stops it; resolves with what it published. */
async function runOnce(engine: ImageEngineSource, cacheDir?: string): Promise<FactInit[]> {
  const sink = new MemorySink();
  const collector = startImageCollector({ source: engine, sink, intervalMs: 60_000, ...(cacheDir ? { cacheDir } : {}) });
  await collector.sweep();
  await collector.stop();
  return sink.facts;
}

describe('image collector cache', () => {
  it('collector - restarted with a cache dir, it publishes the image again without reading its layers', async () => {
    const engine = new ArchiveEngine(archive, image);
    const cacheDir = path.join(dir, 'cache');
    const first = await runOnce(engine, cacheDir);
    const second = await runOnce(engine, cacheDir);
    expect(engine.layerReads).toBe(1);
    expect(first.map((f) => f.image?.id)).toEqual([image.id]);
    expect(second).toEqual(first);
  });

  it('collector - restarted without a cache dir, it reads the image again', async () => {
    const engine = new ArchiveEngine(archive, image);
    await runOnce(engine);
    await runOnce(engine);
    expect(engine.layerReads).toBe(2);
  });
});
