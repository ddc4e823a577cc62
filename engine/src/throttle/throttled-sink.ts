import type { Logger } from 'pino';
import { decodeAlert, encodeAlert, severityName, subjects, type AlertInit, type SeverityName } from '../../../proto/src/index.js';
import type { Publication, ResultGroup, ResultSink } from '../transport/result-sink.js';
import type { AlertLedger } from './ledger.js';
import { throttleKey } from './key.js';
import { createAlertThrottle, type AlertGate, type Occurrence } from './throttle.js';

export interface ThrottledSinkOptions {
  /** 0: every alert passes (and is still published once per message id). */
  windowMs: number;
  maxKeys: number;
  ledger: AlertLedger;
  logger: Logger;
  /** Hears every alert this sink got stored: first alerts, aggregates, recovered aggregates. */
  onAlert?(subject: string): void;
  /** How often open windows' aggregates are checkpointed at most (default 25 ms): what their facts' acks wait for. */
  checkpointEveryMs?: number;
  /** How often checkpoints an engine left behind are looked for (default 10 s). */
  recoverEveryMs?: number;
  /** How long after its end a window counts as orphaned (default 30 s: longer than a publication is retried). */
  orphanAfterMs?: number;
  now?: () => number;
  /** Close windows with a timer (default true). Off: only close() closes them, as a crash would leave them. */
  autoFlush?: boolean;
}

export interface ThrottledSink extends ResultSink {
  readonly gate: AlertGate;
  /** Alerts stored so far. */
  alerts(): number;
  /** Looks for orphaned checkpoints now and publishes them; resolves with how many were stored. */
  recover(): Promise<number>;
}

const ALERT_PREFIX = subjects.allAlerts.slice(0, -1);

const subjectOfAlert = (alert: AlertInit): string =>
  subjects.alerts(severityName(alert.finding?.severity) as SeverityName, alert.finding?.subject?.kind ?? 'unknown', alert.source?.host ?? '');

/** Worker-encoded alerts are decoded only to build an aggregate. */
const occurrenceOfPublication = (publication: Publication): Occurrence => ({
  id: publication.msgId ?? '',
  firstSeen: publication.observedAtMs ?? 0,
  lastSeen: publication.observedAtMs ?? 0,
  count: 1,
  alert: () => decodeAlert(publication.payload),
});

/**
 * Alert throttling as a decorator over a result sink. A key's first alert in
 * a window is claimed in the shared ledger before it is published, so
 * replicas publish one between them however the window's edges fall, and a
 * redelivered fact does not publish it twice. Repeats are counted into the
 * window's aggregate, which is checkpointed in the ledger before their facts
 * are acked; a window's aggregate is published when it closes, and any
 * replica publishes the checkpoint of a window whose engine died.
 */
export function throttledSink(sink: ResultSink, options: ThrottledSinkOptions): ThrottledSink {
  const { ledger, logger, windowMs } = options;
  const now = options.now ?? Date.now;
  const checkpointEveryMs = options.checkpointEveryMs ?? 25;
  const orphanAfterMs = options.orphanAfterMs ?? 30_000;
  let stored = 0;
  const counted = (subject: string): void => {
    stored++;
    options.onAlert?.(subject);
  };
  /** Work on the ledger that close() waits for. */
  const background = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>, what: string): void => {
    const settled = work.catch((error) => logger.warn({ err: error }, `alert ledger: ${what} failed`)).finally(() => background.delete(settled));
    background.add(settled);
  };

  // Open windows' aggregates: marked as repeats are counted, written at most every checkpointEveryMs.
  const dirty = new Map<string, () => AlertInit>();
  /** Windows with a checkpoint this engine will publish or forget itself. */
  const live = new Set<string>();
  const saving = new Map<string, Promise<unknown>>();
  let round: Promise<boolean> | undefined;
  const checkpoint = (): Promise<boolean> =>
    (round ??= new Promise<void>((r) => setTimeout(r, checkpointEveryMs)).then(async () => {
      round = undefined;
      const batch = [...dirty];
      dirty.clear();
      const results = await Promise.allSettled(
        batch.map(([windowId, aggregate]) => {
          const write = (saving.get(windowId) ?? Promise.resolve()).catch(() => undefined).then(() => ledger.save(windowId, encodeAlert(aggregate())));
          saving.set(windowId, write);
          return write;
        }),
      );
      const failed = results.filter((r) => r.status === 'rejected');
      if (failed.length > 0) logger.warn({ err: (failed[0] as PromiseRejectedResult).reason, windows: failed.length }, 'alert ledger: aggregates not checkpointed; their facts are redelivered');
      return failed.length === 0;
    }));
  /** After the window's last checkpoint write, so a late write cannot bring it back. */
  const forget = (windowId: string): void => {
    live.delete(windowId);
    dirty.delete(windowId);
    const after = (saving.get(windowId) ?? Promise.resolve()).catch(() => undefined);
    saving.delete(windowId);
    track(after.then(() => ledger.forget(windowId)), 'dropping a published aggregate');
  };

  const publishAggregate = (alert: AlertInit, windowId: string): void => {
    dirty.delete(windowId);
    const group = sink.group();
    const subject = subjectOfAlert(alert);
    group.publish({ subject, payload: encodeAlert(alert), msgId: alert.id ?? undefined }, (outcome) => {
      if (outcome === 'failed') {
        // Left in the ledger: recovered and published later, by this engine or another.
        live.delete(windowId);
        logger.error({ subject }, 'an aggregate alert was not stored by the alert stream; it is published again from its checkpoint');
        return;
      }
      if (outcome === 'stored') counted(subject);
      forget(windowId);
    });
    group.seal(() => undefined);
  };

  const gate = createAlertThrottle({
    windowMs,
    maxKeys: options.maxKeys,
    autoFlush: options.autoFlush,
    onFlush: publishAggregate,
    onCounted: (windowId, aggregate) => {
      live.add(windowId);
      dirty.set(windowId, aggregate);
    },
    onError: (error) => logger.error({ err: error }, 'cannot publish an aggregate alert'),
  });

  const publishFirst = (key: string, publication: Publication, occurrence: Occurrence, inner: ResultGroup): Promise<boolean> =>
    ledger.claim(key, occurrence.id, now(), windowMs).then(
      ({ claim, published }) => {
        if (claim === 'published') return true;
        if (claim === 'taken') {
          gate.absorb(key, occurrence);
          return checkpoint();
        }
        return publishStored(publication, inner, () => track(published(), 'marking a first alert published'));
      },
      (error) => {
        // Better a copy too many than a first alert lost: the stream still drops a redelivered one by its id.
        logger.warn({ err: error }, 'alert ledger: cannot claim a first alert; publishing it unclaimed');
        return publishStored(publication, inner);
      },
    );

  const publishStored = (publication: Publication, inner: ResultGroup, onStored?: () => void): Promise<boolean> =>
    new Promise((resolve, reject) => {
      try {
        inner.publish(publication, (outcome) => {
          if (outcome === 'stored') counted(publication.subject);
          if (outcome !== 'failed') onStored?.();
          resolve(outcome !== 'failed');
        });
      } catch (error) {
        reject(error);
      }
    });

  const recover = async (): Promise<number> => {
    const orphans = await ledger.orphans(now() - orphanAfterMs, live);
    let recovered = 0;
    await Promise.all(
      orphans.map(async ({ entry, aggregate }) => {
        let alert: AlertInit;
        try {
          alert = decodeAlert(aggregate);
        } catch (error) {
          logger.error({ err: error, entry }, 'alert ledger: an unreadable checkpoint is dropped');
          await ledger.drop(entry);
          return;
        }
        const group = sink.group();
        const ok = await publishStored({ subject: subjectOfAlert(alert), payload: aggregate, msgId: alert.id ?? undefined }, group);
        group.seal(() => undefined);
        if (!ok) return;
        recovered++;
        await ledger.drop(entry);
      }),
    );
    if (recovered > 0) logger.warn({ aggregates: recovered }, 'published the aggregate alerts of an engine that stopped inside their windows');
    return recovered;
  };
  const recovery = setInterval(() => track(recover(), 'recovering orphaned aggregates'), options.recoverEveryMs ?? 10_000);
  recovery.unref();

  return {
    gate,
    alerts: () => stored,
    recover,
    group() {
      const inner = sink.group();
      return {
        publish(publication, outcome) {
          if (!publication.subject.startsWith(ALERT_PREFIX)) {
            inner.publish(publication, outcome);
            return;
          }
          const key = publication.throttleKey ?? throttleKey(decodeAlert(publication.payload));
          const occurrence = occurrenceOfPublication(publication);
          if (windowMs <= 0) {
            inner.hold(publishStored(publication, inner));
          } else if (gate.admitKeyed(key, occurrence)) {
            inner.hold(publishFirst(key, publication, occurrence, inner));
          } else {
            inner.hold(checkpoint());
          }
        },
        hold: (until) => inner.hold(until),
        seal: (settled) => inner.seal(settled),
      };
    },
    async close(timeoutMs) {
      clearInterval(recovery);
      gate.close();
      await sink.close(timeoutMs);
      await Promise.race([Promise.all(background), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    },
  };
}
