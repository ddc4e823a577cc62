import type { NatsConnection } from '@nats-io/nats-core';
import { encodeAgentStatus, startStatusBeat, statusSubjects, type AgentStatusInit } from '../../proto/src/index.js';
import type { RuntimeCollectorStats } from './runtime/index.js';
import type { OutboxStats } from './transport/fact-sink.js';

/** One collector of the agent, as its heartbeat reports it. */
export interface CountedCollector {
  name: string;
  outbox(): OutboxStats;
  runtime?: () => RuntimeCollectorStats;
}

export interface AgentStatusOptions {
  nc: NatsConnection;
  host: string;
  version: string;
  collectors: () => readonly CountedCollector[];
  intervalMs?: number;
}

/** The heartbeat of an agent now: each collector's outbox and, for runtime, its source's counters. */
export function agentStatusOf(options: Omit<AgentStatusOptions, 'nc' | 'intervalMs'>, startedAtMs: number, now = Date.now()): AgentStatusInit {
  return {
    host: options.host,
    version: options.version,
    at_ms: now,
    started_at_ms: startedAtMs,
    collectors: options.collectors().map((c) => {
      const outbox = c.outbox();
      const runtime = c.runtime?.();
      return {
        collector: c.name,
        published: outbox.published,
        // The outbox drops what does not fit; the runtime pipeline drops before the outbox.
        dropped: outbox.dropped + (runtime?.dropped ?? 0),
        rate_limited: runtime?.rateLimited ?? 0,
        retries: outbox.retries,
        outbox_batches: outbox.queuedBatches,
        outbox_bytes: outbox.queuedBytes,
        source: runtime?.source ?? '',
        source_lost: runtime?.sourceLost ?? 0,
        received: runtime?.received ?? 0,
      };
    }),
  };
}

/**
 * Publishes the agent's heartbeat on `vigil.status.agent.<host>` every
 * interval, and a last one when it stops.
 */
export function startAgentStatus(options: AgentStatusOptions): { stop(): void } {
  const startedAtMs = Date.now();
  return startStatusBeat(options.nc, statusSubjects.agent(options.host), () => encodeAgentStatus(agentStatusOf(options, startedAtMs)), {
    final: true,
    ...(options.intervalMs ? { intervalMs: options.intervalMs } : {}),
  });
}
