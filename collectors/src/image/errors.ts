/**
 * The image collector's error catalogue. Codes are stable and never reused;
 * each message says what happened and, where there is one, what to do.
 *
 * Everything a hostile or broken image can do (a truncated tarball, a gzip
 * bomb, a malformed config) is an expected failure: it becomes an
 * `ImageScanError` value in the scan result and in the fact's `scan_errors`,
 * and the scan carries on with what it can still read. Bugs are thrown.
 */
export const IMAGE_ERRORS = {
  VIGIL_ERR_IMAGE_SOURCE_READ: 'cannot read %s: %s',
  VIGIL_ERR_IMAGE_NOT_AN_IMAGE:
    '%s is neither a docker save archive (manifest.json) nor an OCI image layout (index.json): %s',
  VIGIL_ERR_IMAGE_MANIFEST: 'image manifest %s is not usable: %s',
  VIGIL_ERR_IMAGE_CONFIG: 'image config %s is not a valid image configuration (%s): config, history and ENV secrets are unknown',
  VIGIL_ERR_IMAGE_CONFIG_DIGEST: 'image config %s does not match its digest (computed %s)',
  VIGIL_ERR_IMAGE_LAYER_MISSING: 'layer %s (%s) is referenced by the manifest but missing from the image',
  VIGIL_ERR_IMAGE_LAYER_FORMAT: 'layer %s (%s) is not a readable tar archive: %s; files after this point are unknown',
  VIGIL_ERR_IMAGE_LAYER_TRUNCATED: 'layer %s (%s) ends early: %s; files after this point are unknown',
  VIGIL_ERR_IMAGE_LAYER_COMPRESSION: 'layer %s (%s) uses compression %s, which this collector cannot read',
  VIGIL_ERR_IMAGE_LAYER_BOMB:
    'layer %s (%s) stopped after %s decompressed bytes from %s compressed: %s (possible decompression bomb; raise limits.%s if the image is trusted)',
  VIGIL_ERR_IMAGE_PATH_ESCAPE: 'layer %s (%s) has %s entries whose path leaves the image root (first: %s); they are read as if rooted at /',
  VIGIL_ERR_IMAGE_FILE_TOO_LARGE: 'layer %s (%s): %s is %s bytes, more than the %s bytes read from it; the rest is not scanned',
  VIGIL_ERR_IMAGE_ARCHIVE_TRUNCATED: 'archive %s ends early: %s',
  VIGIL_ERR_IMAGE_DISK_LAYER: 'on-disk layer %s of image %s is not readable: %s',
  VIGIL_ERR_IMAGE_DISK_XATTR:
    'extended attributes of %s are not readable (%s): file capabilities and opaque directories are unknown; install python3 (or getfattr) in the collector',
  VIGIL_ERR_IMAGE_DOCKER_API: 'Docker Engine API: %s',
  VIGIL_ERR_IMAGE_UNEXPECTED: 'scanning %s failed unexpectedly (a bug; please report it): %s',
  VIGIL_ERR_IMAGE_CONFIG_OPTION: 'invalid image collector configuration: expected %s (actual: %s)',
} as const;

export type ImageErrorCode = keyof typeof IMAGE_ERRORS;

/** An expected failure found while scanning one image. */
export interface ImageScanError {
  code: ImageErrorCode;
  message: string;
  /** Layer index (0 = base) when the problem is in one layer. */
  layer?: number;
}

export function imageErrorMessage(code: ImageErrorCode, ...args: (string | number)[]): string {
  let index = 0;
  return IMAGE_ERRORS[code].replace(/%s/g, () => String(args[index++] ?? ''));
}

export function scanError(code: ImageErrorCode, args: (string | number)[], layer?: number): ImageScanError {
  const error: ImageScanError = { code, message: `${code}: ${imageErrorMessage(code, ...args)}` };
  if (layer !== undefined) error.layer = layer;
  return error;
}

/** Thrown for a misconfigured collector or scanner (a bug in the caller, not in the image). */
export class ImageCollectorError extends Error {
  readonly code: ImageErrorCode;

  constructor(code: ImageErrorCode, args: (string | number)[], options?: { cause?: unknown }) {
    super(`${code}: ${imageErrorMessage(code, ...args)}`, options);
    this.name = 'ImageCollectorError';
    this.code = code;
  }
}

/** A short reason for a caught error: its errno code when it has one, else its message. */
export function reason(error: unknown): string {
  if (typeof error === 'object' && error !== null && typeof (error as Error).message === 'string') {
    const { message } = error as Error;
    const code = (error as NodeJS.ErrnoException).code;
    return typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
  }
  return String(error);
}
