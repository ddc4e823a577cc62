import path from 'node:path';
import { isSandboxRuntime } from '../sandbox-runtime.js';
import type { EngineInfo } from './engine-api.js';
import type { RuntimeInfoInit, RuntimeSetting } from './types.js';


/** gVisor (runsc) and Kata Containers put a kernel boundary between container and host. */
export function isSandboxed(name: string, runtimePath: string, runtimeType = ''): boolean {
  return isSandboxRuntime(name) || isSandboxRuntime(path.basename(runtimePath)) || isSandboxRuntime(runtimeType);
}

/**
 * The OCI runtimes dockerd can use, sorted by name: as the engine reports them
 * when it answers, otherwise the configured ones plus the built-in runc.
 */
export function runtimeList(configured: Record<string, RuntimeSetting> | undefined, engine?: EngineInfo): RuntimeInfoInit[] {
  const entries: Array<[string, string, string]> = [];
  if (engine?.Runtimes !== undefined) {
    for (const [name, runtime] of Object.entries(engine.Runtimes)) {
      entries.push([name, runtime.path ?? runtime.runtimeType ?? '', runtime.runtimeType ?? '']);
    }
  } else {
    const all: Record<string, RuntimeSetting> = { runc: { path: 'runc' }, ...configured };
    for (const [name, runtime] of Object.entries(all)) entries.push([name, runtime.path, '']);
  }
  return entries
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, runtimePath, runtimeType]) => ({ name, path: runtimePath, sandboxed: isSandboxed(name, runtimePath, runtimeType) }));
}
