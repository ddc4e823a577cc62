import { describe, expect, it } from '@jest/globals';
import type { ExecEvent, FileEvent } from '../../src/runtime/events.js';
import { ProcessMemory } from '../../src/runtime/process-memory.js';

const hostExec = (pid: number, ppid: number, exe: string): ExecEvent => ({
  kind: 'exec',
  source: 'ebpf',
  observedAtMs: 1,
  process: { pid, ppid, comm: exe.split('/').pop()!, exe, args: [exe] },
});

const hostOpen = (pid: number): FileEvent => ({
  kind: 'file',
  source: 'ebpf',
  observedAtMs: 2,
  process: { pid },
  path: '/etc/shadow',
  operation: 'open',
  read: true,
  write: false,
});

describe('runtime - process memory', () => {
  it('process memory - host events get exe, args and ancestry from the exec the kernel reported', () => {
    const memory = new ProcessMemory();
    memory.observe(hostExec(5, 1, '/usr/sbin/nginx'));
    const child = hostExec(6, 5, '/bin/sh');
    memory.observe(child);
    expect(memory.ancestryOf(child)).toEqual({ chain: [{ pid: 5, comm: 'nginx', exe: '/usr/sbin/nginx', args: ['/usr/sbin/nginx'] }], next: 1 });
    const open = hostOpen(5);
    memory.observe(open);
    expect([open.process.exe, open.process.args]).toEqual(['/usr/sbin/nginx', ['/usr/sbin/nginx']]);
  });

  it('process memory - a sandbox pid (gVisor) never stands in for the host process of the same number', () => {
    const memory = new ProcessMemory();
    const sandboxed: ExecEvent = { ...hostExec(5, 1, '/bin/busybox'), source: 'gvisor', sandboxPids: true };
    memory.observe(sandboxed);
    expect(memory.get(5)).toBeUndefined();

    const child = hostExec(6, 5, '/bin/sh');
    memory.observe(child);
    // Nothing known of host pid 5: /proc takes over from there.
    expect(memory.ancestryOf(child)).toEqual({ chain: [], next: 5 });
    const open = hostOpen(5);
    memory.observe(open);
    expect(open.process.exe).toBeUndefined();
  });
});
