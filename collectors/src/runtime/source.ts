import type { RuntimeEventHandler } from './events.js';

/**
 * One adapter per way of watching processes (eBPF, procfs, Falco, Tetragon).
 * `start` resolves once the source is watching (probes attached, first scan
 * done) and rejects if it cannot watch at all. Sources never block on the
 * handler: it is called synchronously and must return quickly.
 */
export interface RuntimeSource {
  readonly name: string;
  start(onEvent: RuntimeEventHandler): Promise<void>;
  stop(): Promise<void>;
  /** Events the source itself lost (kernel buffer overflow, malformed lines). */
  lost?(): number;
}

export interface RuntimeLogger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
}

export const silentLogger: RuntimeLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
};
