import { type ChildProcessByStdio } from 'node:child_process';
import { spawnOwned } from '../../linux/owned-child.js';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { CollectorError, collectorMessage } from '../../errors.js';
import type { RuntimeEventHandler } from '../events.js';
import { silentLogger, type RuntimeLogger, type RuntimeSource } from '../source.js';
import { detectEbpf, DEFAULT_BPFTRACE, type EbpfSupport } from './detect.js';
import { BpftraceLineParser } from './parser.js';
import { EMPTY_KERNEL_FILTER, type KernelFilter } from '../../../../proto/src/index.js';
import {
  buildScript,
  PROBE_NAMES,
  PROBE_TRACEPOINTS,
  type ProbeName,
} from './script.js';

/**
 * Per-CPU perf ring pages (4 MiB per CPU; Falco's default buffer is 8 MiB per
 * CPU). 256 pages lost 32–42 % of a 3 s storm of 7 000–8 000 execs/s on this
 * 2-core VM while bpftrace was starved of CPU; 1024 lost none of 3 s storms of
 * 6 000–7 000/s: the ring rides out the burst and bpftrace catches up. Longer
 * storms beyond what bpftrace can format still overflow it
 * (bench/scenarios/runtime-exec-storm.ts, kernel_ring_lost).
 */
export const DEFAULT_RING_PAGES = 1024;

export interface BpftraceSourceOptions {
  bpftrace?: string;
  /** The paths the policy's rules need reported (the bundle's kernel_filter); none: no path-filtered events. */
  filter?: KernelFilter;
  /** Probes to use (default: all the kernel supports). */
  probes?: readonly ProbeName[];
  /** cgroup id whose processes are dropped in the kernel (the host's root cgroup, when host processes are not wanted). */
  excludeCgroupId?: string;
  /** cgroup id of the unified root: syscall sets are kept per container cgroup, never for it. */
  rootCgroupId?: string;
  /** Extra pids to ignore; the collector's own pid always is. */
  excludePids?: readonly number[];
  /** Per-CPU perf ring buffer pages (BPFTRACE_PERF_RB_PAGES), default {@link DEFAULT_RING_PAGES}. */
  ringPages?: number;
  /** How long bpftrace may take to compile and attach. */
  startTimeoutMs?: number;
  logger?: RuntimeLogger;
  /** Result of detectEbpf(), when the caller already has it. */
  support?: EbpfSupport;
}

/**
 * eBPF through bpftrace: a generated program runs as a child process and
 * prints one compact record per event (script.ts), parsed by parser.ts.
 */
const STOP_GRACE_MS = 1_000;

export class BpftraceSource implements RuntimeSource {
  readonly name = 'ebpf';
  private child: ChildProcessByStdio<null, Readable, Readable> | undefined;
  private readonly parser = new BpftraceLineParser('ebpf');
  private stopping = false;
  private exited: Promise<void> | undefined;
  /** Probes attached, after start. */
  attached: ProbeName[] = [];
  script = '';

  constructor(private readonly options: BpftraceSourceOptions = {}) {}

  lost(): number {
    return this.parser.lost + this.parser.malformed;
  }

  /** Pid of the bpftrace child while it runs (to measure its CPU and memory). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(onEvent: RuntimeEventHandler): Promise<void> {
    const logger = this.options.logger ?? silentLogger;
    const bpftrace = this.options.bpftrace ?? DEFAULT_BPFTRACE;
    const support = this.options.support ?? (await detectEbpf(bpftrace));
    if (!support.usable) throw new CollectorError('VIGIL_ERR_RUNTIME_BPFTRACE_START', ['not usable', support.reason ?? '']);
    const wanted = new Set(this.options.probes ?? PROBE_NAMES);
    const probes = new Set(
      PROBE_NAMES.filter((p) => wanted.has(p) && PROBE_TRACEPOINTS[p].every((tp) => support.tracepoints.has(tp))),
    );
    this.attached = [...probes];
    const missing = [...wanted].filter((p) => !probes.has(p));
    if (missing.length) logger.info('runtime: eBPF probes unavailable on this kernel', { missing });
    this.script = buildScript(
      {
        filter: this.options.filter ?? EMPTY_KERNEL_FILTER,
        probes,
        excludePids: [process.pid, ...(this.options.excludePids ?? [])],
        excludeCgroupId: this.options.excludeCgroupId,
        rootCgroupId: this.options.rootCgroupId,
        heartbeatMs: 1000,
      },
      support.tracepoints,
    );
    const child = spawnOwned(bpftrace, ['-B', 'full', '-f', 'text', '--no-warnings', '-e', this.script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        BPFTRACE_STRLEN: '200',
        BPFTRACE_PERF_RB_PAGES: String(this.options.ringPages ?? DEFAULT_RING_PAGES),
        BPFTRACE_MAP_KEYS_MAX: '16384',
      },
    });
    this.child = child;
    const stderr: string[] = [];
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (line.includes('RLIMIT_MEMLOCK')) return; // harmless on kernels that account BPF memory to the cgroup
      const lost = /^Lost (\d+) events/.exec(line);
      if (lost) {
        this.parser.lost += Number(lost[1]);
        return;
      }
      stderr.push(line);
      if (stderr.length > 20) stderr.shift();
      logger.warn('runtime: bpftrace', { line });
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => {
        if (ready) return;
        child.kill('SIGKILL');
        reject(new CollectorError('VIGIL_ERR_RUNTIME_BPFTRACE_START', ['timeout', stderr.join(' | ')]));
      }, this.options.startTimeoutMs ?? 60_000);
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        if (!ready && line === 'H') {
          ready = true;
          clearTimeout(timer);
          resolve();
        }
        const event = this.parser.parse(line);
        if (event) onEvent(event);
        // bpftrace prints a map in one go: the first other line ends the syscall sets it held.
        if (!line.startsWith('@sc[')) for (const set of this.parser.takeSyscallSets()) onEvent(set);
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new CollectorError('VIGIL_ERR_RUNTIME_BPFTRACE_START', ['spawn', error.message], { cause: error }));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (!ready) {
          reject(new CollectorError('VIGIL_ERR_RUNTIME_BPFTRACE_START', [`exit ${code ?? signal}`, stderr.join(' | ')]));
        } else if (!this.stopping) {
          logger.warn(collectorMessage('VIGIL_ERR_RUNTIME_BPFTRACE_EXIT', String(code ?? signal), stderr.join(' | ')), { code, signal });
        }
      });
    });
    logger.info('runtime: eBPF source attached', { probes: this.attached, version: support.version });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    // SIGINT lets bpftrace print what it holds and exit, which takes it 1.5 s (a trivial script) to
    // several seconds: detaching each probe waits on the kernel. The kernel detaches them just as
    // well when a killed bpftrace's descriptors close, so after a second it is killed and its
    // teardown in the kernel is not waited for.
    child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)));
    await Promise.race([this.exited, grace]);
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
