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
 * (containers/<id>/config.v2.json) under a host root. An address it does not
 * know makes it read the directory again, at most once per `refreshMs`, so a
 * peer started a moment ago is found and an external address costs little.
 */
export class DockerDiskPeers implements PeerDirectory {
  private byAddress = new Map<string, string>();
  private readAt = 0;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly hostRoot = '/',
    private readonly dockerRoot = '/var/lib/docker',
    private readonly refreshMs = 5_000,
  ) {}

  async workloadAt(address: string): Promise<string | undefined> {
    if (address === '') return undefined;
    const known = this.byAddress.get(address);
    if (known !== undefined || Date.now() - this.readAt < this.refreshMs) return known;
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    await this.reading;
    return this.byAddress.get(address);
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
