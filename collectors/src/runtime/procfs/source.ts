import { readdir, readFile, readlink } from 'node:fs/promises';
import { capabilityNames } from '../capabilities.js';
import type { NetworkEvent, RuntimeEventHandler } from '../events.js';
import { silentLogger, type RuntimeLogger, type RuntimeSource } from '../source.js';
import { ProcReader } from './proc.js';

export interface ProcfsSourceOptions {
  hostRoot?: string;
  /** Poll period. Default 1000 ms. */
  intervalMs?: number;
  /** Report processes and sockets that exist at start. Default false. */
  reportExisting?: boolean;
  /** Also poll /proc/<pid>/net/tcp{,6} per network namespace. Default true. */
  connections?: boolean;
  logger?: RuntimeLogger;
}

/**
 * Fallback when eBPF is not possible: polls /proc for new processes and for
 * TCP sockets. It sees what exists at poll time only (see docs/runtime.md):
 * processes that start and end between two polls, file accesses and
 * privilege changes are invisible to it.
 */
export class ProcfsSource implements RuntimeSource {
  readonly name = 'procfs';
  private readonly proc: ProcReader;
  private readonly seen = new Map<number, number>(); // pid → start time
  private readonly sockets = new Set<string>(); // netns:inode
  private readonly netnsOf = new Map<number, string>(); // pid → net namespace, valid while the pid's start time is unchanged
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private missed = 0;

  constructor(private readonly options: ProcfsSourceOptions = {}) {
    this.proc = new ProcReader(options.hostRoot ?? '/');
  }

  lost(): number {
    return this.missed;
  }

  async start(onEvent: RuntimeEventHandler): Promise<void> {
    const logger = this.options.logger ?? silentLogger;
    await this.poll(onEvent, this.options.reportExisting ?? false);
    this.timer = setInterval(() => {
      if (this.polling) {
        this.missed++;
        return;
      }
      this.polling = this.poll(onEvent, true)
        .catch((error: unknown) => logger.warn('runtime: procfs poll failed', { error: String(error) }))
        .finally(() => (this.polling = undefined));
    }, this.options.intervalMs ?? 1000);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.polling;
  }

  private async poll(onEvent: RuntimeEventHandler, report: boolean): Promise<void> {
    const pids = (await readdir(this.proc.procDir)).filter((name) => /^\d+$/.test(name)).map(Number);
    const alive = new Set(pids);
    const netns = new Map<string, number[]>();
    for (const pid of pids) {
      const stat = await this.proc.stat(pid);
      if (!stat) continue;
      const known = this.seen.get(pid);
      const fresh = known !== stat.startTime;
      if (fresh) this.seen.set(pid, stat.startTime);
      if ((this.options.connections ?? true) && stat.state !== 'Z') {
        let ns = fresh ? undefined : this.netnsOf.get(pid);
        if (ns === undefined) {
          ns = await readlink(this.proc.file(pid, 'ns/net')).catch(() => undefined);
          if (ns) this.netnsOf.set(pid, ns);
        }
        if (ns) netns.set(ns, [...(netns.get(ns) ?? []), pid]);
      }
      if (!fresh || !report || stat.state === 'Z') continue;
      const [status, args, exe, cwd, stdio] = await Promise.all([
        this.proc.status(pid),
        this.proc.cmdline(pid),
        this.proc.exe(pid),
        this.proc.cwd(pid),
        this.proc.stdio(pid),
      ]);
      if (!status || args?.length === 0) continue; // kernel thread or already gone
      onEvent({
        kind: 'exec',
        source: this.name,
        observedAtMs: Date.now(),
        process: {
          pid,
          ppid: stat.ppid,
          uid: status.uid[0] ?? 0,
          gid: status.gid[0] ?? 0,
          euid: status.uid[1] ?? 0,
          comm: stat.comm,
          exe: exe ?? '',
          args: args ?? [],
          ...(cwd !== undefined ? { cwd } : {}),
          tty: stat.ttyNr !== 0,
          capabilities: capabilityNames(status.capEff),
          ...(stdio ? { stdio } : {}),
        },
      });
    }
    for (const pid of this.seen.keys()) {
      if (!alive.has(pid)) {
        this.seen.delete(pid);
        this.netnsOf.delete(pid);
      }
    }
    if (this.options.connections ?? true) await this.pollSockets(netns, onEvent, report);
  }

  private async pollSockets(netns: Map<string, number[]>, onEvent: RuntimeEventHandler, report: boolean): Promise<void> {
    const current = new Set<string>();
    for (const [ns, members] of netns) {
      // Any live member can show the namespace's sockets; one that exited meanwhile cannot.
      let entries: ProcNetEntry[] | undefined;
      for (const reader of members.slice(0, 5)) {
        const v4 = await readFile(this.proc.file(reader, 'net/tcp'), 'utf8').catch(() => undefined);
        if (v4 === undefined || v4 === '') continue;
        const v6 = await readFile(this.proc.file(reader, 'net/tcp6'), 'utf8').catch(() => '');
        entries = [...parseProcNetTcp(v4, false), ...parseProcNetTcp(v6, true)];
        break;
      }
      if (!entries) {
        for (const key of this.sockets) if (key.startsWith(`${ns}:`)) current.add(key); // unknown this round: keep
        continue;
      }
      const listening = new Set(entries.filter((e) => e.state === 'LISTEN').map((e) => e.localPort));
      const fresh = entries.filter((e) => {
        const key = `${ns}:${e.inode}`;
        current.add(key);
        return e.inode !== '0' && !this.sockets.has(key) && (e.state === 'LISTEN' || e.state === 'ESTABLISHED');
      });
      if (!report) {
        for (const e of fresh) this.sockets.add(`${ns}:${e.inode}`);
        continue;
      }
      if (fresh.length === 0) continue;
      const owners = await socketOwners(this.proc, members, new Set(fresh.map((e) => e.inode)));
      for (const e of fresh) {
        const pid = owners.get(e.inode);
        // Its owner started after this poll listed the processes (or is gone): not marked seen, so the next poll looks again.
        if (pid === undefined) continue;
        this.sockets.add(`${ns}:${e.inode}`);
        const direction: NetworkEvent['direction'] =
          e.state === 'LISTEN' ? 'listen' : listening.has(e.localPort) ? 'inbound' : 'outbound';
        const stat = await this.proc.stat(pid);
        const status = await this.proc.status(pid);
        onEvent({
          kind: 'network',
          source: this.name,
          observedAtMs: Date.now(),
          process: {
            pid,
            ...(stat ? { ppid: stat.ppid, comm: stat.comm } : {}),
            ...(status ? { uid: status.uid[0] ?? 0, gid: status.gid[0] ?? 0, euid: status.uid[1] ?? 0 } : {}),
          },
          direction,
          protocol: 'tcp',
          localAddress: e.localAddress,
          localPort: e.localPort,
          remoteAddress: direction === 'listen' ? '' : e.remoteAddress,
          remotePort: direction === 'listen' ? 0 : e.remotePort,
        });
      }
    }
    for (const key of this.sockets) if (!current.has(key)) this.sockets.delete(key);
  }
}

async function socketOwners(proc: ProcReader, pids: number[], inodes: Set<string>): Promise<Map<string, number>> {
  const owners = new Map<string, number>();
  for (const pid of pids) {
    const fds = await readdir(proc.file(pid, 'fd')).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(proc.file(pid, `fd/${fd}`)).catch(() => '');
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match && inodes.has(match[1]!) && !owners.has(match[1]!)) owners.set(match[1]!, pid);
    }
    if (owners.size === inodes.size) break;
  }
  return owners;
}

export interface ProcNetEntry {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  state: string;
  uid: number;
  inode: string;
}

const TCP_STATES: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '0A': 'LISTEN',
};

/** Parses /proc/net/tcp or tcp6 (addresses are hex in host byte order per 32-bit word). */
export function parseProcNetTcp(text: string, v6: boolean): ProcNetEntry[] {
  const entries: ProcNetEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [local, remote] = [f[1]!, f[2]!];
    const [la, lp] = local.split(':');
    const [ra, rp] = remote.split(':');
    if (!la || !lp || !ra || !rp) continue;
    entries.push({
      localAddress: v6 ? hexToIpv6(la) : hexToIpv4(la),
      localPort: parseInt(lp, 16),
      remoteAddress: v6 ? hexToIpv6(ra) : hexToIpv4(ra),
      remotePort: parseInt(rp, 16),
      state: TCP_STATES[f[3]!.toUpperCase()] ?? f[3]!,
      uid: Number(f[7]),
      inode: f[9]!,
    });
  }
  return entries;
}

function hexToIpv4(hex: string): string {
  const n = parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

function hexToIpv6(hex: string): string {
  const bytes: number[] = [];
  for (let word = 0; word < 4; word++) {
    const w = hex.slice(word * 8, word * 8 + 8);
    for (let b = 3; b >= 0; b--) bytes.push(parseInt(w.slice(b * 2, b * 2 + 2), 16));
  }
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return bytes.slice(12).join('.');
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // compress the longest run of zero groups
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}
