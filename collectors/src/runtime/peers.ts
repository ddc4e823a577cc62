import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { workloadOf } from '../../../proto/src/index.js';

/** Which workload a container on this host with that IP address runs. */
export interface PeerDirectory {
  workloadAt(address: string): Promise<string | undefined>;
}

interface DockerConfigV2 {
  State?: { Running?: boolean; StartedAt?: string };
  Config?: { Image?: string; Labels?: Record<string, string> | null };
  NetworkSettings?: { Networks?: Record<string, { IPAddress?: string; GlobalIPv6Address?: string } | null> | null };
}

/**
 * The running Docker containers' addresses, read from Docker's on-disk state
 * (containers/<id>/config.v2.json) under a host root. Docker writes a
 * container's state a moment after its process starts (longer on a loaded
 * host), so an address not found yet is looked for again, for
 * {@link NEW_ADDRESS_MS} (one read at most every {@link REREAD_MS}), then taken
 * as not a container here for {@link MISS_TTL_MS}. The first event toward an
 * address waits for one re-read, and for more only while a container on this
 * host is being started (created, never run, its state written in the last
 * {@link STARTING_MS}): an address that is no container here costs one re-read.
 */
const NEW_ADDRESS_MS = 2_000;
const REREAD_MS = 200;
const MISS_TTL_MS = 10_000;
const STARTING_MS = 10_000;

export class DockerDiskPeers implements PeerDirectory {
  private byAddress = new Map<string, string>();
  /** A container here is being started: its address may appear on the next read. */
  private starting = false;
  private readonly misses = new Map<string, number>();
  private readAt = 0;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly hostRoot = '/',
    private readonly dockerRoot = '/var/lib/docker',
    private readonly rereadMs = REREAD_MS,
  ) {}

  async workloadAt(address: string): Promise<string | undefined> {
    if (address === '') return undefined;
    const known = this.byAddress.get(address);
    if (known !== undefined) return known;
    const now = Date.now();
    const firstMiss = this.misses.get(address);
    if (firstMiss !== undefined && now - firstMiss > NEW_ADDRESS_MS) {
      if (now - firstMiss > MISS_TTL_MS) this.misses.delete(address);
      return undefined;
    }
    if (firstMiss === undefined) {
      if (this.misses.size > 10_000) this.misses.clear();
      this.misses.set(address, now);
    }
    await this.refresh();
    if (firstMiss === undefined) {
      // A container that started a moment ago: its state file is about to be written.
      let waited = false;
      while (!this.byAddress.has(address) && (!waited || this.starting) && Date.now() - now < NEW_ADDRESS_MS) {
        await new Promise((r) => setTimeout(r, this.rereadMs));
        waited = true;
        await this.refresh();
      }
    }
    const found = this.byAddress.get(address);
    if (found !== undefined) this.misses.delete(address);
    return found;
  }

  private async refresh(): Promise<void> {
    if (Date.now() - this.readAt < this.rereadMs) return this.reading;
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async read(): Promise<void> {
    this.readAt = Date.now();
    const dir = path.join(this.hostRoot, this.dockerRoot, 'containers');
    const ids = await readdir(dir).catch(() => [] as string[]);
    const next = new Map<string, string>();
    let starting = false;
    await Promise.all(
      ids.map(async (id) => {
        const file = path.join(dir, id, 'config.v2.json');
        let config: DockerConfigV2;
        try {
          config = JSON.parse(await readFile(file, 'utf8')) as DockerConfigV2;
        } catch {
          return;
        }
        if (!config.State?.Running) {
          const neverRan = !config.State?.StartedAt || config.State.StartedAt.startsWith('0001-');
          if (neverRan && Date.now() - ((await stat(file).catch(() => undefined))?.mtimeMs ?? 0) < STARTING_MS) starting = true;
          return;
        }
        const workload = workloadOf({ image: config.Config?.Image ?? '', labels: config.Config?.Labels ?? {} });
        if (workload === '') return;
        for (const network of Object.values(config.NetworkSettings?.Networks ?? {})) {
          if (network?.IPAddress) next.set(network.IPAddress, workload);
          if (network?.GlobalIPv6Address) next.set(network.GlobalIPv6Address, workload);
        }
      }),
    );
    this.byAddress = next;
    this.starting = starting;
  }
}
