import type { ImageScanResult } from './assemble.js';
import type { ScanLimits } from './limits.js';
import type { ProgressCallback } from './progress.js';

/** An image as the engine lists it. */
export interface EngineImage {
  /** "sha256:<hex>" of the image config. */
  id: string;
  repoTags: string[];
  repoDigests: string[];
  /** Uncompressed size as the engine reports it (progress total). */
  size: number;
}

export interface EngineScanOptions {
  limits: ScanLimits;
  onProgress?: ProgressCallback;
  lookup?: (id: string) => ImageScanResult | undefined;
}

export interface EngineWatch {
  stop(): Promise<void>;
}

/**
 * Where the image collector finds the engine's images: the Docker Engine API
 * over its socket, or Docker's on-disk image store when there is no socket.
 */
export interface ImageEngineSource {
  readonly name: string;
  list(): Promise<EngineImage[]>;
  scan(image: EngineImage, options: EngineScanOptions): Promise<ImageScanResult>;
  /** Calls `onChange` when images may have appeared (pull, load, build, tag). */
  watch?(onChange: () => void, onError: (error: unknown) => void): EngineWatch;
  close?(): Promise<void>;
}
