/**
 * Runs a command to its end and reports its wall time, CPU time and peak RSS.
 * GNU time (/usr/bin/time) reports them exactly from wait4(); without it they
 * are read from /proc while the command runs (the last VmHWM seen, polled
 * every 50 ms, so the last moments of its life may be missed).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readProc, type ProcSample } from './proc.js';

export interface MeasuredRun {
  code: number | null;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  stdout: string;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';
const MARK = 'VIGIL_BENCH_TIME';

export async function runMeasured(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<MeasuredRun> {
  const timed = existsSync(GNU_TIME);
  const [file, argv] = timed ? [GNU_TIME, ['-f', `${MARK} %e %U %S %M`, command, ...args]] : [command, [...args]];
  const started = process.hrtime.bigint();
  const child = spawn(file, argv, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-50_000)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  let last: ProcSample | undefined;
  if (!timed) {
    let running = true;
    void exited.then(
      () => (running = false),
      () => (running = false),
    );
    while (running && child.pid !== undefined) {
      const sample = await readProc(child.pid);
      if (sample && running) last = sample;
      await Promise.race([exited.catch(() => null), new Promise((resolve) => setTimeout(resolve, 50))]);
    }
  }
  const code = await exited;
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const line = new RegExp(`^${MARK} ([\\d.]+) ([\\d.]+) ([\\d.]+) (\\d+)$`, 'm').exec(stderr);
  if (line) {
    return {
      code,
      wallSeconds,
      cpuSeconds: Number(line[2]) + Number(line[3]),
      peakRssMb: Number(line[4]) / 1024,
      stdout,
      stderr: stderr.replace(line[0], '').trim(),
    };
  }
  return { code, wallSeconds, cpuSeconds: last?.cpuSeconds ?? 0, peakRssMb: (last?.peakRssBytes ?? 0) / 2 ** 20, stdout, stderr };
}
