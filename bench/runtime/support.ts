import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { RuntimeEventHandler, RuntimeSource } from '../../collectors/src/index.js';
import { packageRoot } from '../../engine/src/index.js';
import { readProc, statCpuSeconds } from '../support/proc.js';
import { buildStaticProgram } from '../../test/harness/index.js';

const run = promisify(execFile);

export const BENCH_IMAGE = 'vigil-test/busybox:1';
/** Every container the runtime scenarios create starts with this. */
export const CONTAINER_PREFIX = 'vigil-bench-rt-';

/** Static helper programs, built once into ~/.cache/vigil/bench/runtime and bind-mounted at /vigil. */
export interface BenchTools {
  dir: string;
  /** In the container: `/vigil/storm RATE SECONDS PROGRAM [ARGS…]`. */
  storm: string;
  /** In the container: `/vigil/shell-on-tty INTERVAL_MS COUNT SHELL MARKER`. */
  shellOnTty: string;
  /** In the container: `/vigil/probe-calls N`, each newer probe's system call N times. */
  probeCalls: string;
  /** Copies of the no-libc `true`, one per name, so each storm step has its own exe path. */
  trueAs(name: string): Promise<string>;
}

/** Compiles bench/runtime/*.c with gcc (static) when the binaries are missing or older than their source. */
export async function buildTools(): Promise<BenchTools> {
  const dir = path.join(os.homedir(), '.cache', 'vigil', 'bench', 'runtime');
  await fs.mkdir(dir, { recursive: true });
  const sources = path.join(packageRoot(), 'bench', 'runtime');
  const build = async (name: string, flags: string[]): Promise<void> => {
    await buildStaticProgram(path.join(sources, `${name}.c`), path.join(dir, name), flags);
  };
  await build('storm', []);
  await build('true', ['-nostdlib']);
  await build('shell-on-tty', []);
  await build('probe-calls', []);
  return {
    dir,
    storm: '/vigil/storm',
    probeCalls: '/vigil/probe-calls',
    shellOnTty: '/vigil/shell-on-tty',
    trueAs: async (name) => {
      await fs.copyFile(path.join(dir, 'true'), path.join(dir, name));
      await fs.chmod(path.join(dir, name), 0o755);
      return `/vigil/${name}`;
    },
  };
}

export async function docker(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('docker', args, { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
    return stdout.trim();
  } catch (error) {
    throw new Error(`bench: docker ${args.join(' ')} failed: ${String((error as { stderr?: string }).stderr ?? error)}`);
  }
}

export interface BenchContainer {
  id: string;
  name: string;
  /** cgroup v2 id (inode of its unified-hierarchy directory), what bpftrace's `cgroup` reports. */
  cgroupId: string;
  remove(): Promise<void>;
}

/** A busybox container with the tools mounted read-only at /vigil. */
export async function startBenchContainer(suffix: string, tools: BenchTools): Promise<BenchContainer> {
  const name = `${CONTAINER_PREFIX}${process.pid}-${suffix}`;
  await docker('rm', '-f', name).catch(() => '');
  const id = await docker('run', '-d', '--name', name, '-v', `${tools.dir}:/vigil:ro`, BENCH_IMAGE, 'sleep', '600');
  const unified = ['/sys/fs/cgroup/unified/docker', '/sys/fs/cgroup/system.slice'];
  let cgroupId = '';
  for (const dir of unified) {
    for (const leaf of [id, `docker-${id}.scope`]) {
      const stat = await fs.stat(path.join(dir, leaf)).catch(() => undefined);
      if (stat) cgroupId = String(stat.ino);
    }
  }
  if (!cgroupId) throw new Error(`bench: no unified cgroup directory for container ${name} (cgroup v2 id needed to count its execs)`);
  return { id, name, cgroupId, remove: async () => void (await docker('rm', '-f', name).catch(() => '')) };
}

/** CPU time (user + system, ms) of another process, from /proc/<pid>/stat. */
export async function processCpuMs(pid: number): Promise<number> {
  return statCpuSeconds(await fs.readFile(`/proc/${pid}/stat`, 'utf8')) * 1000;
}

/** Resident memory (bytes) of a process, from /proc/<pid>/status VmRSS. */
export async function processRssBytes(pid: number): Promise<number> {
  return (await readProc(pid))?.rssBytes ?? 0;
}

/** This process's CPU time in ms (user + system). */
export function selfCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}


/**
 * Decorator for the benchmark: counts the exec events a source delivers for one
 * cgroup, per exe, with the arrival time of the first and last, before passing
 * every event on unchanged.
 */
export class CountingSource implements RuntimeSource {
  readonly counts = new Map<string, { events: number; first: number; last: number }>();
  received = 0;

  constructor(
    private readonly inner: RuntimeSource,
    private readonly cgroupId: string,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  start(onEvent: RuntimeEventHandler): Promise<void> {
    return this.inner.start((event) => {
      this.received++;
      if (event.kind === 'exec' && event.cgroupId === this.cgroupId) {
        const exe = event.process.exe ?? '';
        const now = performance.now();
        const entry = this.counts.get(exe);
        if (entry) {
          entry.events++;
          entry.last = now;
        } else this.counts.set(exe, { events: 1, first: now, last: now });
      }
      onEvent(event);
    });
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  lost(): number {
    return this.inner.lost?.() ?? 0;
  }
}

/**
 * The ceiling: bpftrace counting sched_process_exec in the kernel for one cgroup,
 * per filename, printed when it stops. Nothing crosses to user space per event.
 */
export class KernelExecCounter {
  private child: ChildProcess | undefined;
  private output: string[] = [];

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(cgroupId: string): Promise<void> {
    const script = `tracepoint:sched:sched_process_exec /cgroup == ${cgroupId}/ { @n[str(args->filename)] = count(); }\ninterval:ms:200 { printf("H\\n"); }\n`;
    const child = spawn('/usr/bin/bpftrace', ['--no-warnings', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const stderr: string[] = [];
    createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
    await new Promise<void>((resolve, reject) => {
      let ready = false;
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line === 'H') {
          if (!ready) resolve();
          ready = true;
        } else this.output.push(line);
      });
      child.once('exit', (code) => {
        if (!ready) reject(new Error(`bench: counting bpftrace exited with ${code}: ${stderr.join(' | ')}`));
      });
    });
  }

  /** Stops bpftrace and returns the count per exec'd filename. */
  async stop(): Promise<Map<string, number>> {
    const child = this.child;
    if (!child) return new Map();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    const counts = new Map<string, number>();
    for (const line of this.output) {
      const match = /^@n\[(.*)\]: (\d+)$/.exec(line);
      if (match) counts.set(match[1]!, Number(match[2]));
    }
    return counts;
  }
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
