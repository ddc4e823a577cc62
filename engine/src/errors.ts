/**
 * The engine's error catalogue. Codes are stable and never reused; each message
 * says what to do about it. Expected failures (a malformed fact, a policy that
 * errors on one input) are values, not exceptions; these are for the rest.
 */
export const ENGINE_ERRORS = {
  VIGIL_ERR_BUNDLE_NOT_FOUND: 'policy bundle not found at %s: run `npm run build` or pass --bundle',
  VIGIL_ERR_BUNDLE_INVALID: 'policy bundle %s is not a valid Vigil bundle: %s',
  VIGIL_ERR_BUNDLE_BUILTIN: 'policy bundle %s calls built-in function(s) %s, which neither the opa-wasm SDK nor Vigil implements: keep policies off them or implement them in engine/src/policy/builtins.ts',
  VIGIL_ERR_POLICY_COMPILE: 'policies in %s do not compile:\n%s',
  VIGIL_ERR_POLICY_METADATA: 'policy metadata is invalid:\n%s',
  VIGIL_ERR_TOOL_NOT_FOUND: '%s not found: run `npm run setup`, or set %s to its path',
  VIGIL_ERR_ENGINE_CONFIG: 'invalid configuration: expected %s (actual: %s)',
  VIGIL_ERR_BUNDLE_UNSIGNED: 'policy bundle %s is not signed but a verification key is configured: build it with `vigil policy build --signing-key KEY`',
  VIGIL_ERR_BUNDLE_SIGNATURE: 'policy bundle %s has an invalid signature: %s',
  VIGIL_ERR_BUNDLE_TAMPERED: 'policy bundle %s does not match its signature: %s',
  VIGIL_ERR_VERIFICATION_KEY: 'verification key %s cannot be used: %s',
  VIGIL_ERR_BUNDLE_STORE: 'bundle store %s: %s',
  VIGIL_ERR_DATA_INVALID: 'data document %s is invalid: %s',
  VIGIL_ERR_POLICY_SET: 'these bundles cannot be served together: %s',
  VIGIL_ERR_PROFILE_NOT_FOUND: 'no learned profile for workload %s: `vigil profile list` shows the workloads that have one',
  VIGIL_ERR_PROFILE_INVALID: 'profile %s is invalid: %s',
  VIGIL_ERR_FORWARD_STREAM: 'cannot read the alert stream %s (%s): start an engine first (it creates the streams), and give this identity JetStream access to it',
  VIGIL_ERR_PROFILE_CONFLICT: 'profile %s kept changing under %s concurrent updates: try again',
  VIGIL_ERR_DATA_CONFLICT: 'data document %s kept changing under %s concurrent updates: try again',
} as const;

export type EngineErrorCode = keyof typeof ENGINE_ERRORS;

export class VigilEngineError extends Error {
  readonly code: EngineErrorCode;
  /** What filled the message's placeholders, so the error can be made again across a thread. */
  readonly args: readonly string[];

  constructor(code: EngineErrorCode, args: readonly string[], options?: { cause?: unknown }) {
    let index = 0;
    // As every Vigil message: the code first.
    super(`${code}: ${ENGINE_ERRORS[code].replace(/%s/g, () => args[index++] ?? '')}`, options);
    this.name = 'VigilEngineError';
    this.code = code;
    this.args = [...args];
  }
}
