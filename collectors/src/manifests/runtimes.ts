/**
 * RuntimeClass and runtime names that run containers under their own kernel
 * (gVisor, Kata). A manifest names a RuntimeClass, not a handler, so the
 * common class names are listed alongside the handlers.
 */
export const DEFAULT_SANDBOXED_RUNTIMES: readonly string[] = ['gvisor', 'runsc', 'kata', 'kata-qemu', 'kata-fc', 'kata-clh'];

export function isSandboxedRuntime(runtime: string, sandboxed: readonly string[] = DEFAULT_SANDBOXED_RUNTIMES): boolean {
  return runtime !== '' && sandboxed.includes(runtime);
}
