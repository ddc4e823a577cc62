import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import protobuf from 'protobufjs/minimal.js';
import { combineSources, GvisorSource, seccheckToEvent, startRuntimeCollector, type RuntimeCollector, type RuntimeSource } from '../../src/runtime/index.js';
import { docker, IMAGE, MemorySink, removeContainer, waitForFact, type AnyFact } from './harness.js';

const NAME = `vigil-rtest-${process.pid}-gvisor`;

/** An ExecveInfo packet as runsc's remote sink frames it (header + protobuf), built by field number. */
function execvePacket(containerId: string): Uint8Array {
  const creds = protobuf.Writer.create().uint32(8).uint32(1000).uint32(16).uint32(0).uint32(32).uint32(1000).finish();
  const context = protobuf.Writer.create()
    .uint32(8).int64(1_700_000_000_123_456_789)
    .uint32(16).int32(7)
    .uint32(32).int32(5)
    .uint32(50).string(containerId)
    .uint32(58).bytes(creds)
    .uint32(66).string('/tmp')
    .uint32(74).string('sh')
    .finish();
  const body = protobuf.Writer.create()
    .uint32(10).bytes(context)
    .uint32(18).string('/bin/busybox')
    .uint32(26).string('/bin/echo')
    .uint32(26).string('hi')
    .uint32(34).string('PATH=/bin')
    .finish();
  const packet = new Uint8Array(8 + body.length);
  new DataView(packet.buffer).setUint16(0, 8, true);
  new DataView(packet.buffer).setUint16(2, 3, true);
  packet.set(body, 8);
  return packet;
}

describe('runtime - gVisor seccheck source', () => {
  it('gvisor decode - ExecveInfo becomes an exec event of the named container', () => {
    const event = seccheckToEvent(execvePacket('f'.repeat(64)));
    expect(event).toMatchObject({
      kind: 'exec',
      source: 'gvisor',
      sandboxPids: true,
      observedAtMs: 1_700_000_000_123,
      container: { id: 'f'.repeat(64), runtime: 'runsc' },
      process: { pid: 5, tid: 7, uid: 1000, euid: 0, gid: 1000, comm: 'sh', exe: '/bin/busybox', args: ['/bin/echo', 'hi'], cwd: '/tmp' },
    });
    const other = execvePacket('f'.repeat(64));
    new DataView(other.buffer).setUint16(2, 7, true); // openat
    expect(seccheckToEvent(other)).toBeUndefined();
    expect(seccheckToEvent(new Uint8Array([1, 2, 3]))).toBeUndefined();
  });

  describe('against a real runsc container', () => {
    const sink = new MemorySink();
    let collector: RuntimeCollector;
    let id: string;

    beforeAll(async () => {
      await removeContainer(NAME);
      id = await docker('run', '-d', '--runtime', 'runsc', '--name', NAME, IMAGE, 'sleep', '300');
      // Beside a source that cannot start: the combination runs with what did.
      const broken: RuntimeSource = { name: 'broken', start: () => Promise.reject(new Error('no')), stop: async () => {} };
      collector = await startRuntimeCollector({ sink, source: combineSources([broken, new GvisorSource({ pollMs: 200 })]) });
    }, 60_000);

    afterAll(async () => {
      await collector?.stop();
      await removeContainer(NAME);
    });

    it('gvisor - a command run inside the sandbox is a process_exec of the container, not a host process', async () => {
      // The session is created by the poller; execs before it exists are not seen, so retry briefly.
      const marker = (f: AnyFact): boolean => f.kind === 'process_exec' && f.body.process.args.join(' ') === '/bin/echo vigil-gvisor-marker';
      const deadline = Date.now() + 10_000;
      let fact: AnyFact | undefined;
      while (!fact && Date.now() < deadline) {
        await docker('exec', NAME, 'sh', '-c', '/bin/echo vigil-gvisor-marker >/dev/null; true');
        fact = await waitForFact(sink, marker, 500).catch(() => undefined);
      }
      const body = (fact ?? (await waitForFact(sink, marker, 100))).body;
      expect(body.source).toBe('gvisor');
      expect(body.process.exe).toBe('/bin/busybox');
      expect(body.container).toMatchObject({ id, name: NAME, image: IMAGE, runtime: 'runsc', host: false });
      expect(collector.stats()).toMatchObject({ source: 'broken+gvisor', sourceLost: 0 });
    }, 30_000);
  });
});
