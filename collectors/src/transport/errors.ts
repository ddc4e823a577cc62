/** The fact sink's error catalogue. Codes are stable and never reused. */
export const OUTBOX_ERRORS = {
  VIGIL_ERR_OUTBOX_FACT_KIND: 'fact has no kind: set exactly one of container, host, image, process_exec, ...',
  VIGIL_ERR_OUTBOX_FLUSH_TIMEOUT:
    'outbox %s: %s batches still unacknowledged after %s ms (last error: %s); they stay queued and are sent when NATS answers',
  VIGIL_ERR_OUTBOX_CLOSED: 'outbox %s is closed: no more facts are accepted',
  VIGIL_ERR_OUTBOX_UNKNOWN_KIND: 'outbox %s: batch %s holds facts of kind "%s", which this collector does not know; its %s facts are refused, not sent',
} as const;

export type OutboxErrorCode = keyof typeof OUTBOX_ERRORS;

export class OutboxError extends Error {
  readonly code: OutboxErrorCode;

  constructor(code: OutboxErrorCode, args: readonly string[] = [], options?: { cause?: unknown }) {
    let index = 0;
    super(`${code}: ${OUTBOX_ERRORS[code].replace(/%s/g, () => args[index++] ?? '')}`, options);
    this.name = 'OutboxError';
    this.code = code;
  }
}
