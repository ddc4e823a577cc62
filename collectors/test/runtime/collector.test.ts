import { describe, expect, it } from '@jest/globals';
import { AggregationWindows } from '../../src/runtime/aggregate.js';
import {
  startRuntimeCollector,
  type ContainerMetadata,
  type ContainerMetadataResolver,
  type RuntimeEventHandler,
  type RuntimeSource,
} from '../../src/runtime/index.js';
import { flatten, MemorySink } from './harness.js';

const ID = 'c'.repeat(64);

/** Test fake of the source port: the test pushes events by hand. */
class ManualSource implements RuntimeSource {
  readonly name = 'manual';
  emit: RuntimeEventHandler = () => {};
  async start(onEvent: RuntimeEventHandler): Promise<void> {
    this.emit = onEvent;
  }
  async stop(): Promise<void> {}
}

/** Test fake of the metadata port. */
const resolver: ContainerMetadataResolver = {
  resolve: async (id): Promise<ContainerMetadata> => ({ id, name: 'storm', image: 'busybox', image_id: '', runtime: 'runc', image_user: '' }),
};

function exec(pid: number, args: string[]): Parameters<RuntimeEventHandler>[0] {
  return {
    kind: 'exec',
    source: 'manual',
    observedAtMs: 1_700_000_000_123,
    container: { id: ID },
    process: { pid, ppid: 1, uid: 0, gid: 0, euid: 0, comm: 'true', exe: '/bin/true', args, cwd: '/', tty: false, capabilities: [], stdio: [], ancestry: [] },
  };
}

describe('runtime collector - pipeline admission', () => {
  it('aggregation - fold counts into an open window only', () => {
    let now = 0;
    const windows = new AggregationWindows<string>(1000, 100, () => now);
    expect(windows.fold('k')).toBe(false);
    windows.offer('k', () => 'first');
    expect(windows.fold('k')).toBe(true);
    now = 1000;
    expect(windows.fold('k')).toBe(false);
    expect(windows.expire().map((e) => [e.value, e.repeats])).toEqual([['first', 1]]);
  });

  it('collector - an exec storm of one command beyond the rate limit folds into counts, nothing dropped', async () => {
    const source = new ManualSource();
    const sink = new MemorySink();
    // A frozen admission clock: the counts cannot depend on how fast this machine admits 5,020 events.
    const collector = await startRuntimeCollector({ sink, source, resolver, ratePerSec: 10, burst: 5, windowMs: 200, clock: () => 1_700_000_000_200 });
    for (let i = 0; i < 5000; i++) source.emit(exec(1000 + i, ['true']));
    // Distinct commands are still bounded by the bucket: 5 burst tokens, 4 are left for these.
    for (let i = 0; i < 20; i++) source.emit(exec(9000 + i, ['true', String(i)]));
    await new Promise((resolve) => setTimeout(resolve, 400));
    await collector.stop();
    const stats = collector.stats();
    const storm = sink.facts.map(flatten).filter((f) => f.kind === 'process_exec' && f.body.process.args.join(' ') === 'true');
    expect(storm.reduce((sum, f) => sum + Number(f.body.count), 0)).toBe(5000);
    expect(stats).toMatchObject({ received: 5020, aggregated: 4999, rateLimited: 16, queueFull: 0, dropped: 16 });
  });

  it('collector - a fact carries the time its event was observed, not the time it was published', async () => {
    const source = new ManualSource();
    const sink = new MemorySink();
    const collector = await startRuntimeCollector({ sink, source, resolver });
    source.emit(exec(4242, ['sh', '-c', 'id']));
    await collector.stop();
    expect(sink.facts).toHaveLength(1);
    expect(sink.facts[0]!.observed_at_ms).toBe(1_700_000_000_123);
  });
});
