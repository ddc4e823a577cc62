import type { ContainerFactInit } from '../../../proto/src/index.js';
import type { FactSink } from '../sink.js';
import { CollectorError, reason } from '../errors.js';
import type { ContainerEvent, ContainerLogger, ContainerSource, ContainerWatch } from './types.js';

export const DEFAULT_CONTAINER_INTERVAL_MS = 5 * 60_000;

export interface ContainerCollectorOptions {
  sources: readonly ContainerSource[];
  sink: FactSink;
  /** Every container is published again this often, changed or not. */
  intervalMs?: number;
  logger?: ContainerLogger;
}

export interface ContainerCollector {
  stop(): Promise<void>;
}

const SILENT: ContainerLogger = { info() {}, warn() {}, error() {}, debug() {} };

/**
 * Publishes every container's fact on start, again when a source reports a
 * change (only when the fact really differs from the last one published for
 * that container), exec facts as they come, and everything every `intervalMs`.
 * Nothing a source or the sink does makes it throw: failures are logged.
 */
export function startContainerCollector(options: ContainerCollectorOptions): ContainerCollector {
  const { sources, sink } = options;
  const intervalMs = options.intervalMs ?? DEFAULT_CONTAINER_INTERVAL_MS;
  const logger = options.logger ?? SILENT;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new CollectorError('VIGIL_ERR_CONTAINER_CONFIG', ['intervalMs > 0', String(options.intervalMs)]);
  }

  let stopped = false;
  const inFlight = new Set<Promise<void>>();
  const published = new Map<string, string>(); // `${source}/${id}` → fingerprint
  const watches: ContainerWatch[] = [];

  // A source that keeps failing the same way (no Docker on this host) is reported once, and again when it changes or recovers.
  const lastFailure = new Map<string, string>();
  const failed = (level: 'warn' | 'error', key: string, details: { source: string; err: string }, message: string): void => {
    if (lastFailure.get(key) === details.err) return;
    lastFailure.set(key, details.err);
    logger[level](details, `${message} (reported again only when it changes)`);
  };
  const recovered = (key: string, source: string): void => {
    if (lastFailure.delete(key)) logger.info({ source }, 'container source readable again');
  };

  const track = (work: Promise<void>): void => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  const publish = async (source: ContainerSource, fact: ContainerFactInit, force: boolean): Promise<void> => {
    const key = `${source.name}/${fact.id ?? ''}`;
    const fingerprint = JSON.stringify(fact);
    if (!force && published.get(key) === fingerprint) return;
    published.set(key, fingerprint);
    try {
      await sink.publish({ container: fact });
    } catch (error) {
      published.delete(key); // publish again on the next chance
      logger.error({ source: source.name, container: fact.id, err: reason(error) }, 'container fact not published');
    }
  };

  const publishExec = async (source: ContainerSource, fact: ContainerFactInit): Promise<void> => {
    try {
      await sink.publish({ container: fact });
    } catch (error) {
      logger.error({ source: source.name, container: fact.id, err: reason(error) }, 'exec fact not published');
    }
  };

  const sweep = async (source: ContainerSource, force: boolean): Promise<void> => {
    try {
      const { facts, failures } = await source.list();
      for (const failure of failures) {
        logger.warn({ source: source.name, container: failure.id, path: failure.path, code: failure.code, err: failure.message }, 'container not read');
      }
      const ids = new Set(facts.map((fact) => `${source.name}/${fact.id ?? ''}`));
      for (const key of [...published.keys()]) {
        if (key.startsWith(`${source.name}/`) && !ids.has(key) && !failures.some((f) => key === `${source.name}/${f.id}`)) {
          published.delete(key);
        }
      }
      for (const fact of facts) {
        if (stopped) return;
        await publish(source, fact, force);
      }
      recovered(`list/${source.name}`, source.name);
      logger.debug({ source: source.name, containers: facts.length, failures: failures.length }, 'containers listed');
    } catch (error) {
      failed('error', `list/${source.name}`, { source: source.name, err: reason(error) }, 'container listing failed');
    }
  };

  const onEvent = (source: ContainerSource, event: ContainerEvent): void => {
    if (stopped) return;
    logger.debug({ source: source.name, action: event.action, container: event.id }, 'container event');
    if (event.action === 'resync') {
      track(sweep(source, false));
      return;
    }
    if (event.action === 'destroy') {
      published.delete(`${source.name}/${event.id}`);
      return;
    }
    if (!event.fact) return;
    if (event.action === 'exec_create' || event.action === 'exec_start') track(publishExec(source, event.fact));
    else track(publish(source, event.fact, false));
  };

  for (const source of sources) {
    // Not forced: whatever the watch's first report already published is not sent twice.
    track(sweep(source, false));
    if (source.watch) {
      try {
        watches.push(
          source.watch(
            (event) => onEvent(source, event),
            (error) => failed('warn', `watch/${source.name}`, { source: source.name, err: reason(error) }, 'container watch'),
          ),
        );
      } catch (error) {
        logger.error({ source: source.name, err: reason(error) }, 'container watch not started');
      }
    }
  }
  const timer = setInterval(() => {
    for (const source of sources) track(sweep(source, true));
  }, intervalMs);

  return {
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await Promise.allSettled(watches.map((watch) => watch.stop()));
      await Promise.allSettled([...inFlight]);
      await Promise.allSettled(sources.map((source) => source.close?.()));
    },
  };
}
