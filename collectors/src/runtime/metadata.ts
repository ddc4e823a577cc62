import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { workloadOf } from '../../../proto/src/index.js';

/** What the runtime collector needs to know about a container. */
export interface ContainerMetadata {
  id: string;
  name: string;
  image: string;
  image_id: string;
  runtime: string;
  /** The USER the image declares ("" when none). */
  image_user: string;
  pod?: string;
  namespace?: string;
  /** Its workload identity (proto/src/workload.ts), "" when unknown. */
  workload?: string;
  /** Host path of the container's writable layer (overlay2 upper dir), when known. */
  upperDir?: string;
  /** Host paths of the image's layers, top first, when known. */
  lowerDirs?: string[];
  /** Where volumes and bind mounts sit in the container: what runs from there is neither image nor drift. */
  mountPoints?: string[];
}

/** Port: the lead wires the Docker API behind it; {@link DockerDiskResolver} reads Docker's files. */
export interface ContainerMetadataResolver {
  resolve(id: string): Promise<ContainerMetadata | undefined>;
}

interface CacheEntry {
  value: ContainerMetadata | undefined;
  at: number;
}

/**
 * Decorator: caches answers (found ones for `ttlMs`, misses for `missTtlMs`
 * so a container created a moment ago is looked up again soon) and shares
 * concurrent lookups of the same id.
 */
export class CachedResolver implements ContainerMetadataResolver {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<ContainerMetadata | undefined>>();

  constructor(
    private readonly inner: ContainerMetadataResolver,
    private readonly ttlMs = 60_000,
    private readonly missTtlMs = 1_000,
    private readonly max = 4096,
  ) {}

  resolve(id: string): Promise<ContainerMetadata | undefined> {
    const hit = this.cache.get(id);
    const now = Date.now();
    if (hit && now - hit.at < (hit.value ? this.ttlMs : this.missTtlMs)) return Promise.resolve(hit.value);
    const pending = this.inflight.get(id);
    if (pending) return pending;
    const lookup = this.inner
      .resolve(id)
      .catch(() => undefined)
      .then((value) => {
        if (this.cache.size >= this.max) this.cache.clear();
        this.cache.set(id, { value, at: Date.now() });
        this.inflight.delete(id);
        return value;
      });
    this.inflight.set(id, lookup);
    return lookup;
  }
}

/**
 * Reads Docker's on-disk state under a host root:
 * /var/lib/docker/containers/<id>/config.v2.json and hostconfig.json, the
 * image config in image/<driver>/imagedb, and for overlay2 the layer
 * directories (layerdb/mounts/<id>/mount-id → overlay2/<mount-id>/{diff,lower}).
 */
export class DockerDiskResolver implements ContainerMetadataResolver {
  constructor(
    private readonly hostRoot = '/',
    private readonly dockerRoot = '/var/lib/docker',
  ) {}

  private host(...parts: string[]): string {
    return path.join(this.hostRoot, this.dockerRoot, ...parts);
  }

  async resolve(shortOrFullId: string): Promise<ContainerMetadata | undefined> {
    const id = await this.fullId(shortOrFullId);
    if (!id) return undefined;
    let config: DockerConfigV2;
    try {
      config = JSON.parse(await readFile(this.host('containers', id, 'config.v2.json'), 'utf8')) as DockerConfigV2;
    } catch {
      return undefined;
    }
    const hostConfig = await readJson<{ Runtime?: string }>(this.host('containers', id, 'hostconfig.json'));
    const driver = config.Driver || 'overlay2';
    const imageId = config.Image ?? '';
    const imageConfig = imageId
      ? await readJson<{ config?: { User?: string } }>(
          this.host('image', driver, 'imagedb', 'content', 'sha256', imageId.replace(/^sha256:/, '')),
        )
      : undefined;
    const labels = config.Config?.Labels ?? {};
    const metadata: ContainerMetadata = {
      id,
      name: (config.Name ?? '').replace(/^\//, ''),
      image: config.Config?.Image ?? '',
      image_id: imageId,
      runtime: hostConfig?.Runtime || 'runc',
      image_user: imageConfig?.config?.User ?? '',
    };
    const pod = labels['io.kubernetes.pod.name'];
    const namespace = labels['io.kubernetes.pod.namespace'];
    if (pod) metadata.pod = pod;
    if (namespace) metadata.namespace = namespace;
    metadata.workload = workloadOf({ image: metadata.image, labels, pod, namespace });
    const mountPoints = Object.keys(config.MountPoints ?? {});
    if (mountPoints.length > 0) metadata.mountPoints = mountPoints;
    if (driver === 'overlay2') Object.assign(metadata, await this.overlayLayers(id));
    return metadata;
  }

  /** Falco reports 12-character ids, Tetragon 31: expand a unique prefix. */
  private async fullId(id: string): Promise<string | undefined> {
    if (/^[0-9a-f]{64}$/.test(id)) return id;
    if (!/^[0-9a-f]{12,63}$/.test(id)) return undefined;
    const names = await readdir(this.host('containers')).catch(() => [] as string[]);
    const matches = names.filter((name) => name.startsWith(id));
    return matches.length === 1 ? matches[0] : undefined;
  }

  private async overlayLayers(id: string): Promise<Pick<ContainerMetadata, 'upperDir' | 'lowerDirs'>> {
    try {
      const mountId = (await readFile(this.host('image', 'overlay2', 'layerdb', 'mounts', id, 'mount-id'), 'utf8')).trim();
      const layerDir = path.join(this.dockerRoot, 'overlay2', mountId);
      const lowerText = await readFile(this.host('overlay2', mountId, 'lower'), 'utf8').catch(() => '');
      const lowerDirs: string[] = [];
      for (const link of lowerText.trim().split(':').filter(Boolean)) {
        // "l/<short>" is a symlink to "../<layer>/diff"
        const target = await readlink(this.host('overlay2', link)).catch(() => undefined);
        if (target) lowerDirs.push(path.join(this.dockerRoot, 'overlay2', 'l', target));
      }
      return { upperDir: path.join(layerDir, 'diff'), lowerDirs };
    } catch {
      return {};
    }
  }
}

interface DockerConfigV2 {
  Name?: string;
  Image?: string;
  Driver?: string;
  Config?: { Image?: string; User?: string; Labels?: Record<string, string> };
  MountPoints?: Record<string, unknown>;
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export type Drift = { exe_known: boolean; exe_in_image: boolean };

/** File names of container runtimes: the host's copy joins a container's cgroup while it sets the container up or execs into it. */
const RUNTIME_BINARY = /\/(runc|crun|youki)$/;

/**
 * The host's container runtime acting inside a container (runc bind-mounting its
 * own copy during `docker exec`, runc init): its exe is a runtime binary that is
 * in no layer of the container and under no mount, so only the host can have run
 * it. A runtime binary the image ships or a volume brings is the workload's.
 */
export async function isHostRuntime(hostRoot: string, metadata: ContainerMetadata | undefined, exe: string): Promise<boolean> {
  if (!RUNTIME_BINARY.test(exe) || !metadata?.upperDir) return false;
  if (metadata.mountPoints?.some((m) => exe === m || exe.startsWith(m.endsWith('/') ? m : `${m}/`))) return false;
  const present = await Promise.all([metadata.upperDir, ...(metadata.lowerDirs ?? [])].map((dir) => lstat(path.join(hostRoot, dir, exe)).then(() => true, () => false)));
  return !present.includes(true);
}

/**
 * Whether `exe` (a path inside the container) came with the image: present in
 * the writable layer means created or modified after start (drift); present
 * only in the image layers means from the image; neither (a volume, tmpfs,
 * memfd) means unknown.
 */
export async function exeDrift(hostRoot: string, metadata: ContainerMetadata | undefined, exe: string): Promise<Drift> {
  if (!metadata?.upperDir || !exe.startsWith('/')) return { exe_known: false, exe_in_image: false };
  // Docker leaves an empty placeholder for a bind mount's target in the writable layer: not drift.
  if (metadata.mountPoints?.some((m) => exe === m || exe.startsWith(m.endsWith('/') ? m : `${m}/`))) return { exe_known: false, exe_in_image: false };
  const inside = (dir: string): Promise<boolean> =>
    lstat(path.join(hostRoot, dir, exe)).then(
      () => true,
      () => false,
    );
  if (await inside(metadata.upperDir)) return { exe_known: true, exe_in_image: false };
  for (const lower of metadata.lowerDirs ?? []) {
    if (await inside(lower)) return { exe_known: true, exe_in_image: true };
  }
  return { exe_known: false, exe_in_image: false };
}
