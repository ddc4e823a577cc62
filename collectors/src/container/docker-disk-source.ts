import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ContainerFactInit } from '../../../proto/src/index.js';
import type {
  DockerContainerConfig,
  DockerHostConfig,
  DockerInspect,
  DockerMountPoint,
  DockerState,
  DockerUlimit,
} from './docker-inspect.js';
import { CollectorError, reason, type CollectorErrorCode } from '../errors.js';
import { normaliseDockerInspect, stateString } from './normalise-docker.js';
import { watchByRescan } from './rescan-watch.js';
import type { ContainerEvent, ContainerFailure, ContainerListing, ContainerSource, ContainerWatch } from './types.js';

export interface DockerDiskSourceOptions {
  /** Where the host's filesystem is mounted in the collector: "/host", or "/" on the host itself. */
  hostRoot?: string;
  /** dockerd's data-root as seen on the host. */
  dockerRoot?: string;
  /** daemon.json as seen on the host: its default-ulimits are part of what inspect shows. */
  daemonJsonPath?: string;
  /** Graph driver, for the image store path (image/<driver>/imagedb). */
  storageDriver?: string;
  /** How often `watch` looks for changed files. */
  rescanMs?: number;
}

/** config.v2.json as dockerd writes it (daemon/container.Container). */
export interface DockerDiskConfig {
  ID?: string;
  Created?: string;
  Path?: string;
  Args?: string[] | null;
  State?: DockerState | null;
  Image?: string;
  Name?: string;
  RestartCount?: number;
  Driver?: string;
  OS?: string;
  MountLabel?: string;
  ProcessLabel?: string;
  AppArmorProfile?: string;
  Config?: DockerContainerConfig | null;
  NetworkSettings?: DockerInspect['NetworkSettings'];
  MountPoints?: Record<string, DockerDiskMountPoint> | null;
  [key: string]: unknown;
}

/** volume/mounts.MountPoint as persisted: `Mode` is stored under "Relabel". */
export interface DockerDiskMountPoint {
  Type?: string;
  Name?: string;
  Source?: string;
  Destination?: string;
  Driver?: string;
  Relabel?: string;
  RW?: boolean;
  Propagation?: string;
}

/** The parts of an image config (imagedb content) that a container inherits. */
export interface DockerImageDefaults {
  User?: string;
  Healthcheck?: DockerContainerConfig['Healthcheck'];
}

export interface InspectFromDiskOptions {
  /** The daemon's default-ulimits, merged in as inspect does (daemon.mergeUlimits). */
  defaultUlimits?: readonly DockerUlimit[];
  /** Image config, used only for fields that Config lacks altogether. */
  image?: DockerImageDefaults;
}

type Entry =
  | { kind: 'fact'; key: string; fact: ContainerFactInit }
  | { kind: 'failure'; key: string; failure: ContainerFailure; error: CollectorError };

const CONTAINER_ID = /^[0-9a-f]{64}$/;

/**
 * Docker's view rebuilt from its files, the way `GET /containers/{id}/json`
 * builds it (daemon/inspect.go): state string, Mounts from MountPoints,
 * daemon default ulimits merged into HostConfig.
 *
 * Config in config.v2.json already holds the image's defaults (dockerd merges
 * the image config into the container config at create time), so `image` only
 * fills a User key missing from the file, or a Healthcheck the file has none of
 * (which for files dockerd wrote means the image has none either).
 */
export function inspectFromDisk(
  config: DockerDiskConfig,
  hostConfig: DockerHostConfig,
  options: InspectFromDiskOptions = {},
): DockerInspect {
  const state: DockerState = { ...(config.State ?? {}) };
  state.Status = stateString(state);
  const ulimits = [...(hostConfig.Ulimits ?? [])];
  for (const ulimit of options.defaultUlimits ?? []) {
    if (!ulimits.some((existing) => existing.Name === ulimit.Name)) ulimits.push(ulimit);
  }
  const containerConfig: DockerContainerConfig = { ...(config.Config ?? {}) };
  if (options.image) {
    if (!('User' in containerConfig) && options.image.User !== undefined) containerConfig.User = options.image.User;
    if (containerConfig.Healthcheck == null && options.image.Healthcheck) {
      containerConfig.Healthcheck = options.image.Healthcheck;
    }
  }
  const mounts: DockerMountPoint[] = Object.values(config.MountPoints ?? {}).map((point) => ({
    Type: point.Type ?? '',
    Name: point.Name ?? '',
    Source: point.Source ?? '',
    Destination: point.Destination ?? '',
    Driver: point.Driver ?? '',
    Mode: point.Relabel ?? '',
    RW: point.RW ?? false,
    Propagation: point.Propagation ?? '',
  }));
  return {
    Id: config.ID ?? '',
    Created: config.Created ?? '',
    Path: config.Path ?? '',
    Args: config.Args ?? [],
    State: state,
    Image: config.Image ?? '',
    Name: config.Name ?? '',
    RestartCount: config.RestartCount ?? 0,
    Driver: config.Driver ?? '',
    Platform: config.OS ?? '',
    MountLabel: config.MountLabel ?? '',
    ProcessLabel: config.ProcessLabel ?? '',
    AppArmorProfile: config.AppArmorProfile ?? '',
    HostConfig: { ...hostConfig, Ulimits: ulimits },
    Mounts: mounts,
    Config: containerConfig,
    NetworkSettings: config.NetworkSettings ?? null,
  };
}

/**
 * Containers read from Docker's data-root without the socket: the
 * least-privilege mode, for a collector that gets /var/lib/docker read-only.
 * Watching is a periodic rescan that re-reads only files whose mtime changed.
 */
export class DockerDiskSource implements ContainerSource {
  readonly name = 'docker-disk';
  readonly hostRoot: string;
  readonly dockerRoot: string;
  private readonly containersDir: string;
  private readonly imageDir: string;
  private readonly daemonJsonPath: string;
  private readonly rescanMs: number;
  private readonly cache = new Map<string, Entry>();
  private readonly images = new Map<string, DockerImageDefaults | undefined>();

  constructor(options: DockerDiskSourceOptions = {}) {
    this.hostRoot = options.hostRoot ?? '/';
    this.dockerRoot = path.join(this.hostRoot, options.dockerRoot ?? '/var/lib/docker');
    this.containersDir = path.join(this.dockerRoot, 'containers');
    this.imageDir = path.join(this.dockerRoot, 'image', options.storageDriver ?? 'overlay2', 'imagedb', 'content', 'sha256');
    this.daemonJsonPath = path.join(this.hostRoot, options.daemonJsonPath ?? '/etc/docker/daemon.json');
    this.rescanMs = options.rescanMs ?? 5_000;
    if (!Number.isFinite(this.rescanMs) || this.rescanMs <= 0) {
      throw new CollectorError('VIGIL_ERR_CONTAINER_CONFIG', ['rescanMs > 0', String(options.rescanMs)]);
    }
  }

  async list(): Promise<ContainerListing> {
    const entries = await this.scan();
    const facts: ContainerFactInit[] = [];
    const failures: ContainerFailure[] = [];
    for (const entry of entries.values()) {
      if (entry.kind === 'fact') facts.push(entry.fact);
      else failures.push(entry.failure);
    }
    return { facts, failures };
  }

  /** The container's fact read from disk, or `undefined` when it does not exist. */
  async inspect(id: string): Promise<ContainerFactInit | undefined> {
    const entry = await this.readContainer(id, await this.defaultUlimits());
    if (entry === undefined) return undefined;
    if (entry.kind === 'failure') throw entry.error;
    return entry.fact;
  }

  /** Rescans every `rescanMs`; only containers whose files changed are read again. */
  watch(onEvent: (event: ContainerEvent) => void, onError: (error: Error) => void = () => {}): ContainerWatch {
    return watchByRescan(() => this.list(), this.rescanMs, onEvent, onError);
  }

  private async scan(): Promise<Map<string, Entry>> {
    let names: string[];
    try {
      names = await readdir(this.containersDir);
    } catch (error) {
      throw new CollectorError('VIGIL_ERR_CONTAINER_DISK_ROOT', [this.containersDir, reason(error)], {
        cause: error,
      });
    }
    const defaults = await this.defaultUlimits();
    const entries = new Map<string, Entry>();
    for (const name of names.filter((candidate) => CONTAINER_ID.test(candidate)).sort()) {
      const entry = await this.readContainer(name, defaults);
      if (entry) entries.set(name, entry);
    }
    for (const id of [...this.cache.keys()]) if (!entries.has(id)) this.cache.delete(id);
    return entries;
  }

  /** `undefined` when the container's directory is gone (removed mid-scan). */
  private async readContainer(id: string, defaults: readonly DockerUlimit[]): Promise<Entry | undefined> {
    const dir = path.join(this.containersDir, id);
    const configPath = path.join(dir, 'config.v2.json');
    const hostConfigPath = path.join(dir, 'hostconfig.json');
    const failure = (code: CollectorErrorCode, file: string, detail: string, key: string): Entry => {
      const error = new CollectorError(code, [file, detail]);
      return { kind: 'failure', key, error, failure: { id, path: file, code, message: error.message } };
    };
    let key: string;
    try {
      const [configStat, hostStat] = await Promise.all([stat(configPath), stat(hostConfigPath)]);
      key = [configStat, hostStat].map((s) => `${s.ino}:${s.mtimeMs}:${s.size}`).join('/') + JSON.stringify(defaults);
    } catch (error) {
      if (!(await exists(dir))) return undefined;
      const missing = (await exists(configPath)) ? hostConfigPath : configPath;
      return failure('VIGIL_ERR_CONTAINER_DISK_READ', missing, reason(error), `missing:${missing}`);
    }
    const cached = this.cache.get(id);
    if (cached && cached.key === key) return cached;

    let entry: Entry;
    const config = await readJson<DockerDiskConfig>(configPath);
    const hostConfig = await readJson<DockerHostConfig>(hostConfigPath);
    if ('error' in config) entry = failure(config.code, configPath, config.error, key);
    else if ('error' in hostConfig) entry = failure(hostConfig.code, hostConfigPath, hostConfig.error, key);
    else if (!isObject(config.value.Config) || typeof config.value.ID !== 'string') {
      entry = failure('VIGIL_ERR_CONTAINER_DISK_MALFORMED', configPath, 'no ID or Config', key);
    } else {
      const image = await this.imageDefaults(config.value);
      const inspect = inspectFromDisk(config.value, hostConfig.value, { defaultUlimits: defaults, ...(image ? { image } : {}) });
      entry = { kind: 'fact', key, fact: normaliseDockerInspect(inspect) };
    }
    this.cache.set(id, entry);
    return entry;
  }

  /**
   * Read only when Config lacks User (a key dockerd always writes) or has no
   * Healthcheck (omitted when none). dockerd merged the image's values in at
   * create time, so for files it wrote this finds nothing new.
   */
  private async imageDefaults(config: DockerDiskConfig): Promise<DockerImageDefaults | undefined> {
    const containerConfig = config.Config ?? {};
    if ('User' in containerConfig && containerConfig.Healthcheck != null) return undefined;
    const imageId = (config.Image ?? '').replace(/^sha256:/, '');
    if (!/^[0-9a-f]{64}$/.test(imageId)) return undefined;
    if (this.images.has(imageId)) return this.images.get(imageId);
    const image = await readJson<{ config?: DockerImageDefaults }>(path.join(this.imageDir, imageId));
    const defaults = 'error' in image ? undefined : image.value.config;
    this.images.set(imageId, defaults);
    return defaults;
  }

  /** daemon.json's default-ulimits; none when it is absent or unreadable (dockerd would not start with a bad one). */
  private async defaultUlimits(): Promise<DockerUlimit[]> {
    const daemon = await readJson<{ 'default-ulimits'?: Record<string, DockerUlimit> }>(this.daemonJsonPath);
    if ('error' in daemon || !isObject(daemon.value['default-ulimits'])) return [];
    return Object.entries(daemon.value['default-ulimits']).map(([name, ulimit]) => ({
      Name: ulimit.Name ?? name,
      Soft: ulimit.Soft ?? 0,
      Hard: ulimit.Hard ?? 0,
    }));
  }
}

type JsonRead<T> = { value: T } | { error: string; code: CollectorErrorCode };

async function readJson<T>(file: string): Promise<JsonRead<T>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { error: reason(error), code: 'VIGIL_ERR_CONTAINER_DISK_READ' };
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (!isObject(value)) return { error: 'not a JSON object', code: 'VIGIL_ERR_CONTAINER_DISK_MALFORMED' };
    return { value: value as T };
  } catch (error) {
    return { error: reason(error), code: 'VIGIL_ERR_CONTAINER_DISK_MALFORMED' };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
