import type { NatsConnection } from '@nats-io/nats-core';
import os from 'node:os';
import { encodeEngineStatus, startStatusBeat, statusSubjects } from '../../../proto/src/index.js';
import type { RunningEngine } from '../engine.js';

/** A replica's name: its host and process, unique while both live. */
export const replicaName = (): string => `${os.hostname()}-${process.pid}`;

/**
 * Publishes the replica's heartbeat on `vigil.status.engine.<replica>` every
 * interval (core NATS, not stored): what it serves and what it has judged, so
 * the console can list the replicas that are alive.
 */
export function startHeartbeat(nc: NatsConnection, engine: RunningEngine, options: { replica?: string; intervalMs?: number } = {}): { stop(): void } {
  const replica = options.replica ?? replicaName();
  const startedAtMs = Date.now();
  const payload = (): Uint8Array => {
    const stats = engine.stats();
    return encodeEngineStatus({
      replica,
      host: os.hostname(),
      at_ms: Date.now(),
      started_at_ms: startedAtMs,
      bundles: engine.bundles().map((b) => `${b.name}@${b.revision}`),
      shadows: engine.shadows().map((s) => `${s.bundle}@${s.revision}`),
      facts: stats.facts,
      alerts: stats.alerts,
      dead_letters: stats.deadLetters,
      workers: stats.workers,
      in_flight: stats.inFlight,
      worker_restarts: stats.workerRestarts,
      timeouts: stats.timeouts,
    });
  };
  return startStatusBeat(nc, statusSubjects.engine(replica), payload, options.intervalMs ? { intervalMs: options.intervalMs } : {});
}
