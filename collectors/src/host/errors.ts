/**
 * The host collector's error catalogue. Codes are stable and never reused.
 * Everything the host collector meets on a real machine (a missing file, an
 * unreachable socket, a malformed daemon.json) is an expected failure: it
 * becomes one of these strings in `errors` and collection carries on.
 */
export const HOST_ERRORS = {
  VIGIL_ERR_HOST_READ: 'cannot read %s: %s',
  VIGIL_ERR_HOST_DAEMON_JSON_MALFORMED:
    '%s is not a valid daemon.json (%s): Docker defaults are reported instead; fix the file, dockerd refuses to start with it',
  VIGIL_ERR_HOST_DAEMON_JSON_FIELD: '%s: expected %s for "%s" (actual: %s); the value is ignored',
  VIGIL_ERR_HOST_DOCKERD_NOT_FOUND:
    'no dockerd process under %s: command-line flags are unknown; mount the host /proc (or run with --pid=host)',
  VIGIL_ERR_HOST_FLAG: 'dockerd flag %s: %s',
  VIGIL_ERR_HOST_DOCKER_API:
    'Docker Engine API at %s not usable (%s): values the engine reports (version, runtimes, security options) are guessed from files',
  VIGIL_ERR_HOST_DOCKER_ABSENT:
    'Docker is not installed under %s (no dockerd, daemon.json, socket or /var/lib/docker): the host is judged without a Docker daemon',
  VIGIL_ERR_HOST_UNEXPECTED: 'host collector step "%s" failed unexpectedly: %s',
} as const;

export type HostErrorCode = keyof typeof HOST_ERRORS;

/** Formats one catalogue entry as the `CODE: message` string collected in `errors`. */
export function hostError(code: HostErrorCode, ...args: string[]): string {
  let index = 0;
  const message = HOST_ERRORS[code].replace(/%s/g, () => args[index++] ?? '');
  return `${code}: ${message}`;
}

/** A short reason for a caught error: its errno code when it has one, else its message. */
export function reason(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${code} ${error.message}` : error.message;
  }
  return String(error);
}
