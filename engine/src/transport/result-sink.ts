import type { Publication } from '../pool/judge.js';
import type { StoreOutcome } from './acked-publisher.js';

export type { Publication } from '../pool/judge.js';
export type { StoreOutcome } from './acked-publisher.js';

/**
 * The publications of one group of fact messages, settled together: the
 * messages are acked only when every publication reached the server (and every
 * stream that keeps one stored it), and every hold resolved true.
 */
export interface ResultGroup {
  /** Publishes now; `outcome` hears a stream's answer (subjects a stream keeps only). */
  publish(publication: Publication, outcome?: (outcome: StoreOutcome) => void): void;
  /** Keeps the group open until `until` resolves: false or a rejection fails the group. Publishing meanwhile is allowed. */
  hold(until: Promise<boolean>): void;
  /** No more publications but those of open holds; `settled` is called once, true when everything was delivered. */
  seal(settled: (delivered: boolean) => void): void;
}

/** Where the engine's verdicts, alerts and dead letters go. */
export interface ResultSink {
  group(): ResultGroup;
  /** Delivers what is queued and waits up to `timeoutMs` for the streams' answers; the rest fails. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * The settlement of one group, for sinks to build on: settles when sealed,
 * no hold is open, nothing is outstanding and `delivered()` says the rest
 * reached the server.
 */
export class Settlement {
  #holds = 0;
  #outstanding = 0;
  #failed = false;
  #sealed = false;
  #settled = false;
  #onSettled: ((delivered: boolean) => void) | undefined;

  constructor(private readonly delivered: () => boolean | 'wait') {}

  /** A publication whose answer is awaited; call the returned function once with it. */
  expect(): (ok: boolean) => void {
    this.#outstanding++;
    return (ok) => {
      this.#outstanding--;
      if (!ok) this.#failed = true;
      this.check();
    };
  }

  hold(until: Promise<boolean>): void {
    this.#holds++;
    until.then(
      (ok) => ok || (this.#failed = true),
      () => (this.#failed = true),
    ).finally(() => {
      this.#holds--;
      this.check();
    });
  }

  fail(): void {
    this.#failed = true;
  }

  seal(settled: (delivered: boolean) => void): void {
    this.#sealed = true;
    this.#onSettled = settled;
    this.check();
  }

  get open(): boolean {
    return !this.#settled;
  }

  /** Settles if nothing is left to wait for; sinks call it when a flush came back. */
  check(): void {
    if (this.#settled || !this.#sealed || this.#holds > 0 || this.#outstanding > 0) return;
    const delivered = this.#failed ? false : this.delivered();
    if (delivered === 'wait') return;
    this.#settled = true;
    this.#onSettled!(delivered && !this.#failed);
  }
}
