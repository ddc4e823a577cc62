import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { ProfileStore } from '../engine/src/index.js';
import { decodeVerdict, subjects } from '../proto/src/index.js';
import { BUSYBOX_IMAGE, docker, dockerExec } from './harness/index.js';
import { eventually } from './support/engine-fleet.js';
import { useLocalNats } from './support/local-nats.js';
import { runVigil, spawnVigilUp, untilRuntimeCollector, type VigilUp } from './support/vigil-process.js';
import { validNetworkPolicy } from './support/network-policy-schema.js';

/**
 * Hardening generated from learned profiles, end to end: a compose application
 * (busybox httpd, a client requesting from it in a loop, and a shell script
 * doing file I/O) learns its profiles through `vigil up`; each profile's
 * seccomp profile is proven by `vigil profile verify` (the image run again
 * under it, its exercise passing, out-of-profile calls answering EPERM), the
 * AppArmor profiles compile, the NetworkPolicy allows exactly the learned flows,
 * and the compose override brings the application up hardened under
 * docker-compose.
 */

const run = promisify(execFile);
const PROJECT = `vigil-hard-${process.pid}`;
const NETWORK = `${PROJECT}_default`;
const workloadOf = (service: string): string => `compose:${PROJECT}/${service}`;

interface Service {
  name: string;
  command: string[];
  /** Run by docker exec while learning (a health check) and again by verify. */
  exercise: string;
  runArgs: string[];
}

const SERVICES: Service[] = [
  { name: 'web', command: ['httpd', '-f', '-p', '80', '-h', '/etc'], exercise: 'wget -q -O /dev/null http://127.0.0.1/hostname', runArgs: [] },
  {
    name: 'client',
    command: ['sh', '-c', 'while true; do wget -q -O /dev/null http://web/hostname; sleep 0.5; done'],
    exercise: 'wget -q -O /dev/null http://web/hostname',
    runArgs: [`--network=${NETWORK}`],
  },
  {
    name: 'io',
    command: ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo "$i" > /tmp/io-$((i % 8)); cat /tmp/io-$((i % 8)) > /tmp/last; rm -f /tmp/io-$(((i + 4) % 8)); sleep 0.3; done'],
    exercise: 'cat /tmp/last',
    runArgs: [],
  },
];

function composeFile(): string {
  // Compose interpolates $: $$ is a literal one.
  const services = Object.fromEntries(SERVICES.map((s) => [s.name, { image: BUSYBOX_IMAGE, command: s.command.map((part) => part.replace(/\$/g, '$$$$')) }]));
  return YAML.stringify({ version: '3.7', services });
}

const compose = (dir: string, files: string[], ...args: string[]) =>
  run('docker-compose', ['-p', PROJECT, ...files.flatMap((f) => ['-f', path.join(dir, f)]), ...args], { cwd: dir, timeout: 180_000 });

const containerOf = (service: string): string => `${PROJECT}_${service}_1`;

describe('hardening - generated from learned profiles and proven by re-running the workload', () => {
  const local = useLocalNats({ streams: true });
  let dir: string;
  let up: VigilUp;
  let store: ProfileStore;
  let stopChecks = false;
  let checks: Promise<void> | undefined;
  const findings: Array<{ rule: string; container: string; message: string; tags: string[] }> = [];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-hardening-'));
    await fs.mkdir(path.join(dir, 'vigil'));
    await fs.writeFile(path.join(dir, 'docker-compose.yml'), composeFile());
    await compose(dir, ['docker-compose.yml'], 'down', '-t', '0').catch(() => undefined);
    store = await ProfileStore.open(local.nc);
    local.nc.subscribe(subjects.allVerdicts, {
      callback: (_e, msg) => {
        for (const f of decodeVerdict(msg.data).findings) {
          findings.push({ rule: f.rule_id ?? '', container: f.subject?.name ?? '', message: f.message ?? '', tags: [...(f.tags ?? [])] });
        }
      },
    });
    up = spawnVigilUp(['--nats', local.nats.url, '--collectors', 'runtime,container', '--learn-window', '20s', '--host', 'node-a']);
    await untilRuntimeCollector(up, 60_000);
    await compose(dir, ['docker-compose.yml'], 'up', '-d');
    // The exercises run while the profiles learn, as a health check would.
    checks = (async () => {
      while (!stopChecks) {
        for (const s of SERVICES) await dockerExec(containerOf(s.name), 'sh', '-c', s.exercise).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 1500));
      }
    })();
    await eventually(
      'the three profiles enforcing, with the peers and labels learned',
      async () => {
        const profiles = await Promise.all(SERVICES.map(async (s) => (await store.get(workloadOf(s.name)))?.profile));
        return profiles.every((p) => p?.state === 'enforcing' && Object.keys(p.items.labels).length > 0) && `tcp/${workloadOf('web')}:80` in (profiles[1]?.items.peers ?? {});
      },
      150_000,
    );
    stopChecks = true;
    await checks;
  }, 240_000);

  afterAll(async () => {
    stopChecks = true;
    await checks;
    await up?.stop();
    await compose(dir, ['docker-compose.yml'], 'down', '-t', '0').catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  }, 120_000);


  it('seccomp - each workload runs again under its generated profile, its exercise passes, and out-of-profile calls answer EPERM', async () => {
    const reports: Record<string, unknown>[] = [];
    for (const s of SERVICES) {
      const result = await runVigil([
        'profile', 'verify', workloadOf(s.name), '--nats', local.nats.url, '--image', BUSYBOX_IMAGE, '--exercise', s.exercise, '--format', 'json',
        ...s.runArgs.map((a) => `--run-arg=${a}`), '--', ...s.command,
      ]);
      if (result.stdout === '') throw new Error(`vigil profile verify ${s.name} printed nothing (exit ${result.code}): ${result.stderr}`);
      const report = JSON.parse(result.stdout) as { works: boolean; denials: unknown[]; probes: Array<{ name: string; errno: number; refused: boolean }>; exercise: { exitCode: number }; seccomp: { allowed: number } };
      reports.push({ service: s.name, code: result.code, allowed: report.seccomp.allowed, works: report.works, exercise: report.exercise?.exitCode, denials: report.denials, probes: report.probes.map((p) => `${p.name}:${p.errno}`) });
      expect({ service: s.name, code: result.code, works: report.works, denials: report.denials }).toEqual({ service: s.name, code: 0, works: true, denials: [] });
      expect(report.probes.map((p) => p.name).sort()).toEqual(['mount', 'never-seen', 'ptrace', 'raw-socket', 'unshare']);
      expect(report.probes.filter((p) => !(p.refused && p.errno === 1))).toEqual([]);
      // Refused by the filter itself, not only by the dropped capabilities.
      const bySeccomp = (name: string) => (report.probes as Array<{ name: string; detail?: string }>).find((p) => p.name === name)?.detail;
      expect(['unshare', 'ptrace', 'never-seen'].map((n) => `${n}: ${bySeccomp(n)}`)).toEqual(['unshare', 'ptrace', 'never-seen'].map((n) => `${n}: EPERM from the seccomp filter`));
      // mount: refused by the filter unless runc's own exec machinery leaked it into the profile; then the dropped CAP_SYS_ADMIN refuses it.
      expect(bySeccomp('mount')).toMatch(/^EPERM from the (seccomp filter|kernel \(capabilities\))$/);
      expect(report.seccomp.allowed).toBeLessThan(200);
    }
    process.stdout.write(`verify reports: ${JSON.stringify(reports)}\n`);
  }, 240_000);

  it('seccomp - under the exported profile, busybox inside the container is refused unshare and mount with EPERM', async () => {
    const file = path.join(dir, 'vigil', 'web.seccomp.json');
    expect((await runVigil(['profile', 'export', workloadOf('web'), '--nats', local.nats.url, '--format', 'seccomp', '--out', file])).code).toBe(0);
    const name = `${PROJECT}-seccomp-check`;
    await docker(['run', '-d', '--name', name, '--label', 'vigil.dev/workload=none', '--security-opt', `seccomp=${file}`, BUSYBOX_IMAGE, ...SERVICES[0]!.command]);
    try {
      const attempt = async (...command: string[]) => run('docker', ['exec', name, ...command]).then(() => 'succeeded', (e: { stderr?: string }) => e.stderr ?? '');
      expect(await attempt('unshare', '-U', 'true')).toMatch(/Operation not permitted/);
      expect(await attempt('mount', '-t', 'tmpfs', 'none', '/tmp')).toMatch(/Operation not permitted|permission denied/i);
      expect(await attempt('wget', '-q', '-O', '/dev/null', 'http://127.0.0.1/hostname')).toBe('succeeded');
    } finally {
      await docker(['rm', '-f', name]);
    }
  }, 60_000);

  it('apparmor - every generated profile compiles with apparmor_parser', async () => {
    const enabled = (await fs.readFile('/sys/module/apparmor/parameters/enabled', 'utf8').catch(() => 'N')).trim() === 'Y';
    for (const s of SERVICES) {
      const file = path.join(dir, 'vigil', `${s.name}.apparmor`);
      expect((await runVigil(['profile', 'export', workloadOf(s.name), '--nats', local.nats.url, '--format', 'apparmor', '--out', file])).code).toBe(0);
      const text = await fs.readFile(file, 'utf8');
      expect(text).toMatch(/^profile vigil-\S+ flags=/m);
      expect(text).toContain('deny /etc/shadow rwklx,');
      // -Q: compile without loading, which is all a kernel without AppArmor allows.
      await run('apparmor_parser', enabled ? ['-r', '-W', file] : ['-Q', '-K', file]);
    }
    process.stdout.write(`apparmor: ${enabled ? 'enforced by the kernel' : 'compiled only (AppArmor is off in this kernel)'}\n`);
  }, 60_000);

  it('networkpolicy - valid, and allowing exactly the server-client flow and DNS', async () => {
    const policyOf = async (service: string): Promise<Record<string, unknown>> => {
      const result = await runVigil(['profile', 'export', workloadOf(service), '--nats', local.nats.url, '--format', 'networkpolicy']);
      expect(result.code).toBe(0);
      return YAML.parse(result.stdout) as Record<string, unknown>;
    };
    const selector = (service: string) => ({ 'com.docker.compose.project': PROJECT, 'com.docker.compose.service': service });
    const dns = { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] };
    const web = await policyOf('web');
    const client = await policyOf('client');
    for (const policy of [web, client]) expect(validNetworkPolicy(policy)).toEqual([]);
    expect(web.spec).toEqual({
      podSelector: { matchLabels: selector('web') },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: selector('client') } }], ports: [{ protocol: 'TCP', port: 80 }] }],
      egress: [dns],
    });
    expect(client.spec).toEqual({
      podSelector: { matchLabels: selector('client') },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [{ to: [{ podSelector: { matchLabels: selector('web') } }], ports: [{ protocol: 'TCP', port: 80 }] }, dns],
    });
  }, 60_000);

  it('complain mode - drift is tagged would-block with the mechanism that would refuse it', async () => {
    const before = findings.length;
    await dockerExec(containerOf('web'), 'sync');
    await eventually('a would-block syscall drift', async () => findings.slice(before).some((f) => f.rule === 'VGL-RUN-053' && f.message.includes('sync')), 20_000);
    const drift = findings.slice(before).find((f) => f.rule === 'VGL-RUN-053' && f.message.includes('sync'))!;
    expect(drift.tags).toEqual(['would-block', 'seccomp']);
  }, 60_000);

  it('policy - containers of an enforcing profile without the generated hardening are reported with the command', async () => {
    await eventually(
      'VGL-CTR-040 on the web container',
      async () => findings.some((f) => f.rule === 'VGL-CTR-040' && f.container === containerOf('web')),
      60_000,
    );
    const finding = findings.find((f) => f.rule === 'VGL-CTR-040' && f.container === containerOf('web'))!;
    expect(finding.message).toContain(`vigil profile export ${workloadOf('web')} --format compose`);
  }, 90_000);

  it('compose - the generated override brings the application up hardened under docker-compose, and it works', async () => {
    const overrides: string[] = [];
    for (const s of SERVICES) {
      const seccomp = path.join('vigil', `${s.name}.seccomp.json`);
      expect((await runVigil(['profile', 'export', workloadOf(s.name), '--nats', local.nats.url, '--format', 'seccomp', '--out', path.join(dir, seccomp)])).code).toBe(0);
      const override = `${s.name}.override.yml`;
      const result = await runVigil(['profile', 'export', workloadOf(s.name), '--nats', local.nats.url, '--format', 'compose', '--seccomp-path', `./${seccomp}`, '--out', path.join(dir, override)]);
      expect(result.code).toBe(0);
      overrides.push(override);
    }
    await compose(dir, ['docker-compose.yml', ...overrides], 'up', '-d');
    const inspect = async (service: string) => JSON.parse(await docker(['inspect', containerOf(service)]))[0] as { State: { Running: boolean }; HostConfig: { SecurityOpt: string[]; ReadonlyRootfs: boolean; CapDrop: string[] } };
    await new Promise((r) => setTimeout(r, 3000));
    for (const s of SERVICES) {
      const c = await inspect(s.name);
      expect({ service: s.name, running: c.State.Running, seccomp: c.HostConfig.SecurityOpt.some((o) => o.startsWith('seccomp={')), capDrop: c.HostConfig.CapDrop }).toEqual({
        service: s.name,
        running: true,
        seccomp: true,
        capDrop: ['ALL'],
      });
    }
    // It works: the client reaches the server, the script keeps writing.
    await run('docker', ['exec', containerOf('client'), 'wget', '-q', '-O', '/dev/null', 'http://web/hostname']);
    const first = (await docker(['exec', containerOf('io'), 'cat', '/tmp/last'])).trim();
    await new Promise((r) => setTimeout(r, 1000));
    expect(Number((await docker(['exec', containerOf('io'), 'cat', '/tmp/last'])).trim())).toBeGreaterThan(Number(first));
  }, 240_000);
});
