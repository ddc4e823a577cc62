import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { alertToJSON, decodeAlert, streams, type AlertJSON } from '../../../proto/src/index.js';
import { VigilEngineError } from '../errors.js';
import { compileFilter, type OutputFilter } from './filter.js';
import { DeliveryError, type AlertOutput } from './output.js';

export interface ForwardTarget {
  /** Names the durable consumer (`vigil-forward-<name>`) that holds where this output is in the stream. */
  name: string;
  output: AlertOutput;
  filter?: OutputFilter;
}

export interface ForwarderLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface ForwarderOptions {
  nc: NatsConnection;
  targets: ForwardTarget[];
  logger: ForwarderLogger;
  /** Alerts taken from the stream, filtered and delivered at a time. Default 100: also the most one crash can deliver twice. */
  batch?: number;
  /** Back-off between attempts of a failing delivery: doubling from the first to the last. Default 1 s to 60 s. */
  retryMs?: { first: number; max: number };
}

export interface ForwarderStats {
  delivered: number;
  filtered: number;
  failures: number;
  /** Alerts an output refused for good (a 4xx): logged and skipped, so one bad alert does not stop the output. */
  rejected: number;
}

export interface RunningForwarder {
  stats(name: string): ForwarderStats | undefined;
  /** Stops taking alerts; a batch being delivered is left unacknowledged, so it is delivered again next time. */
  stop(): Promise<void>;
}

const ACK_WAIT_MS = 30_000;

/**
 * Delivers alerts from the VIGIL_ALERTS stream to outputs, at least once.
 * Each output has its own durable consumer, so where it is survives a restart
 * (nothing lost, nothing replayed from the start) and a slow or failing output
 * holds back only itself. A batch is acknowledged after its output took it; a
 * failing one is tried again with back-off, in order, kept alive meanwhile.
 * A new output starts at the stream's end.
 */
export async function startForwarder(options: ForwarderOptions): Promise<RunningForwarder> {
  const jsm = await jetstreamManager(options.nc);
  const js = jetstream(options.nc);
  const batch = options.batch ?? 100;
  const retry = options.retryMs ?? { first: 1_000, max: 60_000 };
  const stopping = new AbortController();
  const stats = new Map<string, ForwarderStats>();
  const loops: Promise<void>[] = [];

  for (const target of options.targets) {
    const durable = `vigil-forward-${target.name}`;
    try {
      await jsm.consumers.info(streams.alerts.name, durable).catch(() =>
        jsm.consumers.add(streams.alerts.name, {
          durable_name: durable,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.New,
          ack_wait: ACK_WAIT_MS * 1_000_000,
          max_ack_pending: batch,
        }),
      );
    } catch (error) {
      throw new VigilEngineError('VIGIL_ERR_FORWARD_STREAM', [streams.alerts.name, (error as Error).message], { cause: error });
    }
    const consumer = await js.consumers.get(streams.alerts.name, durable);
    const matches = compileFilter(target.filter ?? {});
    const counts: ForwarderStats = { delivered: 0, filtered: 0, failures: 0, rejected: 0 };
    stats.set(target.name, counts);
    const log = { output: target.name, to: target.output.describe };
    options.logger.info(log, 'forwarding alerts');

    // Messages arrive by callback and are delivered in batches of what has come: no batch waits for a full one.
    const pending: JsMsg[] = [];
    let wake: (() => void) | undefined;
    const stream = await consumer.consume({
      max_messages: batch,
      callback: (m) => {
        pending.push(m);
        wake?.();
      },
    });
    loops.push(
      (async () => {
        while (!stopping.signal.aborted) {
          if (pending.length === 0) {
            await new Promise<void>((resolve) => {
              wake = resolve;
              stopping.signal.addEventListener('abort', () => resolve(), { once: true });
            });
            wake = undefined;
            continue;
          }
          const messages = pending.splice(0, batch);
          const chosen: AlertJSON[] = [];
          for (const m of messages) {
            let alert: AlertJSON;
            try {
              alert = alertToJSON(decodeAlert(m.data));
            } catch {
              continue; // not an alert: nothing to deliver
            }
            if (matches(alert, m.subject)) chosen.push(alert);
            else counts.filtered++;
          }
          if (!(await deliverWithRetry(target, chosen, messages, counts, retry, stopping.signal, options.logger))) {
            pending.unshift(...messages);
            break;
          }
          for (const m of messages) m.ack();
        }
        await stream.close().catch(() => undefined);
        // Taken and not delivered: back to the stream for the next forwarder, now rather than after the ack wait.
        for (const m of pending.splice(0)) m.nak();
      })(),
    );
  }

  return {
    stats: (name) => stats.get(name),
    async stop() {
      stopping.abort();
      await Promise.allSettled(loops);
      await Promise.allSettled(options.targets.map((t) => t.output.close()));
    },
  };
}

/** True once the output took the batch (or refused it for good); false when stopped first. */
async function deliverWithRetry(
  target: ForwardTarget,
  alerts: AlertJSON[],
  messages: JsMsg[],
  counts: ForwarderStats,
  retry: { first: number; max: number },
  stop: AbortSignal,
  logger: ForwarderLogger,
): Promise<boolean> {
  if (alerts.length === 0) return true;
  const keepAlive = setInterval(() => {
    for (const m of messages) m.working();
  }, ACK_WAIT_MS / 3);
  try {
    let wait = retry.first;
    for (let attempt = 1; ; attempt++) {
      if (stop.aborted) return false;
      try {
        await target.output.deliver(alerts);
        counts.delivered += alerts.length;
        if (attempt > 1) logger.info({ output: target.name, attempts: attempt }, 'output reachable again');
        return true;
      } catch (error) {
        counts.failures++;
        const retryable = !(error instanceof DeliveryError) || error.retryable;
        if (!retryable) {
          counts.rejected += alerts.length;
          logger.error({ output: target.name, alerts: alerts.map((a) => a.alert_id), err: (error as Error).message }, 'output refused these alerts; skipping them');
          return true;
        }
        logger.warn({ output: target.name, attempt, retryInMs: wait, err: (error as Error).message }, 'delivery failed; trying again');
        await sleep(wait, stop);
        wait = Math.min(wait * 2, retry.max);
      }
    }
  } finally {
    clearInterval(keepAlive);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
