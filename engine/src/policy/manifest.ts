import type { RuleMeta } from './rules.js';

/** Entrypoints are `vigil/main/<fact kind>`. */
export const ENTRYPOINT_PREFIX = 'vigil/main';

/** The batch entrypoint: `input = {facts: [...]}` → one `{rule_id: [messages]}` per fact. */
export const BATCH_ENTRYPOINT = 'vigil/main/batch';

/** What Vigil keeps in the bundle's `.manifest` under `metadata.vigil`. */
export interface VigilManifest {
  format: 1;
  /** Every rule in the bundle, enabled or not, with its metadata. */
  rules: RuleMeta[];
  /** Ids of the rules compiled into the entrypoints. */
  enabled: string[];
}
