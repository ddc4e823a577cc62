import type { FactInit } from '../../../proto/src/index.js';
import { CONFIGURATION_CATEGORIES, type Observation, type ProfileCategory } from './model.js';

/** Process names of the container runtime's own start-up: runc:[0:PARENT] … runc:[2:INIT], runc init, crun. */
const RUNTIME_SETUP = /^(runc|crun|youki)(:\[|$| )/;
const RUNTIME_BINARY = /(^|\/)(runc|crun|youki)$/;

/**
 * The container runtime setting the container up: by its process name, or by
 * `runc init` itself. During `docker exec`, runc re-executes itself through
 * /proc/self/exe (named "exe", with every capability of the host) and can
 * already be in the container's cgroup when the exec is seen; its capabilities
 * and calls are not the workload's.
 */
function isRuntimeSetup(process: { comm?: string | null; args?: string[] | null } | null | undefined): boolean {
  if (RUNTIME_SETUP.test(process?.comm ?? '')) return true;
  const args = process?.args ?? [];
  return args.length >= 2 && RUNTIME_BINARY.test(args[0]!) && args[1] === 'init';
}

/**
 * What a runtime fact adds to its workload's profile. Host processes and
 * containers without a workload add nothing. The keys are the ones the drift
 * rules look up (policies/runtime/profile_drift_*.rego).
 */
export function observationsOf(fact: FactInit): Observation[] {
  if (fact.container) return configurationOf(fact);
  const runtime = fact.process_exec ?? fact.file_access ?? fact.network_connection ?? fact.privilege_change ?? fact.syscall_set;
  const container = runtime?.container;
  const workload = container?.workload ?? '';
  if (!runtime || !container || container.host || workload === '' || !container.id) return [];
  // The container runtime setting the container up (runc init and its re-execs) is not the workload.
  if (isRuntimeSetup((runtime as { process?: { comm?: string | null; args?: string[] | null } | null }).process)) return [{ workload, category: 'activity', key: '-', host: fact.source?.host ?? '', replica: container.name || container.id.slice(0, 12), at: Date.now() }];
  const host = fact.source?.host ?? '';
  const replica = container.name || container.id.slice(0, 12);
  const at = Number(fact.observed_at_ms ?? 0) || Date.now();
  const out: Observation[] = [];
  const add = (category: ProfileCategory | 'activity', key: string, origin?: Observation['origin']): void => {
    if (key !== '') out.push({ workload, category, key, host, replica, at, ...(origin ? { origin } : {}) });
  };
  const process = fact.process_exec?.process;
  if (fact.syscall_set) {
    for (const call of fact.syscall_set.syscalls ?? []) add('syscalls', call);
  } else if (fact.process_exec && process) {
    add('executables', process.exe ?? '', process.exe_known ? (process.exe_in_image ? 'image' : 'container') : undefined);
    const parent = process.ancestry?.[0]?.exe;
    if (parent && process.exe) add('exec_edges', `${parent}>${process.exe}`);
    add('uids', String(process.uid ?? 0));
    for (const capability of process.capabilities ?? []) add('capabilities', capability);
  } else if (fact.file_access) {
    const access = fact.file_access;
    if (access.write) add('writes', access.path ?? '');
    else if (access.read) add('reads', access.path ?? '');
  } else if (fact.network_connection) {
    const net = fact.network_connection;
    if (net.direction === 'listen') add('listen_ports', `${net.protocol}/${net.local_port ?? 0}`);
    else if (net.direction === 'outbound') add('peers', peerKey(net));
    // A packet or raw socket created (the seccomp generator keeps them allowed only then).
    else if (net.direction === 'socket') add('sockets', `${net.family || 'raw'}/${net.protocol || 'raw'}`);
  }
  if (out.length === 0) add('activity', '-');
  return out;
}

/**
 * An outbound peer as profiles key it: by the peer's workload when the
 * collector knew it (addresses of containers change on restart), else by
 * address. policies/lib/event.rego (peer_item) keys it the same way.
 */
export function peerKey(net: { protocol?: string | null; remote_address?: string | null; remote_port?: number | null; remote_workload?: string | null }): string {
  return `${net.protocol ?? ''}/${net.remote_workload || net.remote_address || ''}:${net.remote_port ?? 0}`;
}

/** A running container's labels and writable mount points (CONFIGURATION_CATEGORIES). */
function configurationOf(fact: FactInit): Observation[] {
  const c = fact.container!;
  const workload = c.workload ?? '';
  if (workload === '' || !c.id || c.state !== 'running') return [];
  const base = { workload, host: fact.source?.host ?? '', replica: c.name || c.id.slice(0, 12), at: Number(fact.observed_at_ms ?? 0) || Date.now() };
  const out: Observation[] = [];
  for (const [k, v] of Object.entries(c.labels ?? {})) out.push({ ...base, category: 'labels', key: `${k}=${v}` });
  for (const m of c.mounts ?? []) if (m.read_write && m.destination) out.push({ ...base, category: 'volumes', key: m.destination });
  return out;
}

/** How long a worker keeps an observation it already sent from being sent again. */
const RESEND_AFTER_MS = 30_000;
const MAX_REMEMBERED = 50_000;

/**
 * A worker's filter in front of {@link observationsOf}: what the learner would
 * drop anyway never crosses the thread boundary. Workloads whose profile
 * enforces are skipped (the learner takes no items for them), and an item one
 * replica on one host already reported is sent again only after
 * {@link RESEND_AFTER_MS}, so a reset profile relearns it.
 */
export class ObservationFilter {
  private enforcing = new Set<string>();
  private current = new Set<string>();
  private previous = new Set<string>();
  private rotatedAt = Date.now();

  /** Takes the enforcing workloads from the data workers judge with (`vigil.profiles`). */
  setData(overlay: Record<string, unknown>): void {
    const profiles = ((overlay.vigil as Record<string, unknown> | undefined)?.profiles ?? {}) as Record<string, { learned?: unknown; state?: unknown }>;
    this.enforcing = new Set(Object.entries(profiles).filter(([, p]) => p?.learned === true && p.state === 'enforcing').map(([w]) => w));
  }

  collect(fact: FactInit, into: Observation[]): void {
    const workload = (fact.process_exec ?? fact.file_access ?? fact.network_connection ?? fact.privilege_change ?? fact.syscall_set ?? fact)?.container?.workload;
    if (!workload || this.enforcing.has(workload)) return;
    const now = Date.now();
    if (now - this.rotatedAt >= RESEND_AFTER_MS || this.current.size >= MAX_REMEMBERED) {
      this.previous = this.current;
      this.current = new Set();
      this.rotatedAt = now;
    }
    let active: Observation | undefined;
    for (const o of observationsOf(fact)) {
      if (!CONFIGURATION_CATEGORIES.has(o.category as ProfileCategory)) active ??= o;
      if (o.category === 'activity') continue;
      const id = `${o.workload}\u0000${o.category}\u0000${o.key}\u0000${o.replica}\u0000${o.host}`;
      if (this.current.has(id)) continue;
      this.current.add(id);
      if (this.previous.has(id)) continue;
      into.push(o);
    }
    // What the workload did counts toward its learning window even when every item was sent before:
    // one activity mark per workload and second stands for all of it.
    if (active) {
      const id = `${active.workload}\u0000activity\u0000${Math.floor(now / 1000)}`;
      if (!this.current.has(id)) {
        this.current.add(id);
        into.push({ ...active, category: 'activity', key: '-' });
      }
    }
  }
}
