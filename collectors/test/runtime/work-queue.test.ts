import { describe, expect, it } from '@jest/globals';
import { WorkQueue } from '../../src/runtime/work-queue.js';

describe('work queue', () => {
  it('work queue - runs at most `concurrency` items at once, in order, and drained() waits for the last', async () => {
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const queue = new WorkQueue<number>(2, async (n) => {
      started.push(n);
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
    });
    for (let n = 0; n < 7; n++) queue.push(n);
    expect(queue.size).toBe(7);
    expect(queue.waiting).toBe(5);
    await queue.drained(5000);
    expect(queue.size).toBe(0);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(most).toBe(2);
  });

  it('work queue - a task that throws or rejects does not stop the queue', async () => {
    const done: number[] = [];
    const queue = new WorkQueue<number>(1, (n) => {
      if (n === 0) throw new Error('thrown');
      if (n === 1) return Promise.reject(new Error('rejected'));
      done.push(n);
      return Promise.resolve();
    });
    for (let n = 0; n < 4; n++) queue.push(n);
    await queue.drained(1000);
    expect(queue.size).toBe(0);
    expect(done).toEqual([2, 3]);
  });

  it('work queue - drained() gives up after its timeout while an item still runs', async () => {
    let release: () => void = () => {};
    const queue = new WorkQueue<string>(1, () => new Promise<void>((resolve) => (release = resolve)));
    queue.push('stuck');
    const before = Date.now();
    await queue.drained(50);
    expect(Date.now() - before).toBeGreaterThanOrEqual(45);
    expect(queue.size).toBe(1);
    release();
    await queue.drained(1000);
    expect(queue.size).toBe(0);
  });
});
