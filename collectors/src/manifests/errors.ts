/**
 * The manifest sources' error catalogue. Codes are stable and never reused;
 * each message says what is wrong and where. These are expected failures and
 * travel as `ManifestError` values, never as exceptions.
 */
export const MANIFEST_ERRORS = {
  VIGIL_ERR_MANIFEST_READ: 'cannot read %s: %s',
  VIGIL_ERR_MANIFEST_YAML: '%s, document %s, is not valid YAML: %s',
  VIGIL_ERR_MANIFEST_SHAPE: '%s, document %s: %s',
  VIGIL_ERR_MANIFEST_QUANTITY: '%s, document %s: %s %s is not a valid quantity; it is treated as unset',
  VIGIL_ERR_COMPOSE_SHAPE: '%s: %s',
  VIGIL_ERR_MANIFEST_EXCEPTION: '%s, document %s: %s, vigil.dev/exceptions %s',
  VIGIL_ERR_DOCKERFILE_SYNTAX: '%s, line %s: %s',
} as const;

export type ManifestErrorCode = keyof typeof MANIFEST_ERRORS;

export function manifestErrorMessage(code: ManifestErrorCode, ...args: readonly (string | number)[]): string {
  let index = 0;
  return MANIFEST_ERRORS[code].replace(/%s/g, () => String(args[index++] ?? ''));
}
