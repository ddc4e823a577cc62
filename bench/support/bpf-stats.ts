import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
const STATS_SWITCH = '/proc/sys/kernel/bpf_stats_enabled';

export interface ProbeCost {
  /** The kernel's id of the program. */
  id: number;
  /** The BPF program's name (bpftrace names it after its first attach point, cut to 15 characters). */
  name: string;
  runs: number;
  ns: number;
}

/**
 * Kernel-side cost of the BPF programs a process loaded: the kernel's own
 * run counters (kernel.bpf_stats_enabled, read through `bpftool prog show`).
 * `undefined` where bpftool or the switch is missing.
 */
export async function bpfProgramCosts(pid: number): Promise<ProbeCost[] | undefined> {
  let json: string;
  try {
    json = (await run('bpftool', ['prog', 'show', '--json'], { maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch {
    return undefined;
  }
  const owned = await programIdsOf(pid);
  const progs = JSON.parse(json) as Array<{ id?: number; name?: string; run_cnt?: number; run_time_ns?: number }>;
  return progs.filter((p) => p.id !== undefined && owned.has(p.id)).map((p) => ({ id: p.id!, name: p.name ?? '?', runs: p.run_cnt ?? 0, ns: p.run_time_ns ?? 0 }));
}

/** Ids of the BPF programs a process holds, from its fds' fdinfo (this bpftool does not list owners). */
async function programIdsOf(pid: number): Promise<Set<number>> {
  const ids = new Set<number>();
  const fds = await fs.readdir(`/proc/${pid}/fdinfo`).catch(() => [] as string[]);
  for (const fd of fds) {
    const info = await fs.readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8').catch(() => '');
    const match = /^prog_id:\s*(\d+)/m.exec(info);
    if (match) ids.add(Number(match[1]));
  }
  return ids;
}

/** Turns the kernel's BPF run-time accounting on; the returned function restores the previous setting. */
export async function enableBpfStats(): Promise<() => Promise<void>> {
  const before = (await fs.readFile(STATS_SWITCH, 'utf8').catch(() => '')).trim();
  if (before === '') return async () => undefined;
  await fs.writeFile(STATS_SWITCH, '1');
  return async () => {
    await fs.writeFile(STATS_SWITCH, before).catch(() => undefined);
  };
}

/** Per program (by id: two programs may share a name), what ran between two readings. */
export function costDelta(before: readonly ProbeCost[], after: readonly ProbeCost[]): ProbeCost[] {
  const start = new Map(before.map((p) => [p.id, p]));
  return after.map((p) => ({ ...p, runs: p.runs - (start.get(p.id)?.runs ?? 0), ns: p.ns - (start.get(p.id)?.ns ?? 0) }));
}
