import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Name of the JSON Schema for policy `input` (the whole Fact envelope). */
export const FACT_SCHEMA_FILE = 'fact.json';

/**
 * Folder of the JSON Schemas derived from the proto at build time
 * (`proto/scripts/gen-schemas.mjs`). Resolved from the source tree whether
 * this module runs from `proto/src` or from `dist/proto/src`.
 */
export function schemaDirectory(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const fromSource = path.resolve(here, '..', 'schemas');
  const fromDist = path.resolve(here, '..', '..', '..', 'proto', 'schemas');
  return here.includes(`${path.sep}dist${path.sep}`) ? fromDist : fromSource;
}
