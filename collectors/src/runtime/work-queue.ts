/** Runs `run` on queued items, at most `concurrency` at a time, in order of arrival. `run` handles its own errors; a failure is dropped. */
export class WorkQueue<T> {
  private readonly items: T[] = [];
  private active = 0;
  private idle: (() => void) | undefined;

  constructor(
    private readonly concurrency: number,
    private readonly run: (item: T) => Promise<unknown>,
  ) {}

  /** Items waiting or running. */
  get size(): number {
    return this.items.length + this.active;
  }

  get waiting(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    this.pump();
  }

  /** Resolves once nothing waits or runs, or after `timeoutMs`. */
  async drained(timeoutMs: number): Promise<void> {
    if (this.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => (this.idle = resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  private pump(): void {
    while (this.active < this.concurrency && this.items.length > 0) {
      const item = this.items.shift()!;
      this.active++;
      // A task that throws or rejects ends like one that succeeds: the queue goes on.
      let work: Promise<unknown>;
      try {
        work = this.run(item);
      } catch {
        work = Promise.resolve();
      }
      void work
        .catch(() => undefined)
        .finally(() => {
          this.active--;
          this.pump();
          if (this.size === 0) this.idle?.();
        });
    }
  }
}
