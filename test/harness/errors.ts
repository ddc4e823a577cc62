// Error catalogue of the test harness. Codes are stable and never reused.

export type HarnessErrorCode =
  | 'VIGIL_ERR_HARNESS_DOCKER_UNREACHABLE'
  | 'VIGIL_ERR_HARNESS_DOCKER_COMMAND'
  | 'VIGIL_ERR_HARNESS_NATS_BINARY'
  | 'VIGIL_ERR_HARNESS_NATS_START'
  | 'VIGIL_ERR_HARNESS_PREFIX'
  | 'VIGIL_ERR_HARNESS_BUILD';

export class HarnessError extends Error {
  override readonly name = 'HarnessError';

  constructor(
    readonly code: HarnessErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
