import type { FactSink } from '../sink.js';
import { collectHostFact, type HostCollectOptions } from './collect.js';
import { stableHash } from './stable-hash.js';

export const DEFAULT_HOST_INTERVAL_MS = 60_000;

/** The slice of a pino logger the host collector uses. */
export interface HostLogger {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

const SILENT: HostLogger = { warn: () => undefined, error: () => undefined };

export interface HostCollectorOptions extends HostCollectOptions {
  sink: FactSink;
  /** How often the host is looked at again. Default 60 s. */
  intervalMs?: number;
  logger?: HostLogger;
}

export interface HostCollector {
  /** Stops polling; resolves once a pass in progress has finished. */
  stop(): Promise<void>;
}

/**
 * Publishes `{ host: fact }` now and again whenever the host fact changes
 * (polled every `intervalMs`, compared by a stable hash of its content). A pass
 * that fails (a sink that refuses, a bug) is logged and retried at the next
 * poll; the collector itself never throws.
 */
export function startHostCollector(options: HostCollectorOptions): HostCollector {
  const logger = options.logger ?? SILENT;
  const intervalMs = options.intervalMs ?? DEFAULT_HOST_INTERVAL_MS;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> | undefined;
  let publishedHash: string | undefined;
  let reportedErrors = '';

  async function once(): Promise<void> {
    try {
      const { fact, errors } = await collectHostFact(options);
      const errorsKey = errors.join('\n');
      if (errorsKey !== reportedErrors) {
        reportedErrors = errorsKey;
        if (errors.length > 0) logger.warn({ errors }, 'host collector: some host sources could not be read');
      }
      const hash = stableHash(fact);
      if (hash === publishedHash || stopped) return;
      await options.sink.publish({ host: fact });
      publishedHash = hash;
    } catch (error) {
      logger.error({ err: error }, 'host collector: pass failed, retrying at the next poll');
    }
  }

  function run(): void {
    pass = once().finally(() => {
      pass = undefined;
      if (!stopped) timer = setTimeout(run, intervalMs);
    });
  }

  run();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await pass;
    },
  };
}
