import type { FactInit } from '../../../proto/src/index.js';

/** The `image` member of a Fact, as the sink takes it. */
export type ImageFactInit = NonNullable<FactInit['image']>;
export type ImageConfigInit = NonNullable<ImageFactInit['config']>;
export type HistoryEntryInit = NonNullable<ImageFactInit['history']>[number];
export type PackageInit = NonNullable<ImageFactInit['packages']>[number];
export type ImageFileInit = NonNullable<ImageFactInit['files']>[number];
export type SecretFindingInit = NonNullable<ImageFactInit['secrets']>[number];

/** The slice of a pino logger the image collector uses. */
export interface ImageLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
  debug(details: object, message: string): void;
}

export const SILENT_LOGGER: ImageLogger = { info() {}, warn() {}, error() {}, debug() {} };
