import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { alertToJSON, decodeAlert, streams, subjects } from '../../proto/src/index.js';
import { alertLine } from './format.js';

export type AlertFormat = 'pretty' | 'json';

export function parseAlertFormat(value: string | undefined): AlertFormat {
  if (value === undefined || value === 'pretty' || value === 'json') return value ?? 'pretty';
  throw new Error(`--format must be pretty or json (actual: ${value})`);
}

export interface AlertPrinter {
  stop(): Promise<void>;
}

/**
 * Writes each alert stored from now on to stdout: one JSON object per line,
 * or one readable line. It reads the alert stream (an ordered consumer), not
 * the core subject: the stream keeps one copy of each alert, where a core
 * subscriber also sees what the stream dropped as a duplicate.
 */
export async function printAlerts(nc: NatsConnection, options: { subject?: string; format: AlertFormat; onError?: (e: unknown) => void }): Promise<AlertPrinter> {
  const colour = options.format === 'pretty' && process.stdout.isTTY === true;
  const consumer = await jetstream(nc).consumers.get(streams.alerts.name, {
    filter_subjects: [options.subject ?? subjects.allAlerts],
    deliver_policy: DeliverPolicy.New,
  });
  const messages = await consumer.consume();
  const done = (async () => {
    for await (const msg of messages) {
      try {
        const alert = alertToJSON(decodeAlert(msg.data));
        process.stdout.write(options.format === 'json' ? JSON.stringify(alert) + '\n' : alertLine(alert, colour) + '\n');
      } catch (decodeError) {
        options.onError?.(decodeError);
      }
    }
  })().catch((error) => options.onError?.(error));
  return {
    async stop() {
      await messages.close();
      await done;
    },
  };
}
