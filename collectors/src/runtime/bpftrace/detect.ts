import { execFile } from 'node:child_process';
import { access, constants, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { collectorMessage, reason } from '../../errors.js';

const run = promisify(execFile);

export const DEFAULT_BPFTRACE = '/usr/bin/bpftrace';
const TRACEFS_DIRS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

export interface EbpfSupport {
  usable: boolean;
  /** Why not, when not usable. */
  reason?: string;
  bpftrace: string;
  version?: string;
  /** "category:name" of every tracepoint the kernel offers. */
  tracepoints: Set<string>;
  tracefs?: string;
}

/**
 * Whether the eBPF source can run here: bpftrace present, running as root,
 * tracefs mounted (mounted here when it is not), tracepoints listed.
 */
export async function detectEbpf(bpftrace = DEFAULT_BPFTRACE, mountTracefs = true): Promise<EbpfSupport> {
  const support: EbpfSupport = { usable: false, bpftrace, tracepoints: new Set() };
  try {
    await access(bpftrace, constants.X_OK);
  } catch {
    return { ...support, reason: collectorMessage('VIGIL_ERR_RUNTIME_BPFTRACE_MISSING', bpftrace) };
  }
  if (typeof process.geteuid === 'function' && process.geteuid() !== 0) {
    return { ...support, reason: collectorMessage('VIGIL_ERR_RUNTIME_NOT_ROOT', process.geteuid()) };
  }
  let tracefs = await findTracefs();
  if (!tracefs && mountTracefs) {
    try {
      await run('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing'], { timeout: 5000 });
    } catch (error) {
      return { ...support, reason: collectorMessage('VIGIL_ERR_RUNTIME_TRACEFS', '/sys/kernel/tracing', reason(error), '/sys/kernel/tracing') };
    }
    tracefs = await findTracefs();
  }
  if (!tracefs) return { ...support, reason: collectorMessage('VIGIL_ERR_RUNTIME_TRACEFS', '/sys/kernel/tracing', 'not found', '/sys/kernel/tracing') };
  support.tracefs = tracefs;
  try {
    const events = await readFile(`${tracefs}/available_events`, 'utf8');
    for (const line of events.split('\n')) if (line) support.tracepoints.add(line);
  } catch (error) {
    return { ...support, reason: `cannot list tracepoints: ${reason(error)}` };
  }
  if (!support.tracepoints.has('sched:sched_process_exec')) {
    return { ...support, reason: 'tracepoint sched:sched_process_exec missing' };
  }
  try {
    const { stdout } = await run(bpftrace, ['--version'], { timeout: 5000 });
    support.version = stdout.trim();
  } catch (error) {
    return { ...support, reason: `bpftrace --version failed: ${reason(error)}` };
  }
  return { ...support, usable: true };
}

async function findTracefs(): Promise<string | undefined> {
  for (const dir of TRACEFS_DIRS) {
    try {
      await access(`${dir}/available_events`, constants.R_OK);
      return dir;
    } catch {
      // try the next one
    }
  }
  return undefined;
}
