import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { falcoSource, falcoToEvent, tetragonToEvent, type RuntimeEvent } from '../../src/runtime/index.js';

// Shaped after Falco's documented json_output alerts: output_fields holds what the rule's output names.
const FALCO_SHELL = JSON.stringify({
  hostname: 'node-a',
  output: '09:52:01.123456789: Notice A shell was spawned in a container with an attached terminal (...)',
  priority: 'Notice',
  rule: 'Terminal shell in container',
  source: 'syscall',
  tags: ['container', 'mitre_execution', 'shell', 'T1059'],
  time: '2025-11-23T09:52:01.123456789Z',
  output_fields: {
    'container.id': '096763330cd0',
    'container.name': 'web',
    'container.image.repository': 'nginx',
    'container.image.tag': '1.27',
    'evt.time': 1763891521123456789,
    'evt.type': 'execve',
    'k8s.ns.name': null,
    'k8s.pod.name': null,
    'proc.cmdline': 'sh -c uptime',
    'proc.exepath': '/bin/busybox',
    'proc.name': 'sh',
    'proc.pid': 6461,
    'proc.pname': 'runc',
    'proc.ppid': 6450,
    'proc.tty': 34816,
    'user.loginuid': -1,
    'user.name': 'root',
    'user.uid': 0,
  },
});

const FALCO_SHADOW = JSON.stringify({
  priority: 'Warning',
  rule: 'Read sensitive file untrusted',
  time: '2025-11-23T09:52:02.000000000Z',
  output_fields: {
    'container.id': '096763330cd0',
    'evt.type': 'openat',
    'evt.arg.flags': 'O_RDONLY|O_CLOEXEC',
    'fd.name': '/etc/shadow',
    'proc.name': 'cat',
    'proc.pid': 7001,
    'user.uid': 0,
  },
});

const FALCO_CONNECT = JSON.stringify({
  priority: 'Notice',
  rule: 'Outbound connection',
  time: '2025-11-23T09:52:03Z',
  output_fields: {
    'container.id': 'host',
    'evt.type': 'connect',
    'fd.name': '10.0.0.5:40000->1.2.3.4:443',
    'fd.l4proto': 'tcp',
    'proc.name': 'curl',
    'proc.pid': 900,
  },
});

const TETRAGON_PROCESS = {
  exec_id: 'bm9kZS1hOjExNDA3NTExODM3MzU6OTU2Mg==',
  pid: 9562,
  uid: 1000,
  cwd: '/app',
  binary: '/usr/bin/curl',
  arguments: '-s "https://example.com/a b"',
  flags: 'execve rootcwd clone',
  start_time: '2025-11-23T09:52:04.000Z',
  auid: 4294967295,
  pod: {
    namespace: 'shop',
    name: 'web-7d9f',
    container: {
      id: 'containerd://096763330cd05eb7a90f72868822294a85981a21060f16899ac4b4335cbf0437',
      name: 'web',
      image: { id: 'docker.io/library/nginx@sha256:abc', name: 'docker.io/library/nginx:1.27' },
      start_time: '2025-11-23T09:00:00Z',
      pid: 12,
    },
    pod_labels: { app: 'web' },
  },
  docker: '096763330cd05eb7a90f72868822294',
  parent_exec_id: 'bm9kZS1hOjExNDA3NTEwMDAwMDA6OTUwMA==',
  cap: { permitted: ['CAP_CHOWN', 'CAP_NET_RAW'], effective: ['CAP_CHOWN', 'CAP_NET_RAW'] },
  process_credentials: { uid: 1000, gid: 1000, euid: 1000, egid: 1000 },
};
const TETRAGON_PARENT = { pid: 9500, binary: '/bin/sh', arguments: '-c curl', uid: 1000 };

describe('runtime - Falco and Tetragon adapters', () => {
  it('falco adapter - execve alert becomes an exec with container identity', () => {
    expect(falcoToEvent(FALCO_SHELL)).toMatchObject({
      kind: 'exec',
      source: 'falco',
      observedAtMs: Date.parse('2025-11-23T09:52:01.123Z'),
      process: { pid: 6461, ppid: 6450, uid: 0, comm: 'sh', exe: '/bin/busybox', args: ['sh', '-c', 'uptime'], tty: true },
      container: { id: '096763330cd0', name: 'web', image: 'nginx:1.27' },
    });
  });

  it('falco adapter - open of /etc/shadow is a read file access', () => {
    expect(falcoToEvent(FALCO_SHADOW)).toMatchObject({ kind: 'file', path: '/etc/shadow', read: true, write: false, operation: 'open' });
  });

  it('falco adapter - connect tuple gives remote endpoint; container.id "host" is a host process', () => {
    expect(falcoToEvent(FALCO_CONNECT)).toMatchObject({
      kind: 'network',
      direction: 'outbound',
      protocol: 'tcp',
      localAddress: '10.0.0.5',
      localPort: 40000,
      remoteAddress: '1.2.3.4',
      remotePort: 443,
      container: { host: true },
    });
  });

  it('falco adapter - lines that are not alerts map to nothing', () => {
    expect(falcoToEvent('Sun Nov 23 09:52:00 2025: Falco version: 0.39.0')).toBeUndefined();
    expect(falcoToEvent('{"rule":"x"}')).toBeUndefined();
  });

  it('tetragon adapter - process_exec with pod, credentials, capabilities and quoted arguments', () => {
    const line = JSON.stringify({ process_exec: { process: TETRAGON_PROCESS, parent: TETRAGON_PARENT }, node_name: 'node-a', time: '2025-11-23T09:52:04.000Z' });
    expect(tetragonToEvent(line)).toMatchObject({
      kind: 'exec',
      source: 'tetragon',
      process: {
        pid: 9562,
        ppid: 9500,
        uid: 1000,
        euid: 1000,
        exe: '/usr/bin/curl',
        comm: 'curl',
        cwd: '/app',
        args: ['/usr/bin/curl', '-s', 'https://example.com/a b'],
        capabilities: ['CHOWN', 'NET_RAW'],
        ancestry: [{ pid: 9500, comm: 'sh', exe: '/bin/sh' }],
      },
      container: {
        id: '096763330cd05eb7a90f72868822294a85981a21060f16899ac4b4335cbf0437',
        name: 'web',
        image: 'docker.io/library/nginx:1.27',
        pod: 'web-7d9f',
        namespace: 'shop',
      },
    });
  });

  it('tetragon adapter - kprobe tcp_connect and security_file_permission', () => {
    const connect = JSON.stringify({
      process_kprobe: {
        process: TETRAGON_PROCESS,
        parent: TETRAGON_PARENT,
        function_name: 'tcp_connect',
        args: [{ sock_arg: { family: 'AF_INET', type: 'SOCK_STREAM', protocol: 'IPPROTO_TCP', saddr: '10.0.0.8', daddr: '93.184.216.34', sport: 40000, dport: 443, cookie: '0', state: 'TCP_SYN_SENT' } }],
        action: 'KPROBE_ACTION_POST',
        policy_name: 'connect',
      },
      time: '2025-11-23T09:52:05Z',
    });
    expect(tetragonToEvent(connect)).toMatchObject({ kind: 'network', direction: 'outbound', protocol: 'tcp', remoteAddress: '93.184.216.34', remotePort: 443, localPort: 40000 });
    const write = JSON.stringify({
      process_kprobe: {
        process: TETRAGON_PROCESS,
        function_name: 'security_file_permission',
        args: [{ file_arg: { path: '/etc/passwd', permission: '-rw-r--r--' } }, { int_arg: 2 }],
        action: 'KPROBE_ACTION_POST',
      },
    });
    expect(tetragonToEvent(write)).toMatchObject({ kind: 'file', path: '/etc/passwd', write: true, read: false });
    const setuid = JSON.stringify({ process_kprobe: { process: TETRAGON_PROCESS, function_name: '__x64_sys_setuid', args: [{ int_arg: 0 }] } });
    expect(tetragonToEvent(setuid)).toMatchObject({ kind: 'privilege', change: 'setuid', oldUid: 1000, newUid: 0 });
    expect(tetragonToEvent(JSON.stringify({ process_exit: { process: TETRAGON_PROCESS } }))).toBeUndefined();
  });

  it('falco source - reads JSON lines from a stream and counts what it skips', async () => {
    const source = falcoSource(() => Readable.from([`${FALCO_SHELL}\n`, 'not json\n', `${FALCO_SHADOW}\n`]));
    const events: RuntimeEvent[] = [];
    await source.start((event) => events.push(event));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await source.stop();
    expect(events.map((e) => e.kind)).toEqual(['exec', 'file']);
    expect(source.lost()).toBe(1);
  });
});
