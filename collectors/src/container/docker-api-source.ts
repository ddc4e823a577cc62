import type { ContainerFactInit } from '../../../proto/src/index.js';
import type { DockerExecInspect, DockerInspect } from './docker-inspect.js';
import { DockerHttpClient, type DockerHttpOptions } from './docker-http.js';
import { CollectorError, reason } from '../errors.js';
import { JsonStreamDecoder } from './json-stream.js';
import { normaliseDockerInspect } from './normalise-docker.js';
import type {
  ContainerEvent,
  ContainerEventAction,
  ContainerFailure,
  ContainerListing,
  ContainerSource,
  ContainerWatch,
} from './types.js';

export interface DockerApiSourceOptions extends DockerHttpOptions {
  /** First wait before reconnecting the event stream; doubles up to `reconnectMaxMs`. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** Parallel inspect calls while listing. */
  concurrency?: number;
}

interface DockerEventMessage {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
}

const LIFECYCLE_ACTIONS = new Set<ContainerEventAction>(['create', 'start', 'die', 'update', 'rename']);
const EVENT_FILTERS = encodeURIComponent(JSON.stringify({ type: ['container'] }));
const RECENT_EVENTS = 256;

/**
 * Containers as the Docker Engine API reports them: list + inspect, and the
 * `/events` stream for changes. Talks HTTP over the unix socket itself.
 */
export class DockerApiSource implements ContainerSource {
  readonly name = 'docker-api';
  readonly client: DockerHttpClient;
  private readonly reconnectMinMs: number;
  private readonly reconnectMaxMs: number;
  private readonly concurrency: number;

  constructor(options: DockerApiSourceOptions = {}) {
    this.client = new DockerHttpClient(options);
    this.reconnectMinMs = options.reconnectMinMs ?? 500;
    this.reconnectMaxMs = options.reconnectMaxMs ?? 30_000;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
  }

  /** All containers, created and exited too. One that vanishes mid-listing is skipped. */
  async list(): Promise<ContainerListing> {
    const summaries = (await this.client.getJson<Array<{ Id?: string }>>('/containers/json?all=1')) ?? [];
    if (!Array.isArray(summaries)) {
      throw new CollectorError('VIGIL_ERR_CONTAINER_DOCKER_RESPONSE', [
        this.client.socketPath,
        'GET /containers/json',
        'expected an array',
      ]);
    }
    const ids = summaries.map((summary) => summary.Id).filter((id): id is string => typeof id === 'string');
    const facts: ContainerFactInit[] = [];
    const failures: ContainerFailure[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length) {
        const id = ids[next++] as string;
        try {
          const fact = await this.inspect(id);
          if (fact) facts.push(fact);
        } catch (error) {
          const path = `/containers/${id}/json`;
          const known = error instanceof CollectorError ? error : new CollectorError('VIGIL_ERR_CONTAINER_DOCKER_RESPONSE', [this.client.socketPath, path, reason(error)]);
          failures.push({ id, path, code: known.code, message: known.message });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, ids.length) }, worker));
    const order = new Map(ids.map((id, index) => [id, index]));
    facts.sort((a, b) => (order.get(a.id ?? '') ?? 0) - (order.get(b.id ?? '') ?? 0));
    return { facts, failures };
  }

  /** The container's fact, or `undefined` when it does not exist (any more). */
  async inspect(id: string): Promise<ContainerFactInit | undefined> {
    const raw = await this.inspectRaw(id);
    return raw ? normaliseDockerInspect(raw) : undefined;
  }

  inspectRaw(id: string): Promise<DockerInspect | undefined> {
    return this.client.getJson<DockerInspect>(`/containers/${encodeURIComponent(id)}/json`, { allowNotFound: true });
  }

  inspectExec(execId: string): Promise<DockerExecInspect | undefined> {
    return this.client.getJson<DockerExecInspect>(`/exec/${encodeURIComponent(execId)}/json`, { allowNotFound: true });
  }

  /**
   * Streams container events until stopped; reconnects with exponential
   * backoff when the socket goes away and then reports `resync`.
   */
  watch(onEvent: (event: ContainerEvent) => void, onError: (error: Error) => void = () => {}): ContainerWatch {
    let stopped = false;
    let abortCurrent: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    let attempt = 0;
    let connectedOnce = false;
    let since: string | undefined;
    let chain: Promise<void> = Promise.resolve();
    const recent: string[] = [];

    const report = (error: unknown): void => {
      if (!stopped) onError(error instanceof Error ? error : new Error(String(error)));
    };
    const emit = (event: ContainerEvent): void => {
      if (stopped) return;
      try {
        onEvent(event);
      } catch (error) {
        report(error);
      }
    };
    const enqueue = (work: () => Promise<void>): void => {
      chain = chain.then(work).catch(report);
    };
    const scheduleReconnect = (): void => {
      if (stopped || timer) return;
      const delay = Math.min(this.reconnectMaxMs, this.reconnectMinMs * 2 ** attempt);
      attempt++;
      timer = setTimeout(() => {
        timer = undefined;
        void connect();
      }, delay);
    };
    const connect = async (): Promise<void> => {
      if (stopped) return;
      try {
        const path = `/events?filters=${EVENT_FILTERS}${since ? `&since=${since}` : ''}`;
        const { response, abort } = await this.client.openStream(path);
        if (stopped) {
          abort();
          return;
        }
        abortCurrent = abort;
        const connectedAt = Date.now();
        if (connectedOnce) emit({ action: 'resync', id: '', time_ms: Date.now() });
        connectedOnce = true;
        const decoder = new JsonStreamDecoder();
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          for (const item of decoder.push(chunk)) {
            if ('error' in item) {
              report(item.error);
              continue;
            }
            const message = item.value as DockerEventMessage;
            const key = `${message.Actor?.ID ?? message.id}/${message.Action ?? message.status}/${message.timeNano ?? message.time}`;
            if (recent.includes(key)) continue;
            recent.push(key);
            if (recent.length > RECENT_EVENTS) recent.shift();
            // Whole seconds: timeNano loses precision as a JS number; replays of
            // the same second are dropped by `recent`.
            if (message.time) since = String(message.time);
            enqueue(() => this.handleEvent(message, emit));
          }
        });
        let ended = false;
        const onEnd = (error?: Error): void => {
          if (ended) return;
          ended = true;
          abortCurrent = undefined;
          if (stopped) return;
          if (Date.now() - connectedAt > 10_000) attempt = 0;
          report(
            new CollectorError('VIGIL_ERR_CONTAINER_DOCKER_UNREACHABLE', [
              this.client.socketPath,
              `event stream ended${error ? `: ${reason(error)}` : ''}; reconnecting`,
            ]),
          );
          this.client.resetVersion();
          scheduleReconnect();
        };
        response.once('end', () => onEnd());
        response.once('close', () => onEnd());
        response.once('error', (error) => onEnd(error));
      } catch (error) {
        report(error);
        this.client.resetVersion();
        scheduleReconnect();
      }
    };

    void connect();
    return {
      stop: async () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        timer = undefined;
        abortCurrent?.();
        await chain;
      },
    };
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async handleEvent(message: DockerEventMessage, emit: (event: ContainerEvent) => void): Promise<void> {
    if (message.Type !== undefined && message.Type !== 'container') return;
    const fullAction = message.Action ?? message.status ?? '';
    const colon = fullAction.indexOf(':');
    const action = (colon >= 0 ? fullAction.slice(0, colon) : fullAction).trim();
    const command = colon >= 0 ? fullAction.slice(colon + 1).trim() : '';
    const id = message.Actor?.ID ?? message.id ?? '';
    if (id === '') return;
    const time_ms = message.timeNano ? Math.floor(message.timeNano / 1e6) : (message.time ?? 0) * 1000;

    if (action === 'destroy') {
      emit({ action: 'destroy', id, time_ms });
      return;
    }
    if (LIFECYCLE_ACTIONS.has(action as ContainerEventAction)) {
      const fact = await this.inspect(id);
      if (fact) emit({ action: action as ContainerEventAction, id, fact, time_ms });
      else emit({ action: 'destroy', id, time_ms });
      return;
    }
    if (action === 'exec_create' || action === 'exec_start') {
      const fact = await this.inspect(id);
      if (!fact) return;
      const execId = message.Actor?.Attributes?.execID;
      const exec = execId ? await this.inspectExec(execId).catch(() => undefined) : undefined;
      const process = exec?.ProcessConfig;
      const execCommand = process?.entrypoint
        ? [process.entrypoint, ...(process.arguments ?? [])]
        : command.split(' ').filter((part) => part !== '');
      const execUser = process?.user ?? '';
      const execPrivileged = process?.privileged === true;
      if (isHealthProbe(fact, command, execPrivileged, execUser)) return;
      emit({
        action,
        id,
        time_ms,
        fact: { ...fact, exec_privileged: execPrivileged, exec_user: execUser, exec_command: execCommand },
      });
    }
  }
}

/**
 * Docker runs health checks as execs, which raise exec events too. A probe
 * runs the configured test, unprivileged, as the container's user: those are
 * not reported.
 */
export function isHealthProbe(fact: ContainerFactInit, command: string, privileged: boolean, user: string): boolean {
  const test = fact.health_check?.test ?? [];
  let probe: string[];
  if (test[0] === 'CMD-SHELL') probe = ['/bin/sh', '-c', test.slice(1).join(' ')];
  else if (test[0] === 'CMD') probe = test.slice(1);
  else return false;
  return !privileged && (user === '' || user === (fact.user ?? '')) && probe.join(' ') === command;
}
