import pino, { type Logger } from 'pino';
import { config } from './config.js';

/** Logs go to stderr so that stdout carries only results (alerts, scan output). */
export function createLogger(level = config.text('logLevel') ?? 'info'): Logger {
  return pino({ level, base: { app: 'vigil' } }, pino.destination(2));
}
