import type { FactInit } from '../../../proto/src/index.js';
import type { Observation, ProfileCategory } from './model.js';

/** Process names of the container runtime's own start-up: runc:[0:PARENT] … runc:[2:INIT], runc init, crun. */
const RUNTIME_SETUP = /^(runc|crun|youki)(:\[|$| )/;

/**
 * What a runtime fact adds to its workload's profile. Host processes and
 * containers without a workload add nothing. The keys are the ones the drift
 * rules look up (policies/runtime/profile_drift_*.rego).
 */
export function observationsOf(fact: FactInit): Observation[] {
  const runtime = fact.process_exec ?? fact.file_access ?? fact.network_connection ?? fact.privilege_change ?? fact.syscall_set;
  const container = runtime?.container;
  const workload = container?.workload ?? '';
  if (!runtime || !container || container.host || workload === '' || !container.id) return [];
  // The container runtime setting the container up (runc init and its re-execs) is not the workload.
  const comm = (runtime as { process?: { comm?: string | null } | null }).process?.comm ?? '';
  if (RUNTIME_SETUP.test(comm)) return [{ workload, category: 'activity', key: '-', host: fact.source?.host ?? '', replica: container.name || container.id.slice(0, 12), at: Date.now() }];
  const host = fact.source?.host ?? '';
  const replica = container.name || container.id.slice(0, 12);
  const at = Number(fact.observed_at_ms ?? 0) || Date.now();
  const out: Observation[] = [];
  const add = (category: ProfileCategory | 'activity', key: string): void => {
    if (key !== '') out.push({ workload, category, key, host, replica, at });
  };
  const process = fact.process_exec?.process;
  if (fact.syscall_set) {
    for (const call of fact.syscall_set.syscalls ?? []) add('syscalls', call);
  } else if (fact.process_exec && process) {
    add('executables', process.exe ?? '');
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
    else if (net.direction === 'outbound') add('peers', `${net.protocol}/${net.remote_address}:${net.remote_port ?? 0}`);
  }
  if (out.length === 0) add('activity', '-');
  return out;
}
