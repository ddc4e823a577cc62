import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { workloadOf } from '../../../proto/src/index.js';

/** Which workload a container on this host with that IP address runs. */
export interface PeerDirectory {
  workloadAt(address: string): Promise<string | undefined>;
}

interface DockerConfigV2 {
  State?: { Running?: boolean };
  Config?: { Image?: string; Labels?: Record<string, string> | null };
  NetworkSettings?: { Networks?: Record<string, { IPAddress?: string; GlobalIPv6Address?: string } | null> | null };
}

/**
 * The running Docker containers' addresses, read from Docker's on-disk state
 * (containers/<id>/config.v2.json) under a host root. Docker writes a
 * container's state a moment after its process starts (longer on a loaded
 * host), so an address not found yet is looked for again, for
 * {@link NEW_ADDRESS_MS} (one read at most every {@link REREAD_MS}), then taken
 * as not a container here for {@link MISS_TTL_MS}. The first event toward a
 * private address waits for those re-reads, as containers have such addresses;
 * one toward a public address waits for one re-read only.
 */
const NEW_ADDRESS_MS = 2_000;
const REREAD_MS = 200;
const MISS_TTL_MS = 10_000;

export class DockerDiskPeers implements PeerDirectory {
  private byAddress = new Map<string, string>();
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
      const patience = isPrivateAddress(address) ? NEW_ADDRESS_MS : this.rereadMs;
      while (!this.byAddress.has(address) && Date.now() - now < patience) {
        await new Promise((r) => setTimeout(r, this.rereadMs));
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
    await Promise.all(
      ids.map(async (id) => {
        let config: DockerConfigV2;
        try {
          config = JSON.parse(await readFile(path.join(dir, id, 'config.v2.json'), 'utf8')) as DockerConfigV2;
        } catch {
          return;
        }
        if (!config.State?.Running) return;
        const workload = workloadOf({ image: config.Config?.Image ?? '', labels: config.Config?.Labels ?? {} });
        if (workload === '') return;
        for (const network of Object.values(config.NetworkSettings?.Networks ?? {})) {
          if (network?.IPAddress) next.set(network.IPAddress, workload);
          if (network?.GlobalIPv6Address) next.set(network.GlobalIPv6Address, workload);
        }
      }),
    );
    this.byAddress = next;
  }
}

/** RFC 1918, shared (RFC 6598) and link-local IPv4; unique-local and link-local IPv6. */
export function isPrivateAddress(address: string): boolean {
  const v4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(address);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254);
  }
  return /^f[cd][0-9a-f]{2}:|^fe[89ab][0-9a-f]:/i.test(address);
}
