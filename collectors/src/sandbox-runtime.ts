const SANDBOX_RUNTIME = /(^|[./-])(runsc|gvisor|kata)([./-]|$)/i;

/**
 * gVisor (runsc) and Kata Containers put a kernel boundary between container
 * and host. Matches a runtime name, path or shim type naming one of them as a
 * whole word: `runsc`, `io.containerd.runsc.v1`, `kata-qemu`, `/usr/bin/runsc`.
 */
export function isSandboxRuntime(runtime: string): boolean {
  return SANDBOX_RUNTIME.test(runtime);
}
