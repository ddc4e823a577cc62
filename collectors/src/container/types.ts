import type { ContainerFactInit } from '../../../proto/src/index.js';
import type { CollectorErrorCode } from '../errors.js';

export type { ContainerFactInit };

/** One container that could not be read; the others are still listed. */
export interface ContainerFailure {
  /** Container id when known, else the directory or file name. */
  id: string;
  /** The file or API path that failed. */
  path: string;
  code: CollectorErrorCode;
  /** Starts with the code, as every collector message does. */
  message: string;
}

export interface ContainerListing {
  facts: ContainerFactInit[];
  failures: ContainerFailure[];
}

/**
 * What a source reports while watching. Container life-cycle actions carry the
 * container's fact as it is after the change; `destroy` carries none.
 * `exec_create`/`exec_start` carry a copy of the container's fact with the
 * `exec_*` fields set. `resync` (no id) says events may have been missed (the
 * source reconnected): list everything again.
 */
export type ContainerEventAction =
  | 'create'
  | 'start'
  | 'die'
  | 'update'
  | 'rename'
  | 'destroy'
  | 'exec_create'
  | 'exec_start'
  | 'change'
  | 'resync';

export interface ContainerEvent {
  action: ContainerEventAction;
  id: string;
  fact?: ContainerFactInit;
  /** When the engine says it happened (or when a rescan saw it), unix ms. */
  time_ms: number;
}

export interface ContainerWatch {
  stop(): Promise<void>;
}

/**
 * A port: where container facts come from (the Docker API, Docker's on-disk
 * state, containerd's task bundles). Sources normalise to `ContainerFactInit`
 * and never know about sinks.
 */
export interface ContainerSource {
  /** Short name for logs, e.g. "docker-api", "docker-disk". */
  readonly name: string;
  /** Every container the source knows of, including created and exited ones. */
  list(): Promise<ContainerListing>;
  /**
   * Reports changes until stopped. Errors that the watch recovers from
   * (a reconnect, one unreadable container) go to `onError`; it never throws.
   */
  watch?(onEvent: (event: ContainerEvent) => void, onError?: (error: Error) => void): ContainerWatch;
  /** Releases sockets and timers. */
  close?(): Promise<void>;
}

/** The subset of pino's interface the collector uses. */
export interface ContainerLogger {
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
  debug(obj: Record<string, unknown>, msg?: string): void;
}
