import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ProcfsSource, startRuntimeCollector, type RuntimeCollector } from '../../src/runtime/index.js';
import { docker, IMAGE, MemorySink, removeContainer, startContainer, waitForFact } from './harness.js';

const NAME = `vigil-rtest-${process.pid}-procfs`;

describe('runtime collector - procfs fallback against real Docker', () => {
  const sink = new MemorySink();
  let collector: RuntimeCollector;
  let target: { id: string; name: string };

  beforeAll(async () => {
    target = await startContainer(NAME);
    collector = await startRuntimeCollector({ sink, source: new ProcfsSource({ intervalMs: 250 }) });
  }, 60_000);

  afterAll(async () => {
    await collector?.stop();
    await removeContainer(NAME);
  });

  it('runtime procfs - a process started in a container is attributed from /proc/<pid>/cgroup', async () => {
    await docker('exec', '-d', target.name, 'sleep', '31');
    const fact = await waitForFact(
      sink,
      (f) => f.kind === 'process_exec' && f.body.container.id === target.id && f.body.process.args.join(' ') === 'sleep 31',
    );
    expect(fact.body.source).toBe('procfs');
    expect(fact.body.container).toMatchObject({ name: target.name, image: IMAGE, host: false });
    expect(fact.body.process.exe).toBe('/bin/busybox');
    expect(fact.body.process.exe_in_image).toBe(true);
  });

  it('runtime procfs - a listening socket in the container network namespace', async () => {
    await docker('exec', '-d', target.name, 'nc', '-l', '-p', '7777');
    const fact = await waitForFact(
      sink,
      (f) => f.kind === 'network_connection' && f.body.container.id === target.id && f.body.local_port === 7777,
      15_000, // polling: a socket is seen at the first poll after it listens, several polls later when the host is busy
    );
    expect(fact.body).toMatchObject({ direction: 'listen', protocol: 'tcp' });
  });

  it('runtime procfs - processes that existed at start are not reported', () => {
    const sleep300 = sink.facts.filter((f) => f.process_exec?.process?.args?.join(' ') === 'sleep 300' && f.process_exec?.container?.id === target.id);
    expect(sleep300).toEqual([]);
  });
});
