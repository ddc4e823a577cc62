import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { alertToJSON, decodeAlert, streams, subjects, type AlertInit } from '../../proto/src/index.js';
import { alertLine } from './format.js';

export type AlertFormat = 'pretty' | 'json';

export function parseAlertFormat(value: string | undefined): AlertFormat {
  if (value === undefined || value === 'pretty' || value === 'json') return value ?? 'pretty';
  throw new Error(`--format: expected pretty or json (actual: ${value})`);
}

export interface AlertPrinter {
  /** Where alerts are read: the alert stream, or the core subject deduplicated by alert id. */
  readonly source: 'stream' | 'subject';
  stop(): Promise<void>;
}

export interface PrintOptions {
  subject?: string;
  format: AlertFormat;
  onError?: (e: unknown) => void;
  /** Told why the stream cannot be read, when the printer falls back to the core subject. */
  onFallback?: (reason: unknown) => void;
  /** Stops waiting for the alert stream to be created (printAlerts then rejects). */
  signal?: AbortSignal;
}

/** How often a printer started before the engine looks for the alert stream again. */
const STREAM_RETRY_MS = 500;

const streamMissing = (error: unknown): boolean => /stream not found/i.test(String((error as Error)?.message ?? error));

/** Alert ids remembered to drop a second copy on the core subject. */
const SEEN_IDS = 100_000;

/**
 * Writes each alert from now on to stdout: one JSON object per line, or one
 * readable line, each alert once. It reads the alert stream (an ordered
 * consumer), which keeps one copy of each alert. An identity that cannot read
 * the stream (an alert subscriber in its own NATS account, without JetStream)
 * reads the core subject instead and drops repeated alert ids. Started before
 * the engine has created the stream, it waits for the stream.
 */
export async function printAlerts(nc: NatsConnection, options: PrintOptions): Promise<AlertPrinter> {
  const colour = options.format === 'pretty' && process.stdout.isTTY === true;
  const subject = options.subject ?? subjects.allAlerts;
  const print = (decoded: AlertInit): void => {
    const alert = alertToJSON(decoded);
    process.stdout.write(options.format === 'json' ? JSON.stringify(alert) + '\n' : alertLine(alert, colour) + '\n');
  };
  let stream;
  // Once it had to wait, whatever the new stream holds came after the printer started.
  let deliver: DeliverPolicy = DeliverPolicy.New;
  for (;;) {
    try {
      const consumer = await jetstream(nc).consumers.get(streams.alerts.name, { filter_subjects: [subject], deliver_policy: deliver });
      stream = await consumer.consume();
      break;
    } catch (error) {
      if (!streamMissing(error)) {
        options.onFallback?.(error);
        return printFromSubject(nc, subject, print, options.onError);
      }
      deliver = DeliverPolicy.All;
      options.signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, STREAM_RETRY_MS));
      options.signal?.throwIfAborted();
    }
  }
  const done = (async () => {
    for await (const msg of stream) {
      try {
        print(decodeAlert(msg.data));
      } catch (decodeError) {
        options.onError?.(decodeError);
      }
    }
  })().catch((error) => options.onError?.(error));
  return {
    source: 'stream',
    async stop() {
      await stream.close();
      await done;
    },
  };
}

function printFromSubject(nc: NatsConnection, subject: string, print: (alert: AlertInit) => void, onError?: (e: unknown) => void): AlertPrinter {
  const seen = new Set<string>();
  const subscription = nc.subscribe(subject, {
    callback: (error, msg) => {
      if (error) {
        onError?.(error);
        return;
      }
      try {
        const alert = decodeAlert(msg.data);
        const id = alert.id ?? '';
        if (id !== '' && seen.has(id)) return;
        print(alert);
        seen.add(id);
        if (seen.size > SEEN_IDS) seen.delete(seen.values().next().value!);
      } catch (decodeError) {
        onError?.(decodeError);
      }
    },
  });
  return {
    source: 'subject',
    async stop() {
      await subscription.drain();
    },
  };
}
