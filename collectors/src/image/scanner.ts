/**
 * `ImageScanner`: scans each image once per id (the config digest, which
 * changes whenever any layer does). Results live in memory and, with
 * `cacheDir`, in one JSON file per image so a restarted collector does not
 * rescan. A result is cached only when it has a fact and no error that a
 * second read could cure (a truncated download, an unreachable engine).
 */
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImageScanResult } from './assemble.js';
import type { EngineImage, EngineScanOptions, ImageEngineSource } from './engine.js';
import { reason, scanError, type CollectorErrorCode } from '../errors.js';
import { resolveLimits, type ScanLimits } from './limits.js';
import type { ProgressCallback } from './progress.js';
import { scanImage, type ImageSource } from './scan.js';

/** Bump when the fact a scan produces changes shape or meaning: older cache files are ignored. */
export const IMAGE_CACHE_VERSION = 1;

const TRANSIENT: ReadonlySet<CollectorErrorCode> = new Set([
  'VIGIL_ERR_IMAGE_SOURCE_READ',
  'VIGIL_ERR_IMAGE_ARCHIVE_TRUNCATED',
  'VIGIL_ERR_IMAGE_LAYER_TRUNCATED',
  'VIGIL_ERR_IMAGE_LAYER_MISSING',
  'VIGIL_ERR_IMAGE_DOCKER_API',
  'VIGIL_ERR_IMAGE_DISK_LAYER',
  'VIGIL_ERR_IMAGE_UNEXPECTED',
]);

export interface ImageScannerOptions {
  /** Directory for one JSON file per scanned image; memory only when absent. */
  cacheDir?: string;
  limits?: Partial<ScanLimits>;
}

export interface ScannerScanOptions {
  onProgress?: ProgressCallback;
}

export class ImageScanner {
  /** Scans actually run (cache misses); for tests and metrics. */
  scans = 0;
  private readonly memory = new Map<string, ImageScanResult>();
  private readonly limits: ScanLimits;

  constructor(private readonly options: ImageScannerOptions = {}) {
    this.limits = resolveLimits(options.limits);
  }

  /** Scans a source, reusing the result for an image id seen before. */
  scan(source: ImageSource, options: ScannerScanOptions = {}): Promise<ImageScanResult> {
    return this.throughCache((scanOptions) => scanImage(source, scanOptions), options);
  }

  /** Scans an image the engine listed, reusing the result for its id. */
  scanEngineImage(engine: ImageEngineSource, image: EngineImage, options: ScannerScanOptions = {}): Promise<ImageScanResult> {
    return this.throughCache((scanOptions) => engine.scan(image, scanOptions), options);
  }

  /** Runs one scan with this scanner's limits and cache; a fresh result is remembered. */
  private async throughCache(
    run: (options: EngineScanOptions) => Promise<ImageScanResult>,
    options: ScannerScanOptions,
  ): Promise<ImageScanResult> {
    let hit = false;
    const result = await run({
      limits: this.limits,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      lookup: (id) => {
        const cached = this.lookup(id);
        hit = cached !== undefined;
        return cached;
      },
    });
    if (!hit) {
      this.scans++;
      await this.remember(result);
    }
    return result;
  }

  /** The cached result for an image id, if any (memory, then cacheDir). */
  cached(id: string): ImageScanResult | undefined {
    return this.lookup(id);
  }

  private async remember(result: ImageScanResult): Promise<void> {
    const id = result.fact?.id;
    if (!id || result.errors.some((error) => TRANSIENT.has(error.code))) return;
    this.memory.set(id, result);
    if (!this.options.cacheDir) return;
    try {
      await mkdir(this.options.cacheDir, { recursive: true });
      const file = this.cacheFile(id);
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify({ version: IMAGE_CACHE_VERSION, result }));
      await rename(temporary, file);
    } catch (error) {
      result.errors.push(scanError('VIGIL_ERR_IMAGE_SOURCE_READ', [this.options.cacheDir, `cache not written: ${reason(error)}`]));
    }
  }

  /** Memory first, then the cache file (read synchronously: it is small and read once per image). */
  private lookup(id: string): ImageScanResult | undefined {
    const inMemory = this.memory.get(id);
    if (inMemory || !this.options.cacheDir || !/^sha256:[a-f0-9]{64}$/.test(id)) return inMemory;
    try {
      const parsed = JSON.parse(readFileSync(this.cacheFile(id), 'utf8')) as { version?: number; result?: ImageScanResult };
      if (parsed.version === IMAGE_CACHE_VERSION && parsed.result?.fact?.id === id) {
        this.memory.set(id, parsed.result);
        return parsed.result;
      }
    } catch {
      // no cache entry, or an unreadable one: scan again
    }
    return undefined;
  }

  private cacheFile(id: string): string {
    return path.join(this.options.cacheDir!, `${id.replace(/^sha256:/, '')}.json`);
  }
}
