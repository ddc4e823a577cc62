import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../engine/src/index.js';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
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
