import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defaultWorkers, usableCores } from '../../src/pool/config.js';

describe('pool settings - default workers follow the CPU limit', () => {
  let root: string;
  const tree = async (name: string, files: Record<string, string>): Promise<string> => {
    const dir = path.join(root, name);
    for (const [file, content] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await fs.writeFile(path.join(dir, file), content);
    }
    return dir;
  };

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-cgroup-'));
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('pool settings - a cgroup v2 quota of 1.5 CPUs counts as 2 cores, no quota as the machine', async () => {
    const machine = os.availableParallelism();
    expect(usableCores(await tree('v2', { 'cpu.max': '150000 100000\n' }))).toBe(Math.min(machine, 2));
    expect(usableCores(await tree('v2-max', { 'cpu.max': 'max 100000\n' }))).toBe(machine);
    expect(usableCores(path.join(root, 'missing'))).toBe(machine);
  });

  it('pool settings - a cgroup v1 quota of half a CPU counts as one core', async () => {
    expect(usableCores(await tree('v1', { 'cpu/cpu.cfs_quota_us': '50000\n', 'cpu/cpu.cfs_period_us': '100000\n' }))).toBe(1);
    expect(usableCores(await tree('v1-none', { 'cpu/cpu.cfs_quota_us': '-1\n', 'cpu/cpu.cfs_period_us': '100000\n' }))).toBe(os.availableParallelism());
  });

  it('pool settings - one worker per core but one, between 1 and 8', () => {
    expect([1, 2, 3, 16, 64].map((cores) => defaultWorkers(cores))).toEqual([1, 1, 2, 8, 8]);
  });
});
