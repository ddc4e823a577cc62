import { type ChildProcess } from 'node:child_process';
import { spawnOwned } from '../../linux/owned-child.js';
import { createInterface } from 'node:readline';
import { X86_64_SYSCALLS } from '../syscall-names.js';
import { detectEbpf } from './detect.js';
import { CollectorError } from '../../errors.js';

/** System calls that returned EPERM, per cgroup (the bpftrace `cgroup` id) and call name. */
export type EpermCounts = Map<string, Map<string, number>>;

export interface EpermTracer {
  /** Detaches and returns what was counted since the start. */
  stop(): Promise<EpermCounts>;
}

const SCRIPT = `
tracepoint:raw_syscalls:sys_exit /args->ret == -1/ { @eperm[cgroup, args->id] = count(); }
BEGIN { printf("READY\\n"); }
END { print(@eperm); clear(@eperm); }
`;

/**
 * Counts every system call on this host that answers EPERM, by cgroup and
 * call: the refusals a seccomp profile with SCMP_ACT_ERRNO gives (and the
 * kernel's own permission refusals, which the caller tells apart by whether
 * its filter allows the call). Needs root and bpftrace.
 */
export async function startEpermTracer(): Promise<EpermTracer> {
  const support = await detectEbpf();
  if (!support.usable) throw new CollectorError('VIGIL_ERR_RUNTIME_NO_SOURCE', [`ebpf: ${support.reason ?? 'unusable'}`]);
  const child: ChildProcess = spawnOwned(support.bpftrace, ['-f', 'text', '--no-warnings', '-e', SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
  const counts: EpermCounts = new Map();
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new CollectorError('VIGIL_ERR_RUNTIME_BPFTRACE_START', ['timeout', stderr.join(' | ')]));
    }, 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'READY') {
        clearTimeout(timer);
        resolve();
        return;
      }
      const m = /^@eperm\[(\d+), (\d+)\]: (\d+)$/.exec(line);
      if (!m) return;
      const name = X86_64_SYSCALLS[Number(m[2])] ?? `syscall_${m[2]}`;
      const calls = counts.get(m[1]!) ?? new Map<string, number>();
      calls.set(name, (calls.get(name) ?? 0) + Number(m[3]));
      counts.set(m[1]!, calls);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new CollectorError('VIGIL_ERR_RUNTIME_BPFTRACE_START', [`exit ${code ?? signal}`, stderr.join(' | ')]));
    });
  });
  return {
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(killer);
      }
      return counts;
    },
  };
}
