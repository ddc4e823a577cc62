import pino, { type Logger } from 'pino';

/** Logs go to stderr so that stdout carries only results (alerts, scan output). */
export function createLogger(level = process.env.VIGIL_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { app: 'vigil' } }, pino.destination(2));
}
