import { workloadOf, type FactInit } from '../../../proto/src/index.js';
import { AncestryReader, Attributor } from './attribution.js';
import { capabilityNames } from './capabilities.js';
import type { CgroupIndex } from './cgroup-index.js';
import type { AncestorInfo, RuntimeEvent } from './events.js';
import { exeDrift, isHostRuntime, type ContainerMetadata, type ContainerMetadataResolver } from './metadata.js';
import { isSandboxRuntime } from '../sandbox-runtime.js';
import { ProcReader } from './procfs/proc.js';
import type { PeerDirectory } from './peers.js';
import type { ProcessMemory } from './process-memory.js';

type ProcessExecInit = NonNullable<FactInit['process_exec']>;
export type ProcessInfoInit = NonNullable<ProcessExecInit['process']>;
export type ContainerRefInit = NonNullable<ProcessExecInit['container']>;

export interface EnrichedEvent {
  fact: FactInit;
  host: boolean;
  containerId: string;
  /** The host's container runtime setting the container up or entering it, not the workload. */
  runtimeSetup: boolean;
}

interface ProcessDetails {
  exe?: string;
  args?: string[];
  cwd?: string;
  at: number;
}

/**
 * Turns a source's event into a fact: container attribution and metadata,
 * process details from /proc (best effort, never required), ancestry and
 * drift. Everything here tolerates the process being gone already.
 */
export class Enricher {
  private readonly proc: ProcReader;
  private readonly attributor: Attributor;
  private readonly ancestry: AncestryReader;
  private readonly details = new Map<number, ProcessDetails>();

  constructor(
    private readonly hostRoot: string,
    private readonly resolver: ContainerMetadataResolver,
    index: CgroupIndex | undefined,
    private readonly memory?: ProcessMemory,
    private readonly peers?: PeerDirectory,
  ) {
    this.proc = new ProcReader(hostRoot);
    this.attributor = new Attributor(this.proc, index);
    this.ancestry = new AncestryReader(this.proc, this.attributor);
  }

  /** Container id (or "" for the host) of an event; cheap when cached. */
  async containerOf(event: RuntimeEvent): Promise<{ id: string; host: boolean; podUid?: string }> {
    if (event.container?.id) return { id: event.container.id, host: false };
    if (event.container?.host) return { id: '', host: true };
    const found = await this.attributor.attribute(event.process.pid, event.process.ppid, event.cgroupId);
    if (found) return { id: found.id, host: false, ...(found.podUid ? { podUid: found.podUid } : {}) };
    return { id: '', host: true };
  }

  async enrich(event: RuntimeEvent, owner?: { id: string; host: boolean }): Promise<EnrichedEvent> {
    const container = owner ?? (await this.containerOf(event));
    const metadata = container.id ? await this.resolver.resolve(container.id) : undefined;
    // A syscall set belongs to a cgroup, not to one process.
    const process = event.kind === 'syscalls' ? undefined : await this.processInfo(event, container.id, metadata);
    const ref = containerRef(event, container, metadata);
    const fact = toFact(event, process, ref);
    if (fact.network_connection && event.kind === 'network' && event.direction === 'outbound' && this.peers) {
      const peer = await this.peers.workloadAt(event.remoteAddress).catch(() => undefined);
      if (peer) fact.network_connection.remote_workload = peer;
    }
    // The fact's time is when the source saw the event, not when enrichment finished.
    if (event.observedAtMs > 0) fact.observed_at_ms = event.observedAtMs;
    const runtimeSetup = !!process?.exe && !process.exe_in_image && (await isHostRuntime(this.hostRoot, metadata, process.exe));
    return { fact, host: container.host, containerId: metadata?.id || container.id, runtimeSetup };
  }

  private async processInfo(
    event: RuntimeEvent,
    containerId: string,
    metadata: ContainerMetadata | undefined,
  ): Promise<ProcessInfoInit> {
    const snap = event.process;
    const pid = snap.pid;
    const needStatus = snap.uid === undefined || snap.capabilities === undefined;
    const [status, stat, stdio, details, ancestry] = await Promise.all([
      needStatus ? this.proc.status(pid) : undefined,
      snap.comm === undefined || snap.tty === undefined ? this.proc.stat(pid) : undefined,
      snap.stdio ? snap.stdio : this.proc.stdio(pid),
      this.processDetails(event),
      snap.ancestry ? snap.ancestry : this.ancestryOf(event, containerId),
    ]);
    const exe = details.exe ?? '';
    const info: ProcessInfoInit = {
      pid,
      ppid: snap.ppid ?? status?.ppid ?? stat?.ppid ?? 0,
      uid: snap.uid ?? status?.uid[0] ?? 0,
      gid: snap.gid ?? status?.gid[0] ?? 0,
      euid: snap.euid ?? status?.uid[1] ?? snap.uid ?? 0,
      comm: snap.comm ?? stat?.comm ?? status?.name ?? '',
      exe,
      args: details.args ?? [],
      cwd: details.cwd ?? snap.cwd ?? '',
      tty: snap.tty ?? (stat ? stat.ttyNr !== 0 : false),
      capabilities: snap.capabilities ?? (status ? capabilityNames(status.capEff) : []),
      ancestry: ancestry ?? [],
      login_uid: snap.loginUid ?? -1,
      stdio: stdio ?? [],
      exe_known: false,
      exe_in_image: false,
    };
    if (containerId && exe) Object.assign(info, await exeDrift(this.hostRoot, metadata, exe));
    return info;
  }

  /**
   * Ancestors from the exec events remembered (exact, and available after the
   * processes exited), continued from /proc where memory has no entry.
   */
  private async ancestryOf(event: RuntimeEvent, containerId: string): Promise<AncestorInfo[]> {
    const known = this.memory?.ancestryOf(event) ?? { chain: [], next: event.process.ppid ?? 0 };
    if (known.next <= 0) return known.chain;
    const rest = await this.ancestry.ancestry(known.next, containerId || undefined);
    return [...known.chain, ...rest];
  }

  /** exe/args/cwd: from the event, else /proc (cached per pid between execs). */
  private async processDetails(event: RuntimeEvent): Promise<ProcessDetails> {
    const snap = event.process;
    const pid = snap.pid;
    const cached = event.kind === 'exec' ? undefined : this.details.get(pid);
    if (cached && Date.now() - cached.at < 5_000) return cached;
    let exe = snap.exe;
    if (exe === undefined || exe === '' || !exe.startsWith('/') || exe === '/proc/self/exe' || exe.startsWith('/dev/fd/')) {
      exe = (await this.proc.exe(pid)) ?? exe ?? '';
    }
    const [args, cwd] = await Promise.all([
      snap.args ? snap.args : this.proc.cmdline(pid),
      snap.cwd !== undefined ? snap.cwd : this.proc.cwd(pid),
    ]);
    const details: ProcessDetails = { exe, at: Date.now() };
    if (args) details.args = args;
    if (cwd !== undefined) details.cwd = cwd;
    if (this.details.size > 20_000) this.details.clear();
    this.details.set(pid, details);
    return details;
  }
}

function containerRef(
  event: RuntimeEvent,
  container: { id: string; host: boolean; podUid?: string },
  metadata: ContainerMetadata | undefined,
): ContainerRefInit {
  const hint = event.container ?? {};
  const runtime = metadata?.runtime || hint.runtime || '';
  return {
    // Sensors report 12- or 31-character ids; the resolver knows the full one, which every other source uses.
    id: metadata?.id || container.id,
    name: metadata?.name || hint.name || '',
    image: metadata?.image || hint.image || '',
    image_id: metadata?.image_id || hint.image_id || '',
    runtime,
    // Under a sandboxed runtime the host kernel never sees the workload, only the
    // sandbox's own processes (runsc sandbox and gofer, a Kata VMM): they are host-side
    // runtime processes serving the container, so container rules must not judge them.
    // Events from inside the sandbox (gVisor's own monitoring) are the workload's.
    host: container.host || (isSandboxRuntime(runtime) && !event.sandboxPids),
    pod: metadata?.pod || hint.pod || '',
    namespace: metadata?.namespace || hint.namespace || '',
    image_user: metadata?.image_user ?? '',
    // Docker's state decides when the container was found there ("" for one labelled out of profiles); else the sensor's hints.
    workload: metadata?.workload !== undefined ? metadata.workload : container.host ? '' : workloadOf({ image: metadata?.image || hint.image || '', pod: metadata?.pod || hint.pod, namespace: metadata?.namespace || hint.namespace }),
  };
}

function toFact(event: RuntimeEvent, process: ProcessInfoInit | undefined, container: ContainerRefInit): FactInit {
  const common = { process, container, source: event.source, count: 1 };
  switch (event.kind) {
    case 'syscalls':
      return { syscall_set: { container, syscalls: event.syscalls, source: event.source, count: 1 } };
    case 'exec':
      return { process_exec: common };
    case 'file':
      return {
        file_access: {
          ...common,
          path: event.path,
          operation: event.operation,
          read: event.read,
          write: event.write,
          target: event.target ?? '',
          requested_path: event.requestedPath ?? '',
          truncated: event.truncated === true,
        },
      };
    case 'network':
      return {
        network_connection: {
          ...common,
          direction: event.direction,
          family: event.family ?? '',
          protocol: event.protocol,
          local_address: event.localAddress,
          local_port: event.localPort,
          remote_address: event.remoteAddress,
          remote_port: event.remotePort,
        },
      };
    case 'privilege':
      return {
        privilege_change: {
          ...common,
          change: event.change,
          old_uid: event.oldUid ?? -1,
          new_uid: event.newUid ?? -1,
          capabilities_gained: event.capabilitiesGained ?? [],
          target: event.target ?? '',
        },
      };
  }
}

