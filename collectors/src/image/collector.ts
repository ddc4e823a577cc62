import type { FactSink } from '../sink.js';
import type { EngineImage, EngineWatch, ImageEngineSource } from './engine.js';
import { CollectorError, reason } from '../errors.js';
import { ImageScanner } from './scanner.js';
import { SILENT_LOGGER, type ImageLogger } from './types.js';

export const DEFAULT_IMAGE_INTERVAL_MS = 5 * 60_000;
/** Image events come in bursts (a pull tags, a build tags several): one sweep per burst. */
const EVENT_DEBOUNCE_MS = 500;

export interface ImageCollectorOptions {
  source: ImageEngineSource;
  sink: FactSink;
  /** How often the engine's image list is read again (events trigger sweeps in between). Default 5 min. */
  intervalMs?: number;
  logger?: ImageLogger;
  /** Shared scanner (and its cache); by default one of its own, with `cacheDir`. */
  scanner?: ImageScanner;
  /**
   * Where the default scanner keeps one JSON file per scanned image, so that a
   * restarted collector does not read every image of the engine again.
   * Without it, scans are remembered in memory only.
   */
  cacheDir?: string;
}

export interface ImageCollector {
  /** Resolves once the sweep in progress (if any) has finished. */
  stop(): Promise<void>;
  /** Runs a sweep now (after the one in progress); resolves when it is done. */
  sweep(): Promise<void>;
}

/**
 * Publishes `{ image: fact }` once per image id of the engine — scanning each
 * image once — and again only when its tags or digests change. New images
 * are found by polling and, when the source can watch, on image events.
 * Images are scanned one at a time: a scan reads every layer of the image.
 */
export function startImageCollector(options: ImageCollectorOptions): ImageCollector {
  const { source, sink } = options;
  const logger = options.logger ?? SILENT_LOGGER;
  const intervalMs = options.intervalMs ?? DEFAULT_IMAGE_INTERVAL_MS;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new CollectorError('VIGIL_ERR_IMAGE_CONFIG_OPTION', ['intervalMs > 0', String(options.intervalMs)]);
  }
  const scanner = options.scanner ?? new ImageScanner(options.cacheDir ? { cacheDir: options.cacheDir } : {});
  const published = new Map<string, string>(); // image id → names fingerprint
  const failed = new Map<string, string>(); // image id → errors already logged
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let debounce: NodeJS.Timeout | undefined;
  let watch: EngineWatch | undefined;

  const publishImage = async (image: EngineImage): Promise<void> => {
    const fingerprint = JSON.stringify([image.repoTags, image.repoDigests]);
    if (published.get(image.id) === fingerprint) return;
    const result = await scanner.scanEngineImage(source, image);
    if (stopped) return;
    const errorsKey = result.errors.map((e) => e.message).join('\n');
    if (result.errors.length > 0 && failed.get(image.id) !== errorsKey) {
      failed.set(image.id, errorsKey);
      logger.warn({ source: source.name, image: image.id, errors: result.errors.map((e) => e.message) }, 'image scan found problems');
    }
    if (!result.fact) return; // retried at the next sweep
    await sink.publish({ image: result.fact });
    published.set(image.id, fingerprint);
    logger.debug({ image: image.id, tags: image.repoTags }, 'image fact published');
  };

  const once = async (): Promise<void> => {
    let images: EngineImage[];
    try {
      images = await source.list();
    } catch (error) {
      logger.error({ source: source.name, err: reason(error) }, 'image listing failed; retrying at the next sweep');
      return;
    }
    const present = new Set(images.map((image) => image.id));
    for (const id of [...published.keys()]) if (!present.has(id)) published.delete(id);
    for (const image of images) {
      if (stopped) return;
      try {
        await publishImage(image);
      } catch (error) {
        logger.error({ source: source.name, image: image.id, err: reason(error) }, 'image fact not published');
      }
    }
  };

  const sweep = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await once();
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  const onChange = (): void => {
    if (stopped) return;
    clearTimeout(debounce);
    debounce = setTimeout(() => void sweep(), EVENT_DEBOUNCE_MS);
  };

  void sweep();
  const timer = setInterval(() => void sweep(), intervalMs);
  if (source.watch) {
    try {
      watch = source.watch(onChange, (error) => logger.warn({ source: source.name, err: reason(error) }, 'image events interrupted'));
    } catch (error) {
      logger.error({ source: source.name, err: reason(error) }, 'image events not watched; polling only');
    }
  }

  return {
    sweep: async () => {
      await running;
      await sweep();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      clearTimeout(debounce);
      await watch?.stop();
      await running;
      await source.close?.();
    },
  };
}
