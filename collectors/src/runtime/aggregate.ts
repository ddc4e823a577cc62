import type { RuntimeEvent } from './events.js';

/**
 * Identity of an event for aggregation: same kind, same container (cgroup or
 * container id), same program and what it did. Pids are left out on purpose:
 * a loop spawning `curl` a hundred times is one fact with count 100.
 */
export function aggregationKey(event: RuntimeEvent): string {
  const p = event.process;
  const owner = event.container?.id ?? event.cgroupId ?? `pid:${p.pid}`;
  const who = `${owner}|${p.comm ?? ''}|${p.exe ?? ''}|${p.uid ?? ''}|${p.euid ?? ''}`;
  switch (event.kind) {
    case 'exec':
      return `e|${who}|${(p.args ?? []).join('\u0000')}|${event.previousEuid ?? ''}`;
    case 'file':
      return `f|${who}|${event.operation}|${event.path}|${event.target ?? ''}|${event.read}|${event.write}|${event.truncated === true}`;
    case 'network':
      return `n|${who}|${event.direction}|${event.family ?? ''}|${event.protocol}|${event.localPort}|${event.remoteAddress}|${event.remotePort}`;
    case 'privilege':
      return `p|${who}|${event.change}|${event.oldUid ?? ''}|${event.newUid ?? ''}|${event.target ?? ''}|${(event.capabilitiesGained ?? []).join(',')}`;
    case 'syscalls':
      return `s|${owner}|${event.syscalls.join(',')}`;
  }
}

export interface WindowEntry<T> {
  openedAt: number;
  /** Occurrences after the first, folded into this entry. */
  repeats: number;
  value: T;
}

/**
 * Time windows per key. The first event of a key opens a window and is
 * published at once; identical events inside the window only count. When the
 * window closes with repeats, `onClose` publishes one fact carrying the count.
 */
export class AggregationWindows<T> {
  private readonly open = new Map<string, WindowEntry<T>>();
  private closedEarly: WindowEntry<T>[] = [];

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Folds the event into its key's open window and returns true, or returns
   * false (and changes nothing) when no window is open for the key.
   */
  fold(key: string): boolean {
    const existing = this.open.get(key);
    if (!existing || this.now() - existing.openedAt >= this.windowMs) return false;
    existing.repeats++;
    return true;
  }

  /** True when the event opened a new window (publish it); false when it was folded into one. */
  offer(key: string, value: () => T): { opened: boolean; entry: WindowEntry<T> | undefined } {
    const existing = this.open.get(key);
    if (existing && this.now() - existing.openedAt < this.windowMs) {
      existing.repeats++;
      return { opened: false, entry: existing };
    }
    if (existing) {
      this.open.delete(key);
      if (existing.repeats > 0) this.closedEarly.push(existing);
    }
    if (this.open.size >= this.maxKeys) return { opened: true, entry: undefined };
    const entry = { openedAt: this.now(), repeats: 0, value: value() };
    this.open.set(key, entry);
    return { opened: true, entry };
  }

  /** Removes and returns the windows older than the window length. */
  expire(all = false): WindowEntry<T>[] {
    const now = this.now();
    const closed = this.closedEarly;
    this.closedEarly = [];
    for (const [key, entry] of this.open) {
      if (all || now - entry.openedAt >= this.windowMs) {
        this.open.delete(key);
        closed.push(entry);
      }
    }
    return closed;
  }

  get size(): number {
    return this.open.size;
  }
}
