/** CLI usage errors: printed without a stack, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

/** The CLI's own error catalogue (the engine's and collectors' errors pass through as they are). */
export const CLI_ERRORS = {
  VIGIL_ERR_CLI_TOOL_MISSING: '%s is not installed: %s',
  VIGIL_ERR_CLI_APPARMOR_COMPILE: 'the generated AppArmor profile %s does not compile: %s',
  VIGIL_ERR_CLI_EXPORT: 'cannot export %s as %s: %s',
  VIGIL_ERR_CLI_FACT_FILE: 'fact file %s: %s',
  VIGIL_ERR_CLI_ARCHIVE: 'cannot read the fact archive %s: %s',
  VIGIL_ERR_CLI_NO_ARCHIVE:
    '%s is a work queue (created before Vigil kept judged facts), so it holds no archive: delete it while no collector publishes (`nats stream rm %s`) and let the engine create it again',
} as const;

export type CliErrorCode = keyof typeof CLI_ERRORS;

/** An expected CLI failure: printed without a stack, exit code 2. */
export class CliError extends Error {
  readonly code: CliErrorCode;

  constructor(code: CliErrorCode, args: readonly string[]) {
    let index = 0;
    super(`${code}: ${CLI_ERRORS[code].replace(/%s/g, () => args[index++] ?? '')}`);
    this.name = 'CliError';
    this.code = code;
  }
}
