/**
 * The runtime collector's error catalogue. Codes are stable and never reused.
 * Expected failures (no bpftrace, a container gone before it was looked up)
 * become values or log lines; only misuse throws.
 */
export const RUNTIME_ERRORS = {
  VIGIL_ERR_RUNTIME_NO_SOURCE:
    'no runtime source usable on this host (%s): run as root with bpftrace installed, or mount the host /proc for the procfs fallback',
  VIGIL_ERR_RUNTIME_BPFTRACE_MISSING: 'bpftrace not found at %s: install it (Debian: apt-get install bpftrace) or choose another source',
  VIGIL_ERR_RUNTIME_BPFTRACE_START: 'bpftrace did not start (%s): %s',
  VIGIL_ERR_RUNTIME_BPFTRACE_EXIT: 'bpftrace exited with %s: %s',
  VIGIL_ERR_RUNTIME_TRACEFS: 'tracefs is not mounted and could not be mounted at %s (%s): mount it with `mount -t tracefs nodev %s`',
  VIGIL_ERR_RUNTIME_NOT_ROOT: 'eBPF needs root (or CAP_BPF+CAP_PERFMON+CAP_SYS_RESOURCE); running as uid %s',
  VIGIL_ERR_RUNTIME_PROCFS: 'cannot read %s: %s; mount the host /proc (or run with --pid=host)',
  VIGIL_ERR_RUNTIME_ADAPTER_LINE: '%s line not understood (%s)',
  VIGIL_ERR_RUNTIME_CONFIG: 'runtime collector option %s: expected %s (actual: %s)',
  VIGIL_ERR_RUNTIME_GVISOR_RELAY:
    'the gVisor seccheck relay did not start (%s): it needs python3 (option `python`) to serve the SOCK_SEQPACKET socket runsc connects to',
} as const;

export type RuntimeErrorCode = keyof typeof RUNTIME_ERRORS;

export class RuntimeError extends Error {
  constructor(
    readonly code: RuntimeErrorCode,
    args: string[],
    options?: { cause?: unknown },
  ) {
    let index = 0;
    super(`${code}: ${RUNTIME_ERRORS[code].replace(/%s/g, () => args[index++] ?? '')}`, options);
    this.name = 'RuntimeError';
  }
}

/** A short reason for a caught error: its errno code when it has one, else its message. */
export function reason(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${code} ${error.message}` : error.message;
  }
  return String(error);
}
