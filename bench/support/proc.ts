/**
 * What /proc says about one process: CPU time (utime + stime) and resident
 * memory (VmRSS now, VmHWM the peak). Samples over a window give the average
 * share of one core and the average and largest RSS.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc/<pid>/stat's times, asked once. */
export const CLOCK_TICKS: number = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcSample {
  /** utime + stime in seconds since the process started. */
  cpuSeconds: number;
  rssBytes: number;
  /** Peak RSS so far (VmHWM). */
  peakRssBytes: number;
}

/** One reading, or undefined once the process is gone. */
export async function readProc(pid: number): Promise<ProcSample | undefined> {
  try {
    const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
    return { cpuSeconds: statCpuSeconds(stat), rssBytes: statusKb(status, 'VmRSS') * 1024, peakRssBytes: statusKb(status, 'VmHWM') * 1024 };
  } catch {
    return undefined;
  }
}

/** utime + stime, in seconds, from the text of /proc/<pid>/stat. */
export function statCpuSeconds(stat: string): number {
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // fields 14 and 15: utime, stime
}

function statusKb(status: string, key: string): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

export interface WindowFigures {
  seconds: number;
  /** CPU time over wall time, in percent of one core. */
  cpuPercent: number;
  cpuSeconds: number;
  rssMbAvg: number;
  rssMbMax: number;
}

/**
 * Samples the process every `everyMs` while `until` runs (a fixed wait, or
 * work such as starting containers) and sums up the window.
 */
export async function measure(pid: number, until: Promise<unknown> | number, everyMs = 500): Promise<WindowFigures> {
  const first = await readProc(pid);
  if (!first) throw new Error(`process ${pid} is gone`);
  const started = process.hrtime.bigint();
  const rss: number[] = [first.rssBytes];
  let done = false;
  const work = typeof until === 'number' ? new Promise((resolve) => setTimeout(resolve, until)) : until;
  const finished = work.finally(() => {
    done = true;
  });
  let last = first;
  while (!done) {
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, everyMs))]);
    const sample = await readProc(pid);
    if (!sample) throw new Error(`process ${pid} exited during the measurement`);
    rss.push(sample.rssBytes);
    last = sample;
  }
  await finished;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuSeconds = last.cpuSeconds - first.cpuSeconds;
  return {
    seconds,
    cpuSeconds,
    cpuPercent: (cpuSeconds / seconds) * 100,
    rssMbAvg: rss.reduce((a, b) => a + b, 0) / rss.length / 2 ** 20,
    rssMbMax: Math.max(...rss) / 2 ** 20,
  };
}
