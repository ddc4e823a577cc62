import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../engine/src/index.js';
import { statCpuSeconds } from './proc.js';

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  return statCpuSeconds(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** The machine's CPU time since boot, from the first line of /proc/stat: busy and total, in ticks of all cores. */
export function machineTicks(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy, total: busy + idle! + iowait! };
}

/** Fraction of all cores busy between two readings of machineTicks(). */
export function busyFraction(before: { busy: number; total: number }, after: { busy: number; total: number }): number {
  const total = after.total - before.total;
  return total > 0 ? (after.busy - before.busy) / total : 0;
}

export interface VigilProcess {
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

/** Runs `vigil <args>` under this Node, logs at warn to this stderr. */
export function spawnVigil(args: string[], env: Record<string, string> = {}): VigilProcess {
  const child = spawn(process.execPath, [path.join(packageRoot(), 'bin', 'vigil.js'), ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, VIGIL_LOG_LEVEL: 'warn', ...env },
  });
  if (child.pid === undefined) throw new Error(`could not start vigil ${args.join(' ')}`);
  return {
    child,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export function coreCount(): number {
  return os.availableParallelism();
}
