/**
 * Image collector: scans container images — docker save tarballs, OCI image
 * layouts, the local engine's images through the Engine API or its on-disk
 * store — into `ImageFact`s (config, history, OS, packages, notable files,
 * secrets) by streaming their layers, and publishes them into a `FactSink`.
 */
export { scanImage } from './scan.js';
export type { ImageSource, ScanImageOptions } from './scan.js';
export type { ImageScanResult } from './assemble.js';
export { ImageScanner, IMAGE_CACHE_VERSION } from './scanner.js';
export type { ImageScannerOptions, ScannerScanOptions } from './scanner.js';
export { startImageCollector, DEFAULT_IMAGE_INTERVAL_MS } from './collector.js';
export type { ImageCollector, ImageCollectorOptions } from './collector.js';
export type { EngineImage, EngineScanOptions, EngineWatch, ImageEngineSource } from './engine.js';
export { DockerApiImageSource } from './docker-api.js';
export type { DockerApiImageOptions } from './docker-api.js';
export { DockerDiskImageSource, chainIdsOf } from './docker-disk.js';
export type { DockerDiskOptions } from './docker-disk.js';
export { DEFAULT_SCAN_LIMITS } from './limits.js';
export type { ScanLimits } from './limits.js';
export type { ProgressCallback } from './progress.js';
export { decodeFileCapabilities, CAPABILITY_NAMES } from './capabilities.js';
export type { FileCapabilities } from './capabilities.js';
export { detectSecrets, shannonEntropy, redact, GENERIC_ENTROPY_THRESHOLD } from './secrets.js';
export type { SecretMatch } from './secrets.js';
export { osvEcosystem, parseOsRelease } from './packages.js';
export { TarReader, TarFormatError } from './tar-reader.js';
export type { TarEntrySink, TarEntryType, TarHeader } from './tar-reader.js';
export type {
  HistoryEntryInit,
  ImageConfigInit,
  ImageFactInit,
  ImageFileInit,
  ImageLogger,
  PackageInit,
  SecretFindingInit,
} from './types.js';
