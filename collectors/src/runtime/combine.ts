import type { RuntimeEventHandler } from './events.js';
import type { RuntimeSource } from './source.js';

/**
 * Several sources as one (eBPF for the host kernel plus gVisor's monitoring for
 * what runs inside sandboxes). Starts them all; one that cannot start is left
 * out and reported through `onError`, unless none starts.
 */
export function combineSources(sources: readonly RuntimeSource[], onError?: (source: RuntimeSource, error: unknown) => void): RuntimeSource {
  let started: RuntimeSource[] = [];
  return {
    name: sources.map((s) => s.name).join('+'),
    async start(onEvent: RuntimeEventHandler): Promise<void> {
      const results = await Promise.allSettled(sources.map((s) => s.start(onEvent)));
      started = sources.filter((_, i) => results[i]!.status === 'fulfilled');
      results.forEach((r, i) => r.status === 'rejected' && onError?.(sources[i]!, r.reason));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (started.length === 0 && failed) throw failed.reason;
    },
    async stop(): Promise<void> {
      await Promise.allSettled(started.map((s) => s.stop()));
    },
    lost: () => started.reduce((sum, s) => sum + (s.lost?.() ?? 0), 0),
  };
}
