import { CollectorError } from '../errors.js';

/** Bounds on what one scan reads; every one can be lowered for tests or raised for trusted images. */
export interface ScanLimits {
  /** Decompressed bytes read from one layer before the scan of that layer stops. */
  maxLayerBytes: number;
  /** Decompressed ÷ compressed bytes of one layer above which it is treated as a bomb … */
  maxCompressionRatio: number;
  /** … once at least this many bytes were decompressed (small layers compress well legitimately). */
  ratioCheckAfterBytes: number;
  /** Bytes read from a file picked for its name (*.pem, .npmrc, ...). Larger files are read up to this. */
  maxSecretFileBytes: number;
  /** Files larger than this are not given the content scan for secrets. */
  maxContentScanBytes: number;
  /** Bytes read from one package database. */
  maxPackageDbBytes: number;
  /** Bytes of an image config, manifest or index. */
  maxJsonBytes: number;
}

export const DEFAULT_SCAN_LIMITS: Readonly<ScanLimits> = Object.freeze({
  maxLayerBytes: 32 * 1024 ** 3,
  maxCompressionRatio: 200,
  ratioCheckAfterBytes: 128 * 1024 ** 2,
  maxSecretFileBytes: 1024 ** 2,
  maxContentScanBytes: 256 * 1024,
  maxPackageDbBytes: 64 * 1024 ** 2,
  maxJsonBytes: 8 * 1024 ** 2,
});

export function resolveLimits(overrides: Partial<ScanLimits> | undefined): ScanLimits {
  const limits: ScanLimits = { ...DEFAULT_SCAN_LIMITS, ...overrides };
  for (const [key, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new CollectorError('VIGIL_ERR_IMAGE_CONFIG_OPTION', [`limits.${key} > 0`, String(value)]);
    }
  }
  return limits;
}
