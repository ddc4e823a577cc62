import os from 'node:os';
import { VigilEngineError } from '../errors.js';

/** How the engine runs its policy workers, as given by options or the environment. */
export interface PoolSettings {
  /** Worker threads, each with its own WASM instance (VIGIL_ENGINE_WORKERS). */
  workers?: number;
  /** Deadline of one task in a worker, ms (VIGIL_ENGINE_EVAL_TIMEOUT_MS). */
  evaluationTimeoutMs?: number;
  /** WASM memory cap per worker, MiB (VIGIL_ENGINE_WASM_MEMORY_MB). */
  maxMemoryMb?: number;
  /** Tasks handed to one worker at a time (1 running, the rest queued). */
  maxInFlightPerWorker?: number;
}

export type ResolvedPoolSettings = Required<PoolSettings>;

/**
 * One worker per core but one, for the thread that talks to NATS; at least one.
 * Measured with `npm run bench -- --only engine-vs-wasm` (see docs/benchmarks.md).
 */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(8, os.availableParallelism() - 1));
}

/** `option ?? env ?? default`, validated in one place. */
export function resolvePoolSettings(options: PoolSettings, env: NodeJS.ProcessEnv = process.env): ResolvedPoolSettings {
  return {
    workers: whole('workers', options.workers ?? fromEnv(env, 'VIGIL_ENGINE_WORKERS') ?? defaultWorkers(), 1, 256),
    evaluationTimeoutMs: whole('evaluationTimeoutMs', options.evaluationTimeoutMs ?? fromEnv(env, 'VIGIL_ENGINE_EVAL_TIMEOUT_MS') ?? 10_000, 10, 3_600_000),
    maxMemoryMb: whole('maxMemoryMb', options.maxMemoryMb ?? fromEnv(env, 'VIGIL_ENGINE_WASM_MEMORY_MB') ?? 256, 1, 4_096),
    maxInFlightPerWorker: whole('maxInFlightPerWorker', options.maxInFlightPerWorker ?? 2, 1, 64),
  };
}

/** 64 KiB WASM pages in `mb` MiB. */
export const pagesOf = (mb: number): number => mb * 16;

function fromEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new VigilEngineError('VIGIL_ERR_CONFIG', [`${name} to be a number`, raw]);
  return value;
}

function whole(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new VigilEngineError('VIGIL_ERR_CONFIG', [`${name} to be a whole number from ${min} to ${max}`, String(value)]);
  }
  return value;
}
