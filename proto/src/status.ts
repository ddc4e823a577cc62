import type { NatsConnection } from '@nats-io/nats-core';
import { vigil } from '../gen/vigil.js';
import { SUBJECT_ROOT, subjectToken } from './subjects.js';

export type AgentStatus = vigil.v1.AgentStatus;
export type AgentStatusInit = vigil.v1.IAgentStatus;
export type EngineStatus = vigil.v1.EngineStatus;
export type EngineStatusInit = vigil.v1.IEngineStatus;

/** How often agents and engines say they are alive; a reader counts one silent for three intervals as gone. */
export const STATUS_INTERVAL_MS = 5_000;

/**
 * Heartbeats: what each agent and engine replica has done, on core NATS (not
 * stored), for the console and anyone watching the fleet.
 */
export const statusSubjects = {
  agent: (host: string): string => `${SUBJECT_ROOT}.status.agent.${subjectToken(host)}`,
  engine: (replica: string): string => `${SUBJECT_ROOT}.status.engine.${subjectToken(replica)}`,
  allAgents: `${SUBJECT_ROOT}.status.agent.>`,
  allEngines: `${SUBJECT_ROOT}.status.engine.>`,
} as const;

export function encodeAgentStatus(status: AgentStatusInit): Uint8Array {
  return vigil.v1.AgentStatus.encode(status).finish();
}

/** Throws when the bytes are not an AgentStatus. */
export function decodeAgentStatus(bytes: Uint8Array): AgentStatus {
  return vigil.v1.AgentStatus.decode(bytes);
}

export function encodeEngineStatus(status: EngineStatusInit): Uint8Array {
  return vigil.v1.EngineStatus.encode(status).finish();
}

/** Throws when the bytes are not an EngineStatus. */
export function decodeEngineStatus(bytes: Uint8Array): EngineStatus {
  return vigil.v1.EngineStatus.decode(bytes);
}

/**
 * Publishes `payload()` on `subject` soon after start and then every
 * interval, on core NATS: a beat lost while NATS is away is simply replaced by
 * the next one. `stop` sends a last one when `final` is set.
 */
export function startStatusBeat(nc: NatsConnection, subject: string, payload: () => Uint8Array, options: { intervalMs?: number; final?: boolean } = {}): { stop(): void } {
  const beat = (): void => {
    if (nc.isClosed()) return;
    try {
      nc.publish(subject, payload());
    } catch {
      // Disconnected or draining: the next beat tries again.
    }
  };
  const first = setTimeout(beat, 250);
  const timer = setInterval(beat, options.intervalMs ?? STATUS_INTERVAL_MS);
  first.unref();
  timer.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(timer);
      if (options.final) beat();
    },
  };
}
