/**
 * The parts of Docker's `GET /containers/{id}/json` answer (API 1.41) that the
 * normaliser reads. Every field is optional and may be null: fixtures from
 * older engines and objects rebuilt from on-disk state omit some of them.
 */
export interface DockerPortBinding {
  HostIp?: string | null;
  HostPort?: string | null;
}

export type DockerPortMap = Record<string, DockerPortBinding[] | null>;

export interface DockerHealthcheck {
  Test?: string[] | null;
  Interval?: number | null;
  Timeout?: number | null;
  StartPeriod?: number | null;
  Retries?: number | null;
}

export interface DockerMountPoint {
  Type?: string | null;
  Name?: string | null;
  Source?: string | null;
  Destination?: string | null;
  Driver?: string | null;
  Mode?: string | null;
  RW?: boolean | null;
  Propagation?: string | null;
}

/** HostConfig.Mounts entries (the --mount API). */
export interface DockerMountSpec {
  Type?: string | null;
  Source?: string | null;
  Target?: string | null;
  ReadOnly?: boolean | null;
  BindOptions?: { Propagation?: string | null } | null;
}

export interface DockerDevice {
  PathOnHost?: string | null;
  PathInContainer?: string | null;
  CgroupPermissions?: string | null;
}

export interface DockerUlimit {
  Name?: string | null;
  Soft?: number | null;
  Hard?: number | null;
}

export interface DockerHostConfig {
  Binds?: string[] | null;
  Mounts?: DockerMountSpec[] | null;
  Tmpfs?: Record<string, string> | null;
  NetworkMode?: string | null;
  PortBindings?: DockerPortMap | null;
  RestartPolicy?: { Name?: string | null; MaximumRetryCount?: number | null } | null;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  CgroupnsMode?: string | null;
  IpcMode?: string | null;
  PidMode?: string | null;
  UTSMode?: string | null;
  UsernsMode?: string | null;
  Privileged?: boolean | null;
  ReadonlyRootfs?: boolean | null;
  SecurityOpt?: string[] | null;
  Runtime?: string | null;
  CpuShares?: number | null;
  Memory?: number | null;
  NanoCpus?: number | null;
  CgroupParent?: string | null;
  PidsLimit?: number | null;
  Devices?: DockerDevice[] | null;
  Ulimits?: DockerUlimit[] | null;
  Sysctls?: Record<string, string> | null;
  MaskedPaths?: string[] | null;
  ReadonlyPaths?: string[] | null;
  [key: string]: unknown;
}

export interface DockerContainerConfig {
  User?: string | null;
  Image?: string | null;
  Labels?: Record<string, string> | null;
  Healthcheck?: DockerHealthcheck | null;
  [key: string]: unknown;
}

export interface DockerState {
  Status?: string | null;
  Running?: boolean | null;
  Paused?: boolean | null;
  Restarting?: boolean | null;
  Dead?: boolean | null;
  RemovalInProgress?: boolean | null;
  StartedAt?: string | null;
  Health?: { Status?: string | null } | null;
  [key: string]: unknown;
}

export interface DockerInspect {
  Id?: string | null;
  Created?: string | null;
  Name?: string | null;
  Image?: string | null;
  RestartCount?: number | null;
  AppArmorProfile?: string | null;
  State?: DockerState | null;
  HostConfig?: DockerHostConfig | null;
  Config?: DockerContainerConfig | null;
  Mounts?: DockerMountPoint[] | null;
  NetworkSettings?: { Ports?: DockerPortMap | null; [key: string]: unknown } | null;
  [key: string]: unknown;
}

/** `GET /exec/{id}/json`. */
export interface DockerExecInspect {
  ID?: string;
  ContainerID?: string;
  Running?: boolean;
  ProcessConfig?: {
    entrypoint?: string;
    arguments?: string[] | null;
    privileged?: boolean;
    user?: string;
    tty?: boolean;
  } | null;
}
