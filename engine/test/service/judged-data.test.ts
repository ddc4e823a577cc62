import { describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { JudgedData } from '../../src/service.js';

describe('judged data', () => {
  const logger = pino({ level: 'silent' });

  it('judged data - learned profiles lie over the operator profiles, and documents replace the last ones over the base', async () => {
    const data = new JudgedData({ vigil: { profiles: { web: { state: 'operator' } } }, feed: 1 }, logger);
    const applied: unknown[] = [];
    data.attach({ replaceData: async (d) => void applied.push(d) });
    data.profiles({ api: { state: 'enforcing' } });
    data.documents({ vigil: { exceptions: [{ rule: 'VGL-RUN-001' }] } }, { revision: 2 });
    await data.settled();
    expect(applied).toHaveLength(2);
    expect(data.current()).toEqual({
      feed: 1,
      vigil: { exceptions: [{ rule: 'VGL-RUN-001' }], profiles: { web: { state: 'operator' }, api: { state: 'enforcing' } } },
    });
  });

  it('judged data - changes reach the engine one at a time, each with the data as it is then, and a refused one does not stop the next', async () => {
    const data = new JudgedData({}, logger);
    const seen: string[] = [];
    let running = 0;
    let calls = 0;
    data.attach({
      replaceData: async (d) => {
        running++;
        expect(running).toBe(1);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        if (calls++ === 0) throw new Error('refused');
        seen.push(Object.keys(((d.vigil as Record<string, unknown>)?.profiles as Record<string, unknown>) ?? {}).join(','));
      },
    });
    data.profiles({ a: {} });
    data.profiles({ b: {} });
    await data.settled();
    data.profiles({ c: {} });
    await data.settled();
    expect(calls).toBe(3);
    expect(seen).toEqual(['b', 'c']);
  });

  it('judged data - before an engine is attached, changes only shape what it will start with', async () => {
    const data = new JudgedData({}, logger);
    data.documents({ vigil: { exceptions: ['x'] } });
    data.profiles({ web: {} });
    await data.settled();
    expect(data.current()).toEqual({ vigil: { exceptions: ['x'], profiles: { web: {} } } });
  });
});
