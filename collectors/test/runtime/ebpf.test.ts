import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { detectEbpf, startRuntimeCollector, type RuntimeCollector } from '../../src/runtime/index.js';
import { docker, flatten, IMAGE, MemorySink, removeContainer, startContainer, waitForFact, type AnyFact } from './harness.js';

const run = promisify(execFile);
const PREFIX = `vigil-rtest-${process.pid}`;

describe('runtime collector - eBPF source against the real kernel and Docker', () => {
  const sink = new MemorySink();
  let collector: RuntimeCollector;
  let target: { id: string; name: string };
  let idle: { id: string; name: string };

  beforeAll(async () => {
    const support = await detectEbpf();
    if (!support.usable) throw new Error(`eBPF source not usable here: ${support.reason}; these tests need root, bpftrace and tracefs`);
    target = await startContainer(`${PREFIX}-target`);
    idle = await startContainer(`${PREFIX}-idle`);
    // Setup inside the target before watching: a shadow file and a setuid copy of busybox.
    await docker('exec', target.name, 'sh', '-c', 'echo "root:*:19000:0:99999:7:::" > /etc/shadow && cp /etc/shadow /etc/shadow-burst && mkdir -p /tmp/s && cp /bin/busybox /tmp/s/busybox && chmod u+s /tmp/s/busybox');
    // What a bundle's runtime rules would ask the kernel for (kernel_filter in its manifest).
    collector = await startRuntimeCollector({ sink, kernelFilter: { read_paths: ['/etc/shadow'], write_paths: ['/etc/', '/var/log/'], socket_paths: [], link_targets: ['/etc'] } });
  }, 60_000);

  afterAll(async () => {
    await collector?.stop();
    await removeContainer(`${PREFIX}-target`);
    await removeContainer(`${PREFIX}-idle`);
  });

  const inTarget = (f: AnyFact): boolean =>
    f.body.container.id === target.id && f.body.container.name === target.name && f.body.container.image === IMAGE && !f.body.container.host;

  it('runtime ebpf - chooses the eBPF source', () => {
    expect(collector.source.name).toBe('ebpf');
  });

  it('runtime ebpf - shell in a container: process_exec with args, image and stdio', async () => {
    await docker('exec', target.name, 'sh', '-c', 'echo vigil-shell');
    const fact = await waitForFact(sink, (f) => f.kind === 'process_exec' && inTarget(f) && f.body.process.args.join(' ') === 'sh -c echo vigil-shell');
    expect(fact.body.source).toBe('ebpf');
    expect(fact.body.process.exe).toBe('/bin/sh');
    expect(fact.body.process.exe_known).toBe(true);
    expect(fact.body.process.exe_in_image).toBe(true);
    expect(fact.body.process.stdio).toHaveLength(3);
    expect(fact.body.container.image_id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fact.body.container.runtime).toBe('runc');
  });

  it('runtime ebpf - cat /etc/shadow: file_access read of /etc/shadow by cat', async () => {
    await docker('exec', target.name, 'cat', '/etc/shadow');
    const fact = await waitForFact(sink, (f) => f.kind === 'file_access' && inTarget(f) && f.body.path === '/etc/shadow' && f.body.process.comm === 'cat');
    expect(fact.body.read).toBe(true);
    expect(fact.body.write).toBe(false);
    expect(fact.body.operation).toBe('open');
  });

  it('runtime ebpf - write under /etc: file_access with write', async () => {
    await docker('exec', target.name, 'sh', '-c', 'echo x > /etc/vigil-rtest-written');
    const fact = await waitForFact(sink, (f) => f.kind === 'file_access' && inTarget(f) && f.body.path === '/etc/vigil-rtest-written');
    expect(fact.body.write).toBe(true);
  });

  it('runtime ebpf - binary copied into the container and run: exec with drift (not in image)', async () => {
    await docker('exec', target.name, 'sh', '-c', 'cp /bin/busybox /tmp/xmrig && /tmp/xmrig true; echo done');
    const fact = await waitForFact(sink, (f) => f.kind === 'process_exec' && inTarget(f) && f.body.process.exe === '/tmp/xmrig');
    expect(fact.body.process.exe_known).toBe(true);
    expect(fact.body.process.exe_in_image).toBe(false);
    expect(fact.body.process.args).toEqual(['/tmp/xmrig', 'true']);
    expect(fact.body.process.ancestry.map((a) => a.comm)).toContain('sh');
    // The parent's exe and args from its own exec event, though it may have exited since.
    expect(fact.body.process.ancestry[0]).toMatchObject({ exe: '/bin/sh', args: ['sh', '-c', 'cp /bin/busybox /tmp/xmrig && /tmp/xmrig true; echo done'] });
  });

  it('runtime ebpf - a symlink to /etc/shadow carries its target; a log cut with O_TRUNC is truncated; a ../ path is resolved', async () => {
    await docker('exec', target.name, 'sh', '-c', 'ln -s /etc/shadow /tmp/rt-link; mkdir -p /var/log; : > /var/log/rt.log; cat /tmp/../etc/shadow');
    const link = await waitForFact(sink, (f) => f.kind === 'file_access' && inTarget(f) && f.body.operation === 'symlink' && f.body.path === '/tmp/rt-link');
    expect(link.body.target).toBe('/etc/shadow');
    const cut = await waitForFact(sink, (f) => f.kind === 'file_access' && inTarget(f) && f.body.path === '/var/log/rt.log');
    expect(cut.body).toMatchObject({ operation: 'open', write: true, truncated: true });
    const read = await waitForFact(sink, (f) => f.kind === 'file_access' && inTarget(f) && f.body.requested_path === '/tmp/../etc/shadow');
    expect(read.body.path).toBe('/etc/shadow');
  });

  it('runtime ebpf - busybox sh runs an applet through /proc/self/exe: argv[0] names it, attributed to the container', async () => {
    await docker('exec', target.name, 'sh', '-c', 'nc -e /bin/sh 127.0.0.1 9 2>/dev/null; true');
    const fact = await waitForFact(sink, (f) => f.kind === 'process_exec' && inTarget(f) && f.body.process.args[0] === 'nc');
    expect(fact.body.process.args).toEqual(['nc', '-e', '/bin/sh', '127.0.0.1', '9']);
  });

  it('runtime ebpf - outbound TCP connect: network_connection to 127.0.0.1:9', async () => {
    await docker('exec', target.name, 'nc', '-w', '1', '127.0.0.1', '9');
    const fact = await waitForFact(sink, (f) => f.kind === 'network_connection' && inTarget(f) && f.body.remote_port === 9);
    expect(fact.body).toMatchObject({ direction: 'outbound', protocol: 'tcp', remote_address: '127.0.0.1' });
    expect(fact.body.process.comm).toBe('nc');
  });

  it('runtime ebpf - setuid binary run as uid 1000: privilege_change 1000 → 0 and exec with euid 0', async () => {
    await docker('exec', '-u', '1000', target.name, '/tmp/s/busybox', 'id');
    const change = await waitForFact(
      sink,
      (f) => f.kind === 'privilege_change' && inTarget(f) && f.body.change === 'setuid' && f.body.old_uid === 1000 && f.body.new_uid === 0,
    );
    expect(change.body.target).toBe('/tmp/s/busybox');
    const exec = await waitForFact(sink, (f) => f.kind === 'process_exec' && inTarget(f) && f.body.process.exe === '/tmp/s/busybox');
    expect(exec.body.process.uid).toBe(1000);
    expect(exec.body.process.euid).toBe(0);
  });

  it('runtime ebpf - process that execs and exits within milliseconds is still seen', async () => {
    await docker('exec', target.name, '/bin/busybox', 'true');
    const fact = await waitForFact(sink, (f) => f.kind === 'process_exec' && inTarget(f) && f.body.process.args.join(' ') === '/bin/busybox true');
    expect(fact.body.process.exe).toBe('/bin/busybox');
  });

  it('runtime ebpf - 20 identical reads in a burst become few facts whose counts add up to 20', async () => {
    await docker('exec', target.name, 'sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do cat /etc/shadow-burst; done');
    const reads = (): AnyFact[] =>
      sink.facts.map(flatten).filter((f) => f.kind === 'file_access' && inTarget(f) && f.body.path === '/etc/shadow-burst');
    const deadline = Date.now() + 3000;
    const total = (): number => reads().reduce((sum, f) => sum + Number(f.body.count), 0);
    while (total() < 20 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(total()).toBe(20);
    expect(reads().length).toBeLessThan(20);
    expect(collector.stats().aggregated).toBeGreaterThan(0);
  });

  it('runtime ebpf - host process is reported as host, not attributed to a container', async () => {
    await run('cat', ['/etc/hostname']);
    const fact = await waitForFact(sink, (f) => f.kind === 'process_exec' && f.body.process.args.join(' ') === 'cat /etc/hostname');
    expect(fact.body.container.host).toBe(true);
    expect(fact.body.container.id).toBe('');
    // The audit login uid comes from the kernel with the exec: cat inherits this process's.
    const own = Number((await readFile('/proc/self/loginuid', 'utf8')).trim());
    expect(fact.body.process.login_uid).toBe(own >= 4294967295 ? -1 : own);
  });

  it('runtime ebpf - idle container produces no facts; counters add up', async () => {
    const stats = collector.stats();
    expect(stats.received).toBeGreaterThan(0);
    expect(stats.published).toBeGreaterThan(0);
    expect(stats.dropped).toBe(0);
    const idleFacts = sink.facts.filter((f) => Object.values(f).some((v) => (v as { container?: { id?: string } })?.container?.id === idle.id));
    expect(idleFacts).toEqual([]);
  });
});
