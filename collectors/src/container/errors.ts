/**
 * The container collector's error catalogue. Codes are stable and never reused;
 * each message says what to do about it.
 *
 * A container that cannot be read (a half-written config.v2.json, a container
 * removed mid-listing) is an expected failure: it becomes a `ContainerFailure`
 * value and the other containers are still listed. A source that cannot be
 * used at all (no socket, an engine too old) rejects with a
 * `ContainerCollectorError`, which the collector logs and retries.
 */
export const CONTAINER_ERRORS = {
  VIGIL_ERR_CONTAINER_DOCKER_UNREACHABLE:
    'Docker Engine API at %s is not reachable (%s): check that dockerd runs and the socket is mounted into the collector',
  VIGIL_ERR_CONTAINER_DOCKER_TIMEOUT:
    'Docker Engine API at %s did not answer %s within %s ms: the daemon is overloaded or hung; raise timeoutMs if it is merely slow',
  VIGIL_ERR_CONTAINER_DOCKER_HTTP: 'Docker Engine API at %s answered %s %s with HTTP %s: %s',
  VIGIL_ERR_CONTAINER_DOCKER_RESPONSE: 'Docker Engine API at %s answered %s with a body that is not the expected JSON (%s)',
  VIGIL_ERR_CONTAINER_DOCKER_API_VERSION:
    'Docker Engine API at %s speaks API %s, older than the oldest this collector understands (%s): upgrade Docker',
  VIGIL_ERR_CONTAINER_DISK_ROOT:
    'cannot list %s (%s): mount the host Docker root read-only into the collector (e.g. -v /var/lib/docker:/host/var/lib/docker:ro) and set hostRoot',
  VIGIL_ERR_CONTAINER_DISK_READ: 'cannot read %s: %s',
  VIGIL_ERR_CONTAINER_DISK_MALFORMED:
    '%s is not valid container state (%s): the file may be mid-write; it is read again on the next scan',
  VIGIL_ERR_CONTAINER_OCI_MALFORMED: '%s is not a valid OCI runtime spec (%s)',
  VIGIL_ERR_CONTAINER_CONFIG: 'invalid container collector configuration: expected %s (actual: %s)',
} as const;

export type ContainerErrorCode = keyof typeof CONTAINER_ERRORS;

export function containerErrorMessage(code: ContainerErrorCode, ...args: string[]): string {
  let index = 0;
  return CONTAINER_ERRORS[code].replace(/%s/g, () => args[index++] ?? '');
}

export class ContainerCollectorError extends Error {
  readonly code: ContainerErrorCode;

  constructor(code: ContainerErrorCode, args: readonly string[], options?: { cause?: unknown }) {
    super(`${code}: ${containerErrorMessage(code, ...args)}`, options);
    this.name = 'ContainerCollectorError';
    this.code = code;
  }
}

/** A short reason for a caught error: its errno code when it has one, else its message. */
export function reason(error: unknown): string {
  if (error instanceof ContainerCollectorError) return error.message;
  // Not `instanceof Error`: errors from Node's internals may come from another realm.
  if (typeof error === 'object' && error !== null && typeof (error as Error).message === 'string') {
    const { message } = error as Error;
    const code = (error as NodeJS.ErrnoException).code;
    return typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
  }
  return String(error);
}
