import type { Logger } from 'pino';

/** From the first SIGINT, SIGTERM or SIGHUP, how long a long-running command has to stop cleanly. */
export const SHUTDOWN_DEADLINE_MS = 3_500;
/** What a step still gets once the deadline has passed (the helpers' own stops, mostly). */
const LATE_STEP_MS = 200;
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

interface Step {
  name: string;
  stop: () => Promise<unknown>;
}

/**
 * The life of a long-running command (`vigil up`, `engine`, `collect`, `alerts`).
 * Signals are caught from the moment it is made, start-up included: each part
 * registers its stop as it starts, and the first signal stops them in reverse
 * order within {@link SHUTDOWN_DEADLINE_MS}, a step that does not finish in its
 * time (NATS gone, a flush that cannot land) is left behind. Later signals
 * (a terminal's Ctrl-C arrives twice through the Node re-exec wrapper) are
 * noted, not obeyed: the deadline already bounds the wait.
 */
export class Lifecycle {
  private readonly steps: Step[] = [];
  private signal: NodeJS.Signals | undefined;
  private running = false;
  private readonly stopped: Promise<number>;
  private resolveStopped!: (code: number) => void;
  private readonly onSignal = (signal: NodeJS.Signals): void => this.signalled(signal);

  constructor(
    private readonly logger: Logger,
    private readonly deadlineMs = SHUTDOWN_DEADLINE_MS,
  ) {
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    for (const s of SIGNALS) process.on(s, this.onSignal);
  }

  /** Registers what stops a part that has started; stops run last-registered first. */
  defer(name: string, stop: () => Promise<unknown>): void {
    this.steps.push({ name, stop });
  }

  /**
   * Runs `start`, then resolves with the exit code once a signal has stopped
   * everything. A start that fails stops what it had started and rethrows; a
   * signal during start-up ends the process once the started parts are stopped.
   */
  async run(start: () => Promise<void>): Promise<number> {
    try {
      await start();
    } catch (error) {
      if (!this.signal) {
        this.detach();
        await this.stopAll();
      }
      throw error;
    }
    this.running = true;
    return this.stopped;
  }

  /** An AbortSignal that fires on the first signal. */
  abortSignal(): AbortSignal {
    const controller = new AbortController();
    if (this.signal) controller.abort();
    else for (const s of SIGNALS) process.once(s, () => controller.abort());
    return controller.signal;
  }

  private signalled(signal: NodeJS.Signals): void {
    if (this.signal) {
      this.logger.info({ signal }, 'already shutting down');
      return;
    }
    this.signal = signal;
    this.logger.info({ signal }, 'shutting down');
    void this.stopAll().then((clean) => {
      this.detach();
      const code = clean ? 0 : 1;
      // Interrupted during start-up, or parts left behind: nothing else will end the process.
      if (!this.running || !clean) process.exit(code);
      this.resolveStopped(code);
      // A handle a part could not close (a reconnecting client) must not keep the process alive.
      setTimeout(() => process.exit(code), 1_000).unref();
    });
  }

  private detach(): void {
    for (const s of SIGNALS) process.off(s, this.onSignal);
  }

  private async stopAll(): Promise<boolean> {
    const deadline = Date.now() + this.deadlineMs;
    let clean = true;
    for (const step of [...this.steps].reverse()) {
      const budget = Math.max(LATE_STEP_MS, deadline - Date.now());
      const began = Date.now();
      const outcome = await within(step.stop(), budget);
      this.logger.debug({ step: step.name, ms: Date.now() - began }, 'stopped');
      if (outcome === 'timeout') {
        clean = false;
        this.logger.warn({ step: step.name, ms: budget }, 'did not stop in time; leaving it behind');
      } else if (outcome instanceof Error) {
        this.logger.warn({ step: step.name, err: outcome }, 'failed to stop cleanly');
      }
    }
    return clean;
  }
}

async function within(work: Promise<unknown>, ms: number): Promise<'done' | 'timeout' | Error> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([work.then(() => 'done' as const, (error: unknown) => (error instanceof Error ? error : new Error(String(error)))), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
