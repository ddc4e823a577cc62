import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { alertToJSON, decodeAlert, subjects } from '../../proto/src/index.js';
import { alertLine } from './format.js';

export type AlertFormat = 'pretty' | 'json';

export function parseAlertFormat(value: string | undefined): AlertFormat {
  if (value === undefined || value === 'pretty' || value === 'json') return value ?? 'pretty';
  throw new Error(`--format must be pretty or json (actual: ${value})`);
}

/** Subscribes to alerts and writes each to stdout: one JSON object per line, or one readable line. */
export function printAlerts(nc: NatsConnection, options: { subject?: string; format: AlertFormat; onError?: (e: unknown) => void }): Subscription {
  const colour = options.format === 'pretty' && process.stdout.isTTY === true;
  return nc.subscribe(options.subject ?? subjects.allAlerts, {
    callback: (error, msg) => {
      if (error) {
        options.onError?.(error);
        return;
      }
      try {
        const alert = alertToJSON(decodeAlert(msg.data));
        process.stdout.write(options.format === 'json' ? JSON.stringify(alert) + '\n' : alertLine(alert, colour) + '\n');
      } catch (decodeError) {
        options.onError?.(decodeError);
      }
    },
  });
}
