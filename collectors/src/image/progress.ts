/** Reports bytes read against a total, at most every 1 MiB or 1 % (and once at the end). */
export type ProgressCallback = (doneBytes: number, totalBytes: number) => void;

export class Progress {
  private done = 0;
  private reported = -1;
  private readonly step: number;

  constructor(
    private readonly callback: ProgressCallback | undefined,
    private total: number,
  ) {
    this.step = Math.max(1024 * 1024, Math.floor(total / 100));
  }

  add(bytes: number): void {
    if (!this.callback) return;
    this.done += bytes;
    if (this.done - this.reported >= this.step) this.emit();
  }

  /** The total grows when a source turns out larger than announced (Docker's size excludes tar overhead). */
  finish(): void {
    if (!this.callback) return;
    this.total = Math.max(this.total, this.done);
    this.done = this.total;
    this.emit();
  }

  private emit(): void {
    this.reported = this.done;
    this.callback!(this.done, Math.max(this.total, this.done));
  }
}
