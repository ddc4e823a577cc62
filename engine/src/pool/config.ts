import { readFileSync } from 'node:fs';
import os from 'node:os';
import { VigilEngineError } from '../errors.js';

/** How the engine runs its policy workers (the CLI reads them from options and the environment). */
export interface PoolSettings {
  /** Worker threads, each with its own WASM instance (default: defaultWorkers()). */
  workers?: number;
  /** Deadline of one task in a worker, ms (default 10 s). */
  evaluationTimeoutMs?: number;
  /** WASM memory cap per worker, MiB (default 256). */
  maxMemoryMb?: number;
  /** Tasks handed to one worker at a time (1 running, the rest queued). */
  maxInFlightPerWorker?: number;
}

export type ResolvedPoolSettings = Required<PoolSettings>;

/** A task is at most this many messages and, beyond its first, this many bytes. */
export const TASK_LIMITS = { messages: 16, bytes: 1024 * 1024 } as const;

/**
 * One worker per core but one, for the thread that talks to NATS; at least one,
 * at most 8. Cores are the container's CPU limit when it has one: a pod limited
 * to 2 CPUs on a 64-core node gets one worker, not eight.
 */
export function defaultWorkers(cores = usableCores()): number {
  return Math.max(1, Math.min(8, cores - 1));
}

/** CPUs this process may use: the machine's, or fewer under a cgroup CPU quota (v2 cpu.max, v1 cfs quota). */
export function usableCores(cgroupRoot = '/sys/fs/cgroup'): number {
  const machine = os.availableParallelism();
  const limit = cgroupCpuLimit(cgroupRoot);
  return limit === undefined ? machine : Math.max(1, Math.min(machine, Math.ceil(limit)));
}

function cgroupCpuLimit(root: string): number | undefined {
  const read = (file: string): string | undefined => {
    try {
      return readFileSync(`${root}/${file}`, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const max = read('cpu.max')?.split(' ');
  if (max && max[0] !== 'max' && Number(max[0]) > 0 && Number(max[1]) > 0) return Number(max[0]) / Number(max[1]);
  const quota = Number(read('cpu/cpu.cfs_quota_us') ?? read('cpu,cpuacct/cpu.cfs_quota_us'));
  const period = Number(read('cpu/cpu.cfs_period_us') ?? read('cpu,cpuacct/cpu.cfs_period_us'));
  return quota > 0 && period > 0 ? quota / period : undefined;
}

/** The options with their defaults, validated. */
export function resolvePoolSettings(options: PoolSettings): ResolvedPoolSettings {
  return {
    workers: whole('workers', options.workers ?? defaultWorkers(), 1, 256),
    evaluationTimeoutMs: whole('evaluationTimeoutMs', options.evaluationTimeoutMs ?? 10_000, 10, 3_600_000),
    maxMemoryMb: whole('maxMemoryMb', options.maxMemoryMb ?? 256, 1, 4_096),
    maxInFlightPerWorker: whole('maxInFlightPerWorker', options.maxInFlightPerWorker ?? 2, 1, 64),
  };
}

/** 64 KiB WASM pages in `mb` MiB. */
export const pagesOf = (mb: number): number => mb * 16;

function whole(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new VigilEngineError('VIGIL_ERR_ENGINE_CONFIG', [`${name} to be a whole number from ${min} to ${max}`, String(value)]);
  }
  return value;
}
