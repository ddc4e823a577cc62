import type { ContainerFactInit } from '../../../proto/src/index.js';
import type { FactSink } from '../sink.js';
import { CollectorError, reason } from '../errors.js';
import type { ContainerEvent, ContainerLogger, ContainerSource, ContainerWatch } from './types.js';

export const DEFAULT_CONTAINER_INTERVAL_MS = 5 * 60_000;

export interface ContainerCollectorOptions {
  sources: readonly ContainerSource[];
  sink: FactSink;
  /** Every container is published again this often, changed or not. */
  intervalMs?: number;
  logger?: ContainerLogger;
}

export interface ContainerCollector {
  stop(): Promise<void>;
}

const SILENT: ContainerLogger = { info() {}, warn() {}, error() {}, debug() {} };

/** A failure that keeps happening the same way (no Docker on this host) is logged once, and again when it changes or recovers. */
export class FailureOnce {
  private readonly last = new Map<string, string>();

  constructor(private readonly logger: ContainerLogger) {}

  failed(level: 'warn' | 'error', key: string, details: { source: string; err: string }, message: string): void {
    if (this.last.get(key) === details.err) return;
    this.last.set(key, details.err);
    this.logger[level](details, `${message} (reported again only when it changes)`);
  }

  recovered(key: string, source: string): void {
    if (this.last.delete(key)) this.logger.info({ source }, 'container source readable again');
  }
}

/** What the collector last published per container: a fact is sent again only when it differs. */
export class PublishedFacts {
  private readonly fingerprints = new Map<string, string>(); // `${source}/${id}` → fingerprint

  static key(source: string, id: string | null | undefined): string {
    return `${source}/${id ?? ''}`;
  }

  /** Records the fact and says whether it must be sent. */
  claim(key: string, fact: ContainerFactInit, force: boolean): boolean {
    const fingerprint = JSON.stringify(fact);
    if (!force && this.fingerprints.get(key) === fingerprint) return false;
    this.fingerprints.set(key, fingerprint);
    return true;
  }

  forget(key: string): void {
    this.fingerprints.delete(key);
  }

  /** Forgets the containers of `source` that a listing no longer holds (and did not fail to read). */
  retain(source: string, listed: ReadonlySet<string>, unreadable: ReadonlySet<string>): void {
    for (const key of [...this.fingerprints.keys()]) {
      if (key.startsWith(`${source}/`) && !listed.has(key) && !unreadable.has(key)) this.fingerprints.delete(key);
    }
  }
}

class ContainerPublisher implements ContainerCollector {
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly published = new PublishedFacts();
  private readonly watches: ContainerWatch[] = [];
  private readonly failures: FailureOnce;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sources: readonly ContainerSource[],
    private readonly sink: FactSink,
    private readonly logger: ContainerLogger,
  ) {
    this.failures = new FailureOnce(logger);
  }

  start(intervalMs: number): this {
    for (const source of this.sources) {
      // Not forced: whatever the watch's first report already published is not sent twice.
      this.track(this.sweep(source, false));
      this.watch(source);
    }
    this.timer = setInterval(() => {
      for (const source of this.sources) this.track(this.sweep(source, true));
    }, intervalMs);
    return this;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.allSettled(this.watches.map((watch) => watch.stop()));
    await Promise.allSettled([...this.inFlight]);
    await Promise.allSettled(this.sources.map((source) => source.close?.()));
  }

  private watch(source: ContainerSource): void {
    if (!source.watch) return;
    try {
      this.watches.push(
        source.watch(
          (event) => this.onEvent(source, event),
          (error) => this.failures.failed('warn', `watch/${source.name}`, { source: source.name, err: reason(error) }, 'container watch'),
        ),
      );
    } catch (error) {
      this.logger.error({ source: source.name, err: reason(error) }, 'container watch not started');
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async publish(source: ContainerSource, fact: ContainerFactInit, force: boolean): Promise<void> {
    const key = PublishedFacts.key(source.name, fact.id);
    if (!this.published.claim(key, fact, force)) return;
    try {
      await this.sink.publish({ container: fact });
    } catch (error) {
      this.published.forget(key); // publish again on the next chance
      this.logger.error({ source: source.name, container: fact.id, err: reason(error) }, 'container fact not published');
    }
  }

  private async publishExec(source: ContainerSource, fact: ContainerFactInit): Promise<void> {
    try {
      await this.sink.publish({ container: fact });
    } catch (error) {
      this.logger.error({ source: source.name, container: fact.id, err: reason(error) }, 'exec fact not published');
    }
  }

  private async sweep(source: ContainerSource, force: boolean): Promise<void> {
    try {
      const { facts, failures } = await source.list();
      for (const failure of failures) {
        this.logger.warn({ source: source.name, container: failure.id, path: failure.path, code: failure.code, err: failure.message }, 'container not read');
      }
      this.published.retain(
        source.name,
        new Set(facts.map((fact) => PublishedFacts.key(source.name, fact.id))),
        new Set(failures.map((f) => PublishedFacts.key(source.name, f.id))),
      );
      for (const fact of facts) {
        if (this.stopped) return;
        await this.publish(source, fact, force);
      }
      this.failures.recovered(`list/${source.name}`, source.name);
      this.logger.debug({ source: source.name, containers: facts.length, failures: failures.length }, 'containers listed');
    } catch (error) {
      this.failures.failed('error', `list/${source.name}`, { source: source.name, err: reason(error) }, 'container listing failed');
    }
  }

  private onEvent(source: ContainerSource, event: ContainerEvent): void {
    if (this.stopped) return;
    this.logger.debug({ source: source.name, action: event.action, container: event.id }, 'container event');
    if (event.action === 'resync') {
      this.track(this.sweep(source, false));
      return;
    }
    if (event.action === 'destroy') {
      this.published.forget(PublishedFacts.key(source.name, event.id));
      return;
    }
    if (!event.fact) return;
    if (event.action === 'exec_create' || event.action === 'exec_start') this.track(this.publishExec(source, event.fact));
    else this.track(this.publish(source, event.fact, false));
  }
}

/**
 * Publishes every container's fact on start, again when a source reports a
 * change (only when the fact really differs from the last one published for
 * that container), exec facts as they come, and everything every `intervalMs`.
 * Nothing a source or the sink does makes it throw: failures are logged.
 */
export function startContainerCollector(options: ContainerCollectorOptions): ContainerCollector {
  const intervalMs = options.intervalMs ?? DEFAULT_CONTAINER_INTERVAL_MS;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new CollectorError('VIGIL_ERR_CONTAINER_CONFIG', ['intervalMs > 0', String(options.intervalMs)]);
  }
  return new ContainerPublisher(options.sources, options.sink, options.logger ?? SILENT).start(intervalMs);
}
