import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;

/**
 * Spawns a helper (bpftrace, nats-server, a relay) that lives only as long as
 * Vigil: in a process group of its own, so a Ctrl-C at the terminal reaches
 * Vigil alone and Vigil stops its helpers in order after draining, and killed
 * when Vigil's process exits without having stopped it.
 */
export const spawnOwned = ((command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess => {
  const child = spawn(command, args, { ...options, detached: true });
  if (!hooked) {
    hooked = true;
    process.on('exit', killOwned);
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  return child;
  // Typed as spawn itself, so callers keep the stdio types of their options.
}) as typeof spawn;

/** SIGKILLs every helper still running (synchronous: it runs in the process's 'exit' event). */
export function killOwned(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
  live.clear();
}
