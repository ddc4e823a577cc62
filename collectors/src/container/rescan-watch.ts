import { CollectorError } from '../errors.js';
import type { ContainerEvent, ContainerListing, ContainerWatch } from './types.js';

/**
 * Watching for sources without an event stream: list every `intervalMs` and
 * report what differs from the previous listing. The first listing reports
 * every container as `create`; a changed fact as `change`; a container no
 * longer listed as `destroy`. A failing container is reported once per
 * distinct message, and it is not taken for destroyed.
 */
export function watchByRescan(
  list: () => Promise<ContainerListing>,
  intervalMs: number,
  onEvent: (event: ContainerEvent) => void,
  onError: (error: Error) => void,
): ContainerWatch {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const known = new Map<string, string>();
  const reported = new Map<string, string>();
  const emit = (event: ContainerEvent): void => {
    if (stopped) return;
    try {
      onEvent(event);
    } catch (error) {
      onError(error instanceof Error ? error : new Error(String(error)));
    }
  };
  const rescan = async (): Promise<void> => {
    const { facts, failures } = await list();
    if (stopped) return;
    const now = Date.now();
    const seen = new Set<string>();
    for (const failure of failures) {
      seen.add(failure.id);
      if (reported.get(failure.id) === failure.message) continue;
      reported.set(failure.id, failure.message);
      onError(Object.assign(new Error(failure.message), { code: failure.code, path: failure.path }));
    }
    for (const fact of facts) {
      const id = fact.id ?? '';
      seen.add(id);
      reported.delete(id);
      const fingerprint = JSON.stringify(fact);
      const before = known.get(id);
      if (before === fingerprint) continue;
      known.set(id, fingerprint);
      emit({ action: before === undefined ? 'create' : 'change', id, fact, time_ms: now });
    }
    for (const id of [...known.keys()]) {
      if (seen.has(id)) continue;
      known.delete(id);
      emit({ action: 'destroy', id, time_ms: now });
    }
    for (const id of [...reported.keys()]) if (!seen.has(id)) reported.delete(id);
  };
  const tick = (): void => {
    running = rescan().catch((error: unknown) => {
      if (!stopped) onError(error instanceof Error ? error : new Error(String(error)));
    });
  };
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new CollectorError('VIGIL_ERR_CONTAINER_CONFIG', ['rescan interval > 0', String(intervalMs)]);
  }
  tick();
  const timer = setInterval(() => {
    void running.then(() => {
      if (!stopped) tick();
    });
  }, intervalMs);
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
