import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildBundle, packageRoot, PolicyEvaluator, readBundleFile, type Bundle } from '../engine/src/index.js';
import type { PolicyInput } from '../proto/src/index.js';
import { seededRandom } from './support/seeded-random.js';

/**
 * The rule index is safe: over the example facts and 200,000 generated runtime
 * events, evaluating through the index (facts no rule can match skip WASM, the
 * others run only the rules that can fire) gives exactly the findings of
 * evaluating every rule of the kind, with and without a learned profile in data.
 */

const EVENTS = 200_000;
const SEED = 20261202;

type Pick = <T>(items: readonly T[]) => T;

// Values chosen around what the runtime rules test: their names, paths, ports and flags,
// near misses (case, doubled or trailing slashes, non-ASCII look-alikes), and the ordinary.
const NAMES = ['nc', 'ncat', 'socat', 'bash', 'sh', 'busybox', 'exe', 'xmrig', 'XMRig', 'XMRİG', 'find', 'grep', 'kubectl', 'docker', 'shred', 'rm', 'debugfs', 'mount', 'apt-get', 'apk', 'sshd', 'nmap', 'ping', 'nginx', 'python3', 'java', 'node', 'curl', ''];
const DIRS = ['/usr/bin/', '/bin/', '/usr/sbin/', '/tmp/', '/dev/shm/', '/var/tmp/', '/usr//bin/', '/opt/app/', '/memfd:', '/', ''];
const ARGS = ['-c', '-e', '/bin/sh', 'stratum+tcp://pool:3333', '--donate-level=1', 'RandomX', '-name', 'id_rsa', 'password', 'aws_secret_access_key', '.aws/credentials', '-rf', '/var/log', '/tmp/x.sh', '/dev/shm/run', 'worker process', '10.0.0.1', '4444', '-p', 'BEGIN RSA PRIVATE KEY', 'ſtratum+tcp://x'];
const PATHS = ['/etc/shadow', '/etc/passwd', '/etc//shadow', '/etc/shadow/', '/etc/sudoers', '/root/.ssh/id_rsa', '/home/u/.ssh/id_ed25519', '/root/.aws/credentials', '/root/.kube/config', '/root/.docker/config.json', '/var/run/docker.sock', '/run/containerd/containerd.sock', '/var/log/auth.log', '/var/log/nginx/access.log', '/sys/fs/cgroup/release_agent', '/sys/fs/cgroup/x/release_agent', '/proc/sys/kernel/core_pattern', '/usr/bin/ls', '/bin/evil', '/etc/ld.so.preload', '/run/secrets/kubernetes.io/serviceaccount/token', '/tmp/data', '/app/index.html', '/root/.bash_history', '/etc/pam.d/sshd', '/ETC/SHADOW', '/tmp/my.sock', '/run/crio/crio.sock', ''];
const REQUESTED = ['../../etc/shadow', '/etc/shadow', 'a/../../etc/passwd', '', 'x'];
const OPERATIONS = ['open', 'write', 'symlink', 'link', 'unlink', 'rename', 'chmod', 'truncate', 'mkdir'];
const ADDRESSES = ['169.254.169.254', '::ffff:169.254.169.254', 'fd00:ec2::254', '10.96.0.1', '10.0.0.7', '127.0.0.1', '8.8.8.8', ''];
const PORTS = [22, 2222, 443, 80, 3333, 4444, 6443, 2375, 2376, 10250, 14444, 0];
const DIRECTIONS = ['outbound', 'listen', 'socket', 'inbound', ''];
const CHANGES = ['setuid', 'capset', 'ptrace', 'mount', 'module_load', 'unshare', 'setns', 'chroot'];
const CAPS = ['SYS_ADMIN', 'NET_ADMIN', 'CHOWN', 'SYS_PTRACE', 'NET_RAW', 'BPF'];
const SYSCALLS = ['read', 'write', 'ptrace', 'mount', 'bpf', 'unshare', 'futex', 'keyctl'];
const WORKLOADS = ['compose:shop/web', 'compose:shop/db', '', 'k8s:default/api'];
const IMAGE_USERS = ['', '1000', ' 1000:1000 ', 'root', '0', 'nobody', ' '];

function mutateProcess(p: Record<string, unknown>, pick: Pick, random: () => number): void {
  const name = pick(NAMES);
  if (random() < 0.7) p.comm = random() < 0.5 ? name : pick(NAMES);
  if (random() < 0.7) p.exe = `${pick(DIRS)}${random() < 0.8 ? name : pick(NAMES)}${random() < 0.05 ? ' (deleted)' : ''}`;
  if (random() < 0.6) p.args = [random() < 0.5 ? name : `${pick(DIRS)}${name}`, ...Array.from({ length: Math.floor(random() * 4) }, () => pick(ARGS))];
  if (random() < 0.3) p.uid = pick([0, 33, 1000, 65534]);
  if (random() < 0.3) p.euid = pick([0, 33, 1000]);
  if (random() < 0.2) p.tty = random() < 0.5;
  if (random() < 0.2) p.stdio = [pick(['socket', 'pipe', 'tty', 'null']), pick(['socket', 'pipe', 'tty']), pick(['socket', 'pipe'])];
  if (random() < 0.2) p.exe_known = random() < 0.7;
  if (random() < 0.2) p.exe_in_image = random() < 0.5;
  if (random() < 0.1) p.capabilities = [pick(CAPS), pick(CAPS)];
  if (random() < 0.1) p.ancestry = [{ pid: 1, comm: pick(NAMES), exe: `/usr/bin/${pick(NAMES)}` }];
}

function mutateContainer(c: Record<string, unknown>, pick: Pick, random: () => number): void {
  if (random() < 0.15) c.host = random() < 0.5;
  if (random() < 0.05) c.id = '';
  if (random() < 0.3) c.workload = pick(WORKLOADS);
  if (random() < 0.2) c.image_user = pick(IMAGE_USERS);
  if (random() < 0.1) c.namespace = pick(['kube-system', 'default', '']);
}

function mutate(input: Record<string, unknown>, pick: Pick, random: () => number): void {
  const kind = String(input.kind);
  const body = input[kind] as Record<string, unknown>;
  if (body.container) mutateContainer(body.container as Record<string, unknown>, pick, random);
  if (body.process) mutateProcess(body.process as Record<string, unknown>, pick, random);
  switch (kind) {
    case 'file_access':
      if (random() < 0.7) body.path = pick(PATHS);
      if (random() < 0.3) body.requested_path = pick(REQUESTED);
      if (random() < 0.4) body.read = random() < 0.5;
      if (random() < 0.4) body.write = random() < 0.5;
      if (random() < 0.4) body.operation = pick(OPERATIONS);
      if (random() < 0.2) body.target = pick(PATHS);
      break;
    case 'network_connection':
      if (random() < 0.6) body.remote_address = pick(ADDRESSES);
      if (random() < 0.6) body.remote_port = pick(PORTS);
      if (random() < 0.3) body.local_port = pick(PORTS);
      if (random() < 0.4) body.direction = pick(DIRECTIONS);
      if (random() < 0.2) body.protocol = pick(['tcp', 'udp', 'raw']);
      if (random() < 0.1) body.remote_workload = pick(WORKLOADS);
      break;
    case 'privilege_change':
      if (random() < 0.6) body.change = pick(CHANGES);
      if (random() < 0.3) body.target = pick(['TRACEME', '123', '/mnt', 'net']);
      if (random() < 0.3) body.old_uid = pick([0, 1000]);
      if (random() < 0.3) body.new_uid = pick([0, 1000]);
      if (random() < 0.3) body.capabilities_gained = [pick(CAPS)];
      break;
    case 'syscall_set':
      if (random() < 0.7) body.syscalls = [pick(SYSCALLS), pick(SYSCALLS)];
      break;
  }
}

// A learned profile, and configurable lists the operator replaced (read from data, not the defaults).
const LEARNED = {
  vigil: {
    config: { runtime_sockets: ['/tmp/my.sock', '/var/run/docker.sock'], runtime_k8s_api_servers: ['10.0.0.7'] },
    profiles: {
      'compose:shop/web': {
        learned: true, workload: 'compose:shop/web', version: 3, state: 'enforcing',
        executables: { '/usr/sbin/nginx': true }, uids: { '0': true }, capabilities: { CHOWN: true },
        writes: { '/tmp/': true }, peers: { 'tcp/10.0.0.7:443': true }, listen_ports: { 'tcp/80': true }, syscalls: { read: true },
      },
      'compose:shop/db': { learned: true, workload: 'compose:shop/db', version: 1, state: 'learning', executables: {} },
    },
  },
};

const findings = (outcome: unknown): string => {
  if (outcome instanceof Error) return `error: ${outcome.message}`;
  const hits = outcome as { rule: { id: string }; messages: string[] }[];
  return JSON.stringify(hits.map((h) => [h.rule.id, [...h.messages].sort()]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
};

describe('rule index', () => {
  let dir: string;
  let bundle: Bundle;
  let templates: Record<string, unknown>[];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-index-test-'));
    const outFile = path.join(dir, 'all.tar.gz');
    await buildBundle({ policyDir: path.join(packageRoot(), 'policies'), outFile, includeIncubating: true });
    bundle = await readBundleFile(outFile);
    const root = path.join(packageRoot(), 'policies', 'examples', 'runtime');
    const files = (await fs.readdir(root)).filter((f) => f.endsWith('.json')).sort();
    templates = await Promise.all(files.map(async (f) => (JSON.parse(await fs.readFile(path.join(root, f), 'utf8')) as { input: Record<string, unknown> }).input));
  }, 120_000);

  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('rule index - the bundle indexes every runtime kind and derives conditions for most of its rules', () => {
    const index = bundle.manifest.index;
    expect(index?.kinds.sort()).toEqual(['file_access', 'network_connection', 'privilege_change', 'process_exec', 'syscall_set']);
    const runtime = bundle.manifest.rules.filter((r) => index!.kinds.includes(r.kind));
    const unconditioned = runtime.filter((r) => !index!.conditions[r.id]).map((r) => r.id);
    // Each rule that is judged on every event of its kind is named here, so a new one is a decision.
    expect(unconditioned).toEqual([]);
  });

  for (const [label, overlay] of [['default data', {}], ['a learned profile and operator lists', LEARNED]] as const) {
    it(`rule index - indexed and unindexed evaluation agree on ${EVENTS / 2} generated events and the examples (${label})`, async () => {
      const indexed = await PolicyEvaluator.load(bundle, overlay, { batchSize: 64 });
      const full = await PolicyEvaluator.load(bundle, overlay, { batchSize: 64, index: false });
      const random = seededRandom(SEED + (overlay === LEARNED ? 1 : 0));
      const pick: Pick = (items) => items[Math.floor(random() * items.length)]!;
      const fired = new Set<string>();
      const mismatches: { input: unknown; indexed: string; full: string }[] = [];
      const compare = (inputs: PolicyInput[]): void => {
        const a = indexed.evaluateBatch(inputs);
        const b = full.evaluateBatch(inputs);
        inputs.forEach((input, i) => {
          const [x, y] = [findings(a[i]), findings(b[i])];
          if (x !== y && mismatches.length < 5) mismatches.push({ input, indexed: x, full: y });
          for (const [id] of JSON.parse(y) as [string][]) fired.add(id);
        });
      };
      compare(templates as PolicyInput[]);
      for (let done = 0; done < EVENTS / 2; done += 500) {
        const inputs = Array.from({ length: 500 }, (_, i) => {
          const event = structuredClone(pick(templates));
          event.id = `gen-${done + i}`;
          mutate(event, pick, random);
          return event as PolicyInput;
        });
        compare(inputs);
      }
      expect(mismatches).toEqual([]);
      // The events reach most rules, and the index keeps a share of them out of WASM.
      expect(fired.size).toBeGreaterThan(35);
      expect(indexed.callCounts().skipped).toBeGreaterThan(EVENTS / 20);
      expect(full.callCounts().skipped).toBe(0);
    }, 600_000);
  }
});
