/**
 * The collectors' error catalogue: every code, stable and never reused, with
 * a message that says what to do about it. Messages start with their code.
 *
 * An expected failure that does not stop a collector (a container removed
 * mid-listing, a malformed daemon.json, an unreadable layer) becomes a value
 * carrying the message; one that does (no socket, no usable runtime source)
 * throws a CollectorError.
 */
export const COLLECTOR_ERRORS = {
  // container
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
  // host
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
  // image
  VIGIL_ERR_IMAGE_SOURCE_READ: 'cannot read %s: %s',
  VIGIL_ERR_IMAGE_NOT_AN_IMAGE:
    '%s is neither a docker save archive (manifest.json) nor an OCI image layout (index.json): %s',
  VIGIL_ERR_IMAGE_MANIFEST: 'image manifest %s is not usable: %s',
  VIGIL_ERR_IMAGE_CONFIG: 'image config %s is not a valid image configuration (%s): config, history and ENV secrets are unknown',
  VIGIL_ERR_IMAGE_CONFIG_DIGEST: 'image config %s does not match its digest (computed %s)',
  VIGIL_ERR_IMAGE_LAYER_MISSING: 'layer %s (%s) is referenced by the manifest but missing from the image',
  VIGIL_ERR_IMAGE_LAYER_FORMAT: 'layer %s (%s) is not a readable tar archive: %s; files after this point are unknown',
  VIGIL_ERR_IMAGE_LAYER_TRUNCATED: 'layer %s (%s) ends early: %s; files after this point are unknown',
  VIGIL_ERR_IMAGE_LAYER_COMPRESSION: 'layer %s (%s) uses compression %s, which this collector cannot read',
  VIGIL_ERR_IMAGE_LAYER_BOMB:
    'layer %s (%s) stopped after %s decompressed bytes from %s compressed: %s (possible decompression bomb; raise limits.%s if the image is trusted)',
  VIGIL_ERR_IMAGE_PATH_ESCAPE: 'layer %s (%s) has %s entries whose path leaves the image root (first: %s); they are read as if rooted at /',
  VIGIL_ERR_IMAGE_FILE_TOO_LARGE: 'layer %s (%s): %s is %s bytes, more than the %s bytes read from it; the rest is not scanned',
  VIGIL_ERR_IMAGE_ARCHIVE_TRUNCATED: 'archive %s ends early: %s',
  VIGIL_ERR_IMAGE_DISK_LAYER: 'on-disk layer %s of image %s is not readable: %s',
  VIGIL_ERR_IMAGE_DISK_XATTR:
    'extended attributes of %s are not readable (%s): file capabilities and opaque directories are unknown; install python3 (or getfattr) in the collector',
  VIGIL_ERR_IMAGE_DOCKER_API: 'Docker Engine API: %s',
  VIGIL_ERR_IMAGE_UNEXPECTED: 'scanning %s failed unexpectedly (a bug; please report it): %s',
  VIGIL_ERR_IMAGE_CONFIG_OPTION: 'invalid image collector configuration: expected %s (actual: %s)',
  // manifests
  VIGIL_ERR_MANIFEST_READ: 'cannot read %s: %s',
  VIGIL_ERR_MANIFEST_YAML: '%s, document %s, is not valid YAML: %s',
  VIGIL_ERR_MANIFEST_SHAPE: '%s, document %s: %s',
  VIGIL_ERR_MANIFEST_QUANTITY: '%s, document %s: %s %s is not a valid quantity; it is treated as unset',
  VIGIL_ERR_COMPOSE_SHAPE: '%s: %s',
  VIGIL_ERR_MANIFEST_EXCEPTION: '%s, document %s: %s, vigil.dev/exceptions %s',
  VIGIL_ERR_DOCKERFILE_SYNTAX: '%s, line %s: %s',
  // runtime
  VIGIL_ERR_RUNTIME_NO_SOURCE:
    'no runtime source usable on this host (%s): run as root with bpftrace installed, or mount the host /proc for the procfs fallback',
  VIGIL_ERR_RUNTIME_BPFTRACE_MISSING: 'bpftrace not found at %s: install it (Debian: apt-get install bpftrace) or choose another source',
  VIGIL_ERR_RUNTIME_BPFTRACE_START: 'bpftrace did not start (%s): %s',
  VIGIL_ERR_RUNTIME_BPFTRACE_EXIT: 'bpftrace exited with %s: %s',
  VIGIL_ERR_RUNTIME_TRACEFS: 'tracefs is not mounted and could not be mounted at %s (%s): mount it with `mount -t tracefs nodev %s`',
  VIGIL_ERR_RUNTIME_NOT_ROOT: 'eBPF needs root (or CAP_BPF+CAP_PERFMON+CAP_SYS_RESOURCE); running as uid %s',
  VIGIL_ERR_RUNTIME_PROCFS: 'cannot read %s: %s; mount the host /proc (or run with --pid=host)',
  VIGIL_ERR_RUNTIME_CONFIG: 'runtime collector option %s: expected %s (actual: %s)',
  VIGIL_ERR_RUNTIME_GVISOR_RELAY:
    'the gVisor seccheck relay did not start (%s): it needs python3 (option `python`) to serve the SOCK_SEQPACKET socket runsc connects to',
  // transport
  VIGIL_ERR_OUTBOX_FACT_KIND: 'fact has no kind: set exactly one of container, host, image, process_exec, ...',
  VIGIL_ERR_OUTBOX_FLUSH_TIMEOUT:
    'outbox %s: %s batches still unacknowledged after %s ms (last error: %s); they stay queued and are sent when NATS answers',
  VIGIL_ERR_OUTBOX_CLOSED: 'outbox %s is closed: no more facts are accepted',
  VIGIL_ERR_OUTBOX_UNKNOWN_KIND: 'outbox %s: batch %s holds facts of kind "%s", which this collector does not know; its %s facts are refused, not sent',
} as const;

export type CollectorErrorCode = keyof typeof COLLECTOR_ERRORS;

/** The code's message with its `%s` filled in order, after the code: `VIGIL_ERR_…: …`. */
export function collectorMessage(code: CollectorErrorCode, ...args: readonly (string | number)[]): string {
  let index = 0;
  return `${code}: ${COLLECTOR_ERRORS[code].replace(/%s/g, () => String(args[index++] ?? ''))}`;
}

export class CollectorError extends Error {
  readonly code: CollectorErrorCode;

  constructor(code: CollectorErrorCode, args: readonly (string | number)[] = [], options?: { cause?: unknown }) {
    super(collectorMessage(code, ...args), options);
    this.name = 'CollectorError';
    this.code = code;
  }
}

/** A short reason for a caught error: its errno code when it has one, then its message. */
export function reason(error: unknown): string {
  // Not `instanceof Error`: errors from Node's internals may come from another realm.
  if (typeof error === 'object' && error !== null && typeof (error as Error).message === 'string') {
    const { message } = error as Error;
    const code = (error as NodeJS.ErrnoException).code;
    return typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
  }
  return String(error);
}

/** A problem met while scanning an image: the scan goes on and reports it beside the fact. */
export interface ImageScanError {
  code: CollectorErrorCode;
  message: string;
  /** Layer index (0 = base) when the problem is in one layer. */
  layer?: number;
}

export function scanError(code: CollectorErrorCode, args: readonly (string | number)[], layer?: number): ImageScanError {
  return { code, message: collectorMessage(code, ...args), ...(layer === undefined ? {} : { layer }) };
}
