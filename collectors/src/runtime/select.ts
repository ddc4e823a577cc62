import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { detectEbpf } from './bpftrace/detect.js';
import { BpftraceSource, type BpftraceSourceOptions } from './bpftrace/source.js';
import type { CgroupIndex } from './cgroup-index.js';
import { CollectorError, collectorMessage, reason } from '../errors.js';
import { ProcfsSource } from './procfs/source.js';
import { silentLogger, type RuntimeLogger, type RuntimeSource } from './source.js';

export interface SelectOptions {
  hostRoot?: string;
  logger?: RuntimeLogger;
  /** Force a source instead of choosing. */
  prefer?: 'ebpf' | 'procfs';
  /** When false and the host's root cgroup is known, host processes are dropped in the kernel. */
  hostProcesses?: boolean;
  index?: CgroupIndex;
  ebpf?: Omit<BpftraceSourceOptions, 'support' | 'logger'>;
}

/**
 * The best source this host allows: eBPF (bpftrace) when running as root with
 * bpftrace and tracefs, otherwise the procfs poller. eBPF watches the host's
 * kernel, so it is only chosen when hostRoot is "/" (the collector shares the
 * host's pid namespace).
 */
export async function selectRuntimeSource(options: SelectOptions = {}): Promise<RuntimeSource> {
  const logger = options.logger ?? silentLogger;
  const hostRoot = options.hostRoot ?? '/';
  const reasons: string[] = [];
  if (options.prefer !== 'procfs') {
    const support = await detectEbpf(options.ebpf?.bpftrace);
    if (support.usable) {
      const exclude = options.hostProcesses === false ? options.index?.rootId : undefined;
      return new BpftraceSource({
        ...options.ebpf,
        support,
        logger,
        ...(exclude !== undefined ? { excludeCgroupId: exclude } : {}),
        ...(options.index?.rootId !== undefined ? { rootCgroupId: options.index.rootId } : {}),
      });
    }
    reasons.push(`ebpf: ${support.reason ?? 'unusable'}`);
    if (options.prefer === 'ebpf') throw new CollectorError('VIGIL_ERR_RUNTIME_NO_SOURCE', [reasons.join('; ')]);
    logger.warn('runtime: eBPF unavailable, falling back to procfs polling', { reason: support.reason });
  }
  try {
    await access(path.join(hostRoot, 'proc', '1', 'status'), constants.R_OK);
    return new ProcfsSource({ hostRoot, logger });
  } catch (error) {
    reasons.push(collectorMessage('VIGIL_ERR_RUNTIME_PROCFS', path.join(hostRoot, 'proc'), reason(error)));
  }
  throw new CollectorError('VIGIL_ERR_RUNTIME_NO_SOURCE', [reasons.join('; ')]);
}
