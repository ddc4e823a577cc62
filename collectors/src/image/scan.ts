/**
 * `scanImage`: one image from any source to `{ fact?, errors }`. It never
 * throws for anything an image or its source can do; a bug surfaces as a
 * VIGIL_ERR_IMAGE_UNEXPECTED error instead of taking the collector down.
 */
import { stat } from 'node:fs/promises';
import { counted, scanPath, scanStream } from './archive-scan.js';
import type { ImageScanResult, ScanContext } from './assemble.js';
import { DockerApiImageSource } from './docker-api.js';
import { scanDockerDisk } from './docker-disk.js';
import type { DockerHttpClient } from '../container/index.js';
import { reason, scanError } from '../errors.js';
import { resolveLimits, type ScanLimits } from './limits.js';
import { Progress, type ProgressCallback } from './progress.js';

export type ImageSource =
  /** A `docker save` tarball (plain or gzip) or an OCI image layout packed in a tar. */
  | { kind: 'archive'; path: string; reference?: string }
  /** An OCI image layout directory (or its tar). */
  | { kind: 'oci-layout'; path: string; reference?: string }
  /** A `docker save` / OCI layout tar arriving as a stream, read once. */
  | { kind: 'stream'; stream: AsyncIterable<Buffer>; label?: string; reference?: string; totalBytes?: number }
  /** An image of the local engine by name, tag or id, streamed from the Engine API. */
  | { kind: 'docker-api'; image: string; socketPath?: string; client?: DockerHttpClient }
  /** An image of Docker's on-disk store by id (no socket needed). */
  | { kind: 'docker-disk'; hostRoot: string; image: string; dockerRoot?: string };

export interface ScanImageOptions {
  onProgress?: ProgressCallback;
  limits?: Partial<ScanLimits>;
  /** Consulted with the image id before layers are read (the scanner's cache). */
  lookup?: (id: string) => ImageScanResult | undefined;
}

export async function scanImage(source: ImageSource, options: ScanImageOptions = {}): Promise<ImageScanResult> {
  const limits = resolveLimits(options.limits);
  try {
    return await dispatch(source, options, limits);
  } catch (error) {
    return { errors: [scanError('VIGIL_ERR_IMAGE_UNEXPECTED', [describeSource(source), reason(error)])] };
  }
}

async function dispatch(source: ImageSource, options: ScanImageOptions, limits: ScanLimits): Promise<ImageScanResult> {
  const withLookup = (context: ScanContext): ScanContext => (options.lookup ? { ...context, lookup: options.lookup } : context);
  switch (source.kind) {
    case 'archive':
    case 'oci-layout': {
      const total = await stat(source.path).then((info) => (info.isFile() ? info.size : 0), () => 0);
      const context = withLookup({ limits, progress: new Progress(options.onProgress, total) });
      const target = source.reference ? { label: source.path, reference: source.reference } : { label: source.path };
      const result = await scanPath(source.path, target, context);
      context.progress.finish();
      return result;
    }
    case 'stream': {
      const context = withLookup({ limits, progress: new Progress(options.onProgress, source.totalBytes ?? 0) });
      const target = { label: source.label ?? 'stream', ...(source.reference ? { reference: source.reference } : {}) };
      const result = await scanStream(counted(source.stream, context), target, context);
      context.progress.finish();
      return result;
    }
    case 'docker-api': {
      const engine = new DockerApiImageSource({
        ...(source.client ? { client: source.client } : {}),
        ...(source.socketPath ? { socketPath: source.socketPath } : {}),
      });
      try {
        let image;
        try {
          image = await engine.inspect(source.image);
        } catch (error) {
          return { errors: [scanError('VIGIL_ERR_IMAGE_DOCKER_API', [`inspect ${source.image}: ${reason(error)}`])] };
        }
        if (!image) return { errors: [scanError('VIGIL_ERR_IMAGE_DOCKER_API', [`no such image: ${source.image}`])] };
        const reference = image.id === source.image || image.id === `sha256:${source.image}` ? undefined : source.image;
        return await engine.scan(image, engineOptions(options, limits), reference);
      } finally {
        await engine.close();
      }
    }
    case 'docker-disk': {
      const id = source.image.startsWith('sha256:') ? source.image : `sha256:${source.image}`;
      if (!/^sha256:[a-f0-9]{64}$/.test(id)) {
        return { errors: [scanError('VIGIL_ERR_IMAGE_SOURCE_READ', [source.image, 'the on-disk store is read by full image id (sha256:<64 hex>)'])] };
      }
      const disk = { hostRoot: source.hostRoot, ...(source.dockerRoot ? { dockerRoot: source.dockerRoot } : {}) };
      return scanDockerDisk(disk, id, { reference: id, source: 'docker' }, engineOptions(options, limits));
    }
  }
}

function engineOptions(options: ScanImageOptions, limits: ScanLimits) {
  return {
    limits,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.lookup ? { lookup: options.lookup } : {}),
  };
}

function describeSource(source: ImageSource): string {
  switch (source.kind) {
    case 'archive':
    case 'oci-layout':
      return source.path;
    case 'stream':
      return source.label ?? 'stream';
    default:
      return source.image;
  }
}
