import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { VigilEngineError, type EngineErrorCode } from '../errors.js';
import { checkPolicySet } from '../policy/policy-set.js';
import { failedJudgement, mergeJudgements, splitFacts, type FactMessage, type Judgement } from './judge.js';
import { packMessages, unpackPublications, type FromWorker, type MemberInit, type PackedJudgement, type SharedRules, type ToWorker, type WorkerInit } from './protocol.js';
import { WARMUP_BUDGET_MS } from './warmup.js';
import type { ContextEntry } from '../context/context-cache.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);
/** Context facts a pool holds at most (containers, images and hosts of a fleet). */
const MAX_CONTEXT_ENTRIES = 100_000;

/** The compiled bundles the pool loads into every worker, and the operator's data they share. */
export interface PoolPolicies {
  members: MemberInit[];
  overlay: Record<string, unknown>;
  /**
   * The members are versions of one bundle judged side by side (a replay, a
   * shadow), so one rule may be enabled in several; their findings are told
   * apart by bundle name, never published as the served set's alerts.
   */
  sideBySide?: boolean;
  /** Side by side: rules a member takes from another rather than judging them again. */
  shared?: SharedRules;
}

export interface PoolOptions<T> extends PoolPolicies {
  /** Worker threads, each with its own instance of every bundle. */
  size: number;
  /** A task running longer is stopped: its worker is terminated and replaced. */
  timeoutMs: number;
  /** Each instance's WASM memory cap, in 64 KiB pages. */
  maxMemoryPages: number;
  /** Tasks handed to one worker ahead of its results (1 running + the rest queued). */
  maxTasksPerWorker: number;
  /** A task is at most this many messages and, beyond its first message, this many bytes. */
  maxTaskMessages: number;
  maxTaskBytes: number;
  /** Facts per call of the batch entrypoint (default: the evaluator's). */
  batchSize?: number;
  /** Time each new worker spends judging exemplar facts before it takes tasks (default WARMUP_BUDGET_MS; 0: none). */
  warmupMs?: number;
  /** Workers also return what runtime facts showed their workloads doing (for the profile learner). */
  observe?: boolean;
  /** False: workers encode no verdicts (a replay or a shadow compares alerts only). */
  verdicts?: boolean;
  logger: Logger;
  /** Receives each submitted group's judgement, with the tags given to `submit`. */
  onJudged(tags: T[], judgement: Judgement): void;
}

export interface PoolStats {
  workers: number;
  /** Messages submitted and not yet judged. */
  inFlight: number;
  /** Workers replaced after a timeout, a crash or a failed data update. */
  restarts: number;
  /** Tasks stopped at their deadline (a batch, then each of its facts alone). */
  timeouts: number;
  /** Tasks whose worker died under them. */
  crashes: number;
}

interface Task {
  id: number;
  messages: FactMessage[];
  /** Already one fact: a failure is the fact's, not its neighbours'. */
  isolated: boolean;
  done(judgement: Judgement): void;
}

type Entry =
  | { kind: 'task'; task: Task }
  /** A data update; `fallback` is the data to go back to if it fails. */
  | { kind: 'data'; id: number; fallback: Record<string, unknown>; settle(error?: string): void };

interface Generation extends PoolPolicies {
  revision: string;
  workers: Set<PoolWorker>;
  retiring: boolean;
  /** Turned to 0 for the generation when a worker's warm-up overran its deadline. */
  warmupMs: number;
}

interface PoolWorker {
  thread: Worker;
  generation: Generation;
  state: 'loading' | 'ready' | 'dead';
  /** What was posted to the thread and not yet answered, in order; the head is running. */
  entries: Entry[];
  timer?: NodeJS.Timeout;
}

/**
 * Worker threads that judge fact messages. Messages submitted are grouped
 * into tasks (several messages, one evaluation per kind and batch) and handed
 * to the least busy worker, at most `maxTasksPerWorker` each; beyond that they
 * wait, and `accepting()` turns false so the caller stops pulling.
 *
 * A task that runs past `timeoutMs` or whose worker dies is not retried as a
 * whole: its worker is terminated and replaced, and its facts are judged again
 * one per task, so only the fact at fault is dead-lettered (`timeout`, or
 * `evaluation` for a crash) and every other fact gets its verdict.
 *
 * A new set of bundles is loaded into a whole new set of workers before any
 * task goes to them; tasks already handed to the old set finish there, so each
 * task is judged by exactly one set of bundles.
 */
export class WorkerPool<T> {
  private readonly options: PoolOptions<T>;
  private current: Generation;
  private readonly retired = new Set<Generation>();
  private pending: { message: FactMessage; tag: T }[] = [];
  private readonly retries: Task[] = [];
  private inFlight = 0;
  private nextId = 1;
  private waiters: (() => void)[] = [];
  private terminated = false;
  private readonly counters = { restarts: 0, timeouts: 0, crashes: 0 };
  private swapping: Promise<unknown> = Promise.resolve();
  /** The latest context facts, handed to each new worker; changes go to every live one. */
  private readonly context = new Map<string, Uint8Array>();
  /** Every worker thread not yet terminated, loading ones included. */
  private readonly live = new Set<PoolWorker>();

  private constructor(options: PoolOptions<T>, generation: Generation) {
    this.options = options;
    this.current = generation;
  }

  /** Starts `size` workers and resolves when every one has loaded the bundles. */
  static async start<T>(options: PoolOptions<T>): Promise<WorkerPool<T>> {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new VigilEngineError('VIGIL_ERR_ENGINE_CONFIG', ['workers to be a whole number ≥ 1', String(options.size)]);
    }
    const pool = new WorkerPool(options, generationOf(options, options.warmupMs ?? WARMUP_BUDGET_MS));
    await pool.fill(pool.current);
    return pool;
  }

  get revision(): string {
    return this.current.revision;
  }

  /** The bundles and data new tasks are judged with. */
  get policies(): PoolPolicies {
    return { members: this.current.members, overlay: this.current.overlay };
  }

  stats(): PoolStats {
    let workers = 0;
    for (const w of this.current.workers) if (w.state === 'ready') workers++;
    return { workers, inFlight: this.inFlight, ...this.counters };
  }

  /** Queues a message; `onJudged` gets its judgement (with others', tagged). */
  submit(message: FactMessage, tag: T): void {
    if (this.terminated) throw new Error('worker pool is closed');
    this.pending.push({ message, tag });
    this.inFlight++;
    this.pump();
  }

  /** False while a task's worth of messages already waits for a worker. */
  accepting(): boolean {
    return this.retries.length === 0 && this.pending.length < this.options.maxTaskMessages;
  }

  /** Resolves when `accepting()` is true again. */
  async whenAccepting(): Promise<void> {
    while (!this.accepting()) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Resolves when everything submitted has been judged. */
  async idle(): Promise<void> {
    while (this.inFlight > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Waits for everything submitted, then terminates the workers. */
  async close(): Promise<void> {
    await this.swapping.catch(() => undefined);
    await this.idle();
    this.terminated = true;
    const all = [this.current, ...this.retired].flatMap((g) => [...g.workers]);
    await Promise.all(all.map((w) => this.kill(w)));
  }

  /** The context facts held now, oldest first. */
  contextEntries(): ContextEntry[] {
    return [...this.context];
  }

  /** Latest container, image and host facts changed (see ContextStore): every worker judges with them from its next task on. */
  updateContext(entries: readonly ContextEntry[]): void {
    if (entries.length === 0) return;
    for (const [key, value] of entries) {
      if (value === null) this.context.delete(key);
      else {
        // Insertion order is age: the oldest entry goes first past the cap.
        this.context.delete(key);
        this.context.set(key, value);
        if (this.context.size > MAX_CONTEXT_ENTRIES) this.context.delete(this.context.keys().next().value!);
      }
    }
    const message: ToWorker = { type: 'context', entries: [...entries] };
    for (const worker of this.live) if (worker.state !== 'dead') worker.thread.postMessage(message);
  }

  /**
   * Stops at once: what was submitted and not judged yet is dropped, without
   * judgements, and the workers are terminated. For work nobody waits on (a shadow).
   */
  async abandon(): Promise<void> {
    this.terminated = true;
    this.pending = [];
    this.retries.length = 0;
    this.inFlight = 0;
    const all = [this.current, ...this.retired].flatMap((g) => [...g.workers]);
    await Promise.all(all.map((w) => this.kill(w)));
    this.notify();
  }

  /**
   * Loads another set of bundles into new workers and switches to it once all
   * have loaded; on any failure the new workers are discarded and the old ones
   * keep serving. Tasks already handed out finish on the workers that have them.
   */
  replacePolicies(next: PoolPolicies): Promise<void> {
    return this.serialised(async () => {
      const generation = generationOf({ ...this.options, ...next }, this.options.warmupMs ?? WARMUP_BUDGET_MS);
      try {
        await this.fill(generation);
      } catch (error) {
        generation.retiring = true;
        await Promise.all([...generation.workers].map((w) => this.kill(w)));
        throw error;
      }
      const old = this.current;
      this.current = generation;
      old.retiring = true;
      this.retired.add(old);
      for (const w of old.workers) this.retireIfDone(w);
      this.options.logger.info({ from: old.revision, to: generation.revision }, 'policy bundles replaced');
      this.pump();
    });
  }

  /**
   * Replaces the operator's data (exceptions, allowlists) in every worker.
   * Each worker applies it between two tasks. If any worker fails to load it,
   * the others go back to the previous data and the promise rejects.
   */
  replaceData(overlay: Record<string, unknown>): Promise<void> {
    return this.serialised(async () => {
      const generation = this.current;
      const previous = generation.overlay;
      generation.overlay = overlay;
      const workers = [...generation.workers].filter((w) => w.state === 'ready');
      const errors = await Promise.all(workers.map((w) => this.postData(w, overlay, previous)));
      const failed = workers.filter((_, i) => errors[i] !== undefined);
      if (failed.length === 0) return;
      // The failed workers were replaced with fresh ones, which load the previous data.
      generation.overlay = previous;
      await Promise.all(workers.filter((w) => !failed.includes(w)).map((w) => this.postData(w, previous, previous)));
      throw new VigilEngineError('VIGIL_ERR_BUNDLE_INVALID', ['data', errors.find((e) => e !== undefined) ?? '']);
    });
  }

  private serialised(job: () => Promise<void>): Promise<void> {
    const run = this.swapping.catch(() => undefined).then(job);
    this.swapping = run;
    return run;
  }

  private async fill(generation: Generation): Promise<void> {
    const results = await Promise.allSettled(Array.from({ length: this.options.size }, () => this.spawn(generation)));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private spawn(generation: Generation): Promise<PoolWorker> {
    const init: WorkerInit = {
      members: generation.members,
      overlay: generation.overlay,
      ...(generation.sideBySide ? { sideBySide: true } : {}),
      ...(generation.shared ? { shared: generation.shared } : {}),
      maxMemoryPages: this.options.maxMemoryPages,
      ...(this.options.batchSize === undefined ? {} : { batchSize: this.options.batchSize }),
      warmupMs: generation.warmupMs,
      ...(this.options.observe ? { observe: true } : {}),
      ...(this.options.verdicts === false ? { verdicts: false } : {}),
      ...(this.context.size > 0 ? { context: [...this.context] } : {}),
    };
    const thread = new Worker(WORKER_URL, { workerData: init, resourceLimits: { maxOldGenerationSizeMb: 512 } });
    const worker: PoolWorker = { thread, generation, state: 'loading', entries: [] };
    this.live.add(worker);
    thread.once('exit', () => this.live.delete(worker));
    return new Promise<PoolWorker>((resolve, reject) => {
      const loadFailed = (message: string, coded?: { code: EngineErrorCode; args: readonly string[] }): void => {
        if (worker.state !== 'loading') return;
        worker.state = 'dead';
        clearTimeout(warmupWatch);
        void thread.terminate();
        reject(coded && coded.code !== 'VIGIL_ERR_BUNDLE_INVALID' ? new VigilEngineError(coded.code, coded.args) : new VigilEngineError('VIGIL_ERR_BUNDLE_INVALID', [`revision ${generation.revision || '?'}`, message]));
      };
      // The exemplar facts must not keep a worker from ever being ready (a policy
      // that loops on them): past the deadline it is started again without warm-up.
      const warmupWatch = generation.warmupMs <= 0 ? undefined : setTimeout(() => {
        if (worker.state !== 'loading') return;
        worker.state = 'dead';
        void thread.terminate();
        generation.warmupMs = 0;
        this.options.logger.warn({ revision: generation.revision }, 'policy worker warm-up ran past its deadline; workers start without it');
        resolve(this.spawn(generation));
      }, this.options.timeoutMs + generation.warmupMs);
      thread.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          if (worker.state !== 'loading') return;
          clearTimeout(warmupWatch);
          worker.state = 'ready';
          generation.workers.add(worker);
          resolve(worker);
          // Loaded too late: the pool closed or the bundle was replaced meanwhile.
          if (this.terminated || generation.retiring) void this.kill(worker);
          else this.pump();
        } else if (message.type === 'load-failed') {
          loadFailed(message.message, message.error);
        } else {
          this.answered(worker, message);
        }
      });
      thread.on('error', (error) => {
        if (worker.state === 'loading') loadFailed(String(error?.message ?? error));
        else this.lost(worker, 'evaluation', error);
      });
      thread.on('exit', (code) => {
        if (worker.state === 'loading') loadFailed(`worker exited with code ${code} while loading`);
        else this.lost(worker, 'evaluation', new Error(`worker exited with code ${code}`));
      });
    });
  }

  /** Spawns a replacement for a lost worker, retrying while spawning fails. */
  private replace(generation: Generation): void {
    if (this.terminated || generation.retiring) return;
    this.counters.restarts++;
    this.spawn(generation).catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'cannot start a replacement policy worker; retrying in 1 s');
      setTimeout(() => {
        this.counters.restarts--;
        this.replace(generation);
      }, 1_000).unref();
    });
  }

  private answered(worker: PoolWorker, message: Exclude<FromWorker, { type: 'ready' | 'load-failed' }>): void {
    if (worker.state !== 'ready') return;
    const head = worker.entries[0];
    const matches = head !== undefined && (message.type === 'judged' ? head.kind === 'task' && head.task.id === message.id : head.kind === 'data' && head.id === message.id);
    if (!matches) {
      this.options.logger.error({ answer: message.type }, 'policy worker answered out of order; replacing it');
      this.lost(worker, 'evaluation', new Error('worker answered out of order'));
      return;
    }
    worker.entries.shift();
    this.startClock(worker);
    if (message.type === 'judged' && head.kind === 'task') {
      head.task.done(judgementOf(message.judgement));
    } else if (message.type === 'data-set' && head.kind === 'data') {
      // A failed setData leaves the instance's data half written: never judge with it.
      // Its replacement loads the data in force before the update.
      if (message.error !== undefined) {
        worker.generation.overlay = head.fallback;
        this.recycle(worker);
      }
      head.settle(message.error);
    }
    this.retireIfDone(worker);
    this.pump();
  }

  /** The worker died or overran: its running task fails, the ones queued behind it go to others. */
  private lost(worker: PoolWorker, reason: 'timeout' | 'evaluation', error: Error): void {
    if (worker.state !== 'ready') return;
    const head = worker.entries.shift();
    this.recycle(worker);
    if (head?.kind === 'task') this.failed(head.task, reason, error, worker.generation.revision);
    else head?.settle(String(error.message));
    this.pump();
  }

  /** Terminates a worker and replaces it; what was queued on it is handed out again. */
  private recycle(worker: PoolWorker): void {
    if (worker.state === 'dead') return;
    void this.kill(worker);
    const queued = worker.entries.splice(0);
    const tasks = queued.flatMap((e) => (e.kind === 'task' ? [e.task] : []));
    this.retries.unshift(...tasks);
    // The replacement loads the generation's current data.
    for (const e of queued) if (e.kind === 'data') e.settle();
    this.replace(worker.generation);
  }

  private async kill(worker: PoolWorker): Promise<void> {
    worker.state = 'dead';
    clearTimeout(worker.timer);
    worker.generation.workers.delete(worker);
    if (worker.generation.retiring && worker.generation.workers.size === 0) this.retired.delete(worker.generation);
    await worker.thread.terminate();
  }

  private failed(task: Task, reason: 'timeout' | 'evaluation', error: Error, revision: string): void {
    if (reason === 'timeout') this.counters.timeouts++;
    else this.counters.crashes++;
    const single = task.messages.length === 1 ? splitFacts(task.messages[0]!) : undefined;
    if (task.isolated || (single !== undefined && single.length === 1)) {
      this.options.logger.warn({ reason, err: error, subject: task.messages[0]?.subject }, 'fact could not be evaluated');
      task.done(mergeJudgements(task.messages.map((m) => failedJudgement(m, reason, error, revision))));
      return;
    }
    this.options.logger.warn({ reason, err: error, messages: task.messages.length }, 'batch could not be evaluated; judging its facts one by one');
    const parts: Judgement[] = [];
    const singles: FactMessage[] = [];
    for (const message of task.messages) {
      const facts = task.messages.length === 1 ? single : splitFacts(message);
      // Undecodable: the dead letter says so, as the worker would have.
      if (facts === undefined) parts.push(failedJudgement(message, reason, error, revision));
      else singles.push(...facts);
    }
    let remaining = singles.length;
    if (remaining === 0) {
      task.done(mergeJudgements(parts));
      return;
    }
    const children = singles.map((message) => ({
      id: this.nextId++,
      messages: [message],
      isolated: true,
      done: (judgement: Judgement) => {
        parts.push(judgement);
        if (--remaining === 0) task.done(mergeJudgements(parts));
      },
    }));
    this.retries.unshift(...children);
  }

  /** Hands out tasks while some worker of the current bundle has room. */
  private pump(): void {
    for (;;) {
      const worker = this.leastBusy();
      if (worker === undefined) break;
      const task = this.retries.shift() ?? this.nextTask();
      if (task === undefined) break;
      worker.entries.push({ kind: 'task', task });
      const messages = packMessages(task.messages);
      this.post(worker, { type: 'task', id: task.id, messages }, [messages.bytes.buffer as ArrayBuffer]);
    }
    this.notify();
  }

  private post(worker: PoolWorker, message: ToWorker, transfer?: ArrayBuffer[]): void {
    worker.thread.postMessage(message, transfer);
    if (worker.entries.length === 1) this.startClock(worker);
  }

  private postData(worker: PoolWorker, overlay: Record<string, unknown>, fallback: Record<string, unknown>): Promise<string | undefined> {
    if (worker.state !== 'ready') return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const id = this.nextId++;
      worker.entries.push({ kind: 'data', id, fallback, settle: resolve });
      this.post(worker, { type: 'data', id, overlay });
    });
  }

  /** The deadline runs for the entry the worker is on now, from when it started it. */
  private startClock(worker: PoolWorker): void {
    clearTimeout(worker.timer);
    worker.timer = undefined;
    if (worker.entries.length === 0) return;
    const timeoutMs = this.options.timeoutMs;
    worker.timer = setTimeout(() => this.lost(worker, 'timeout', new Error(`policy evaluation ran past its ${timeoutMs} ms deadline`)), timeoutMs);
  }

  private leastBusy(): PoolWorker | undefined {
    let best: PoolWorker | undefined;
    for (const w of this.current.workers) {
      if (w.state !== 'ready' || w.entries.length >= this.options.maxTasksPerWorker) continue;
      if (best === undefined || w.entries.length < best.entries.length) best = w;
    }
    return best;
  }

  /** The next messages waiting, grouped up to the task limits. */
  private nextTask(): Task | undefined {
    if (this.pending.length === 0) return undefined;
    let count = 0;
    let bytes = 0;
    while (count < this.pending.length && count < this.options.maxTaskMessages) {
      const size = this.pending[count]!.message.data.byteLength;
      if (count > 0 && bytes + size > this.options.maxTaskBytes) break;
      bytes += size;
      count++;
    }
    const taken = this.pending.splice(0, count);
    const tags = taken.map((p) => p.tag);
    return {
      id: this.nextId++,
      messages: taken.map((p) => p.message),
      isolated: false,
      done: (judgement) => {
        this.inFlight -= tags.length;
        try {
          this.options.onJudged(tags, judgement);
        } finally {
          this.notify();
        }
      },
    };
  }

  private retireIfDone(worker: PoolWorker): void {
    if (worker.generation.retiring && worker.entries.length === 0 && worker.state === 'ready') void this.kill(worker);
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Throws VIGIL_ERR_POLICY_SET, before any worker starts, when the bundles cannot be served together. */
function generationOf(policies: PoolPolicies, warmupMs: number): Generation {
  return {
    members: policies.members,
    overlay: policies.overlay,
    sideBySide: policies.sideBySide === true,
    ...(policies.shared ? { shared: policies.shared } : {}),
    revision: checkPolicySet(policies.members, { sideBySide: policies.sideBySide === true }),
    workers: new Set(),
    retiring: false,
    warmupMs,
  };
}

function judgementOf(packed: PackedJudgement): Judgement {
  return { publications: unpackPublications(packed), counts: packed.counts, samples: packed.samples, observations: packed.observations, context: packed.context };
}
