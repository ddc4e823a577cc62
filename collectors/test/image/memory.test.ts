import { createReadStream } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { scanImage, type ImageScanResult } from '../../src/image/index.js';
import { BIG_PACKAGES, writeBigDockerSave } from './big-image.js';
import { tempDir } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
let file: string;
let layerBytes: number;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  file = path.join(dir, 'big.tar');
  layerBytes = await writeBigDockerSave(file);
}, 60_000);
afterAll(async () => cleanup());

/** Runs a scan while sampling RSS; returns the result and the peak growth over the RSS before it. */
async function measured(scan: () => Promise<ImageScanResult>): Promise<{ result: ImageScanResult; growth: number; seconds: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const started = process.hrtime.bigint();
  try {
    const result = await scan();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growth: peak - before, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  } finally {
    clearInterval(sampler);
  }
}

describe('image scan memory', () => {
  it('memory - scanning a 200 MB layer keeps RSS growth under 100 MB (file and one-pass stream)', async () => {
    expect(layerBytes).toBeGreaterThan(200 * 1024 * 1024);
    for (const scan of [
      () => scanImage({ kind: 'archive', path: file }),
      () => scanImage({ kind: 'stream', stream: createReadStream(file, { highWaterMark: 256 * 1024 }) }),
    ]) {
      const { result, growth } = await measured(scan);
      expect(result.errors).toEqual([]);
      expect(result.fact?.packages).toHaveLength(BIG_PACKAGES);
      expect(result.fact?.size_bytes).toBe(layerBytes);
      expect(result.fact?.secrets).toEqual([]);
      expect(growth).toBeLessThan(100 * 1024 * 1024);
    }
  }, 60_000);
});
