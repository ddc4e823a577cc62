import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, release, tmpdir } from 'node:os';
import path from 'node:path';
import { v1 } from '../../../proto/src/index.js';
import { collectHostFact, type HostCollection } from '../../src/host/index.js';
import { FixtureRoot } from './fixture.js';

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).trim();
  } catch (error) {
    throw new Error(`this test needs the real Docker host: \`${command} ${args.join(' ')}\` failed: ${(error as Error).message}`);
  }
}

function file(collection: HostCollection, hostPath: string) {
  const entry = collection.fact.files?.find((f) => f.path === hostPath);
  if (entry === undefined) throw new Error(`no file entry for ${hostPath}`);
  return entry;
}

describe('host collector - this machine (hostRoot "/")', () => {
  let collection: HostCollection;

  beforeAll(async () => {
    collection = await collectHostFact({ hostRoot: '/' });
  });

  it('host fact - reads the real engine without errors', () => {
    expect(collection.errors).toEqual([]);
    expect(collection.fact.docker_socket_reachable).toBe(true);
    expect(collection.fact.docker_version).toBe(run('docker', ['version', '--format', '{{.Server.Version}}']));
    expect(collection.fact.docker_api_version).toBe(run('docker', ['version', '--format', '{{.Server.APIVersion}}']));
  });

  it('host fact - runtimes include gVisor (runsc) as sandboxed and runc as not', () => {
    const runtimes = collection.fact.runtimes ?? [];
    expect(runtimes).toContainEqual({ name: 'runsc', path: '/usr/bin/runsc', sandboxed: true });
    expect(runtimes.find((r) => r.name === 'runc')?.sandboxed).toBe(false);
    expect(collection.fact.default_runtime).toBe(run('docker', ['info', '--format', '{{.DefaultRuntime}}']));
  });

  it('host fact - kernel, host name, cgroup v1 and seccomp of this VM', () => {
    expect(collection.fact.kernel_version).toBe(release());
    expect(collection.fact.hostname).toBe(hostname());
    expect(collection.fact.cgroup_version).toBe(1);
    expect(collection.fact.seccomp_supported).toBe(true);
    expect(collection.fact.os).toMatch(/^Debian GNU\/Linux/);
  });

  it('host fact - the docker socket ownership matches stat(1)', () => {
    const [uid, gid, mode, owner, group] = run('stat', ['-L', '-c', '%u %g %a %U %G', '/var/run/docker.sock']).split(' ');
    expect(file(collection, '/var/run/docker.sock')).toEqual({
      path: '/var/run/docker.sock',
      exists: true,
      uid: Number(uid),
      gid: Number(gid),
      owner,
      group,
      mode: parseInt(mode!, 8),
    });
    expect(file(collection, '/etc/sysconfig/docker').exists).toBe(false);
  });

  it('host fact - the daemon command line is the running dockerd argv', () => {
    const pid = run('pgrep', ['-o', '-x', 'dockerd']);
    expect(collection.fact.daemon?.command_line?.join(' ')).toBe(run('ps', ['-o', 'args=', '-p', pid]));
    expect(collection.fact.daemon?.storage_driver).toBe(run('docker', ['info', '--format', '{{.Driver}}']));
    expect(collection.fact.daemon?.config_file_present).toBe(true);
  });

  it('host fact - is a valid HostFact message', () => {
    expect(v1.HostFact.verify(collection.fact)).toBeNull();
    const decoded = v1.HostFact.toObject(v1.HostFact.decode(v1.HostFact.encode(collection.fact).finish()), { defaults: true, arrays: true, longs: Number });
    expect(decoded).toEqual(collection.fact);
  });
});

const DAEMON_JSON = {
  icc: false,
  'userns-remap': 'default',
  'insecure-registries': ['registry.local:5000', '10.0.0.0/8'],
  'log-level': 'warn',
  hosts: ['unix:///var/run/docker.sock'],
  'default-ulimits': { nofile: { Name: 'nofile', Hard: 64000, Soft: 32000 } },
  'storage-opts': ['dm.basesize=20G'],
  runtimes: { 'kata-qemu': { path: '/opt/kata/bin/kata-runtime' } },
  'live-restore': true,
  'authorization-plugins': ['authz-file'],
  'data-root': '/srv/docker',
};

const DOCKERD_ARGV = [
  '/usr/bin/dockerd',
  '-H',
  'fd://',
  '-H',
  'tcp://0.0.0.0:2376',
  '--tlsverify',
  '--tlscacert=/etc/docker/tls/ca.pem',
  '--tlscert',
  '/etc/docker/tls/cert.pem',
  '--tlskey=/etc/docker/tls/key.pem',
  '--containerd=/run/containerd/containerd.sock',
  '-l',
  'error',
  '--iptables=false',
  '--userland-proxy=false',
  '--no-new-privileges',
  '--authorization-plugin=opa-docker-authz',
  '--default-ulimit',
  'nproc=1024:2048',
  '--add-runtime',
  'runsc=/usr/local/bin/runsc',
  '--selinux-enabled',
  '--seccomp-profile',
  '/etc/docker/seccomp.json',
  '--cgroup-parent=/vigil',
  '--log-driver',
  'journald',
  '--default-runtime=runsc',
  '-s',
  'overlay2',
  '--raw-logs',
];

describe('host collector - fixture host root', () => {
  let fixture: FixtureRoot;
  let collection: HostCollection;

  beforeAll(async () => {
    fixture = await FixtureRoot.create();
    await fixture.dir('/etc/docker');
    await fixture.file('/etc/docker/daemon.json', JSON.stringify(DAEMON_JSON, null, 2));
    await fixture.process(17, 'containerd', ['/usr/bin/containerd']);
    await fixture.process(4242, 'dockerd', DOCKERD_ARGV);
    await fixture.process(90000, 'dockerd', ['dockerd', '--icc=true']); // Docker-in-Docker, higher pid
    await fixture.file('/proc/sys/kernel/osrelease', '5.15.0-vigil\n');
    await fixture.file('/proc/sys/kernel/seccomp/actions_avail', 'kill_process kill_thread trap errno log allow\n');
    await fixture.file('/sys/kernel/security/lsm', 'lockdown,capability,yama,apparmor');
    await fixture.file('/sys/fs/cgroup/cgroup.controllers', 'cpu io memory pids\n');
    await fixture.file('/etc/os-release', 'NAME="Vigil"\nPRETTY_NAME="Vigil Test Linux 1.0"\nID=vigil\n');
    await fixture.file('/etc/hostname', 'fixture-host\n');
    await fixture.file('/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\ndockremap:x:999:999::/home/dockremap:/usr/sbin/nologin\n');
    await fixture.file('/etc/group', 'root:x:0:\ndocker:x:998:alice\n');
    await fixture.file('/lib/systemd/system/docker.service', '[Service]\n', 0o644);
    await fixture.file('/etc/systemd/system/docker.service', '[Service]\n', 0o664);
    await fixture.file('/usr/lib/systemd/system/docker.socket', '[Socket]\n', 0o644);
    await fixture.link('/var/run', '/run');
    await fixture.file('/run/docker.sock', '', 0o660); // a stand-in: nothing listens
    await fixture.own('/run/docker.sock', 0, 998);
    await fixture.file('/etc/default/docker', 'DOCKER_OPTS=\n', 0o644);
    await fixture.own('/etc/default/docker', 1234, 1234);
    await fixture.file('/etc/containerd/config.toml', 'version = 2\n', 0o644);
    await fixture.file('/etc/docker/tls/ca.pem', 'CA', 0o444);
    await fixture.file('/etc/docker/tls/cert.pem', 'CERT', 0o444);
    await fixture.file('/etc/docker/tls/key.pem', 'KEY', 0o400);
    await fixture.file('/etc/docker/certs.d/registry.local:5000/ca.crt', 'CA', 0o444);
    await fixture.file('/etc/audit/audit.rules', '## -w /etc/docker -k commented\n-w /usr/bin/dockerd -k docker\n-w /tmp -p wa -k tmp\n');
    await fixture.file(
      '/etc/audit/rules.d/10-docker.rules',
      '-w /var/lib/docker -p wa -k docker\n-w /usr/bin/dockerd -k docker\n-a always,exit -F path=/usr/bin/runc -F perm=x -k docker\n',
    );
    await fixture.file('/etc/audit/rules.d/README', '-w /etc/docker -k not-a-rules-file\n');
    await fixture.file('/etc/environment', 'PATH="/usr/bin"\nDOCKER_CONTENT_TRUST=0\n');
    await fixture.file('/etc/profile.d/20-docker.sh', '# signed images only\nexport DOCKER_CONTENT_TRUST="1"\n');
    await fixture.file('/etc/profile.d/README', 'DOCKER_CONTENT_TRUST=0\n');
    collection = await collectHostFact({ hostRoot: fixture.root, timeoutMs: 1_000 });
  });

  afterAll(async () => {
    await fixture.remove();
  });

  it('fixture - only the unreachable engine is an error', () => {
    expect(collection.errors).toHaveLength(1);
    expect(collection.errors[0]).toMatch(new RegExp(`^VIGIL_ERR_HOST_DOCKER_API: Docker Engine API at ${fixture.at('/run/docker.sock')} not usable`));
    expect(collection.fact.docker_socket_reachable).toBe(false);
    expect(collection.fact.docker_version).toBe('');
  });

  it('fixture - the effective daemon config is daemon.json under the lowest dockerd pid\'s flags', () => {
    expect(collection.fact.daemon).toEqual({
      icc: false,
      log_level: 'error',
      iptables: false,
      insecure_registries: ['registry.local:5000', '10.0.0.0/8'],
      storage_driver: 'overlay2',
      hosts: ['fd://', 'tcp://0.0.0.0:2376'],
      tls: true,
      tls_verify: true,
      tls_cacert: '/etc/docker/tls/ca.pem',
      tls_cert: '/etc/docker/tls/cert.pem',
      tls_key: '/etc/docker/tls/key.pem',
      default_ulimits: [{ name: 'nproc', soft: 1024, hard: 2048 }],
      userns_remap: 'default',
      cgroup_parent: '/vigil',
      base_device_size: '20G',
      authorization_plugins: ['opa-docker-authz'],
      log_driver: 'journald',
      no_new_privileges: true,
      live_restore: true,
      userland_proxy: false,
      experimental: false,
      seccomp_profile: '/etc/docker/seccomp.json',
      default_runtime: 'runsc',
      selinux_enabled: true,
      command_line: DOCKERD_ARGV,
      config_file_present: true,
    });
  });

  it('fixture - system facts come from the root', () => {
    expect(collection.fact).toMatchObject({
      hostname: 'fixture-host',
      kernel_version: '5.15.0-vigil',
      os: 'Vigil Test Linux 1.0',
      security_modules: ['lockdown', 'capability', 'yama', 'apparmor'],
      seccomp_supported: true,
      cgroup_version: 2,
      default_runtime: 'runsc',
    });
  });

  it('fixture - runtimes are runc plus configured ones, kata and runsc sandboxed', () => {
    expect(collection.fact.runtimes).toEqual([
      { name: 'kata-qemu', path: '/opt/kata/bin/kata-runtime', sandboxed: true },
      { name: 'runc', path: 'runc', sandboxed: false },
      { name: 'runsc', path: '/usr/local/bin/runsc', sandboxed: true },
    ]);
  });

  it('fixture - CIS section 3 files with owner names from the root\'s passwd and group', () => {
    const missing = (p: string) => ({ path: p, exists: false, uid: 0, gid: 0, owner: '', group: '', mode: 0 });
    const root = (p: string, mode: number) => ({ path: p, exists: true, uid: 0, gid: 0, owner: 'root', group: 'root', mode });
    expect(collection.fact.files).toEqual([
      root('/lib/systemd/system/docker.service', 0o644),
      missing('/usr/lib/systemd/system/docker.service'),
      root('/etc/systemd/system/docker.service', 0o664),
      missing('/lib/systemd/system/docker.socket'),
      root('/usr/lib/systemd/system/docker.socket', 0o644),
      missing('/etc/systemd/system/docker.socket'),
      root('/etc/docker', 0o755),
      root('/etc/docker/daemon.json', 0o644),
      { path: '/var/run/docker.sock', exists: true, uid: 0, gid: 998, owner: 'root', group: 'docker', mode: 0o660 },
      { path: '/etc/default/docker', exists: true, uid: 1234, gid: 1234, owner: '', group: '', mode: 0o644 },
      missing('/etc/sysconfig/docker'),
      root('/etc/containerd/config.toml', 0o644),
      root('/etc/docker/tls/ca.pem', 0o444),
      root('/etc/docker/tls/cert.pem', 0o444),
      root('/etc/docker/tls/key.pem', 0o400),
      // The audited binaries, so a watch is asked for only where the host has them (CIS 1.1.14-1.1.18).
      missing('/usr/bin/containerd'),
      missing('/usr/bin/containerd-shim'),
      missing('/usr/bin/containerd-shim-runc-v1'),
      missing('/usr/bin/containerd-shim-runc-v2'),
      missing('/usr/bin/runc'),
      root('/etc/docker/certs.d/registry.local:5000', 0o755),
      root('/etc/docker/certs.d/registry.local:5000/ca.crt', 0o444),
    ]);
  });

  it('fixture - Content Trust as the login environment sets it: /etc/environment, then profile.d scripts in order', () => {
    expect(collection.fact.content_trust).toBe('1');
  });

  it('fixture - audit rules that watch Docker, each once', () => {
    expect(collection.fact.audit_rules).toEqual([
      '-w /usr/bin/dockerd -k docker',
      '-w /var/lib/docker -p wa -k docker',
      '-a always,exit -F path=/usr/bin/runc -F perm=x -k docker',
    ]);
  });

  it('fixture - the fact is a valid HostFact message', () => {
    expect(v1.HostFact.verify(collection.fact)).toBeNull();
  });
});

describe('host collector - broken and hostile host roots', () => {
  let fixtures: FixtureRoot[] = [];
  let outside: string;

  beforeAll(async () => {
    outside = await mkdtemp(path.join(tmpdir(), 'vigil-host-outside-'));
    await writeFile(path.join(outside, 'daemon.json'), JSON.stringify({ icc: false, 'userns-remap': 'default' }));
    await writeFile(path.join(outside, 'docker'), 'DOCKER_OPTS=--icc=false\n');
  });

  afterAll(async () => {
    await Promise.all(fixtures.map((f) => f.remove()));
    await rm(outside, { recursive: true, force: true });
  });

  async function fixture(): Promise<FixtureRoot> {
    const created = await FixtureRoot.create();
    fixtures = [...fixtures, created];
    await created.process(300, 'dockerd', ['dockerd']);
    return created;
  }

  it('malformed daemon.json - an error value and Docker defaults', async () => {
    const root = await fixture();
    await root.file('/etc/docker/daemon.json', '{ "icc": false, ');
    const { fact, errors } = await collectHostFact({ hostRoot: root.root, timeoutMs: 1_000 });
    expect(errors.filter((e) => e.startsWith('VIGIL_ERR_HOST_DAEMON_JSON_MALFORMED'))).toHaveLength(1);
    expect(errors.find((e) => e.startsWith('VIGIL_ERR_HOST_DAEMON_JSON_MALFORMED'))).toContain(root.at('/etc/docker/daemon.json'));
    expect(fact.daemon).toMatchObject({
      icc: true,
      log_level: 'info',
      iptables: true,
      userland_proxy: true,
      live_restore: false,
      userns_remap: '',
      hosts: ['unix:///var/run/docker.sock'],
      command_line: ['dockerd'],
      config_file_present: true,
    });
  });

  it('symlinks out of the root - daemon.json and /etc/default/docker are not followed', async () => {
    const root = await fixture();
    await root.link('/etc/docker/daemon.json', path.join(outside, 'daemon.json'));
    await root.link('/etc/default/docker', `../../../../../../../../..${outside}/docker`);
    const { fact, errors } = await collectHostFact({ hostRoot: root.root, timeoutMs: 1_000 });
    expect(errors.filter((e) => !e.startsWith('VIGIL_ERR_HOST_DOCKER_API'))).toEqual([]);
    expect(fact.daemon).toMatchObject({ icc: true, userns_remap: '', config_file_present: false });
    expect(fact.files?.find((f) => f.path === '/etc/docker/daemon.json')?.exists).toBe(false);
    expect(fact.files?.find((f) => f.path === '/etc/default/docker')?.exists).toBe(false);
  });

  it('empty root - nothing of Docker: said once, and no daemon is reported', async () => {
    const root = await FixtureRoot.create();
    fixtures = [...fixtures, root];
    const { fact, errors } = await collectHostFact({ hostRoot: root.root, timeoutMs: 1_000 });
    expect(errors.map((e) => e.split(':')[0])).toEqual(['VIGIL_ERR_HOST_DOCKER_ABSENT']);
    expect(fact.docker_absent).toBe(true);
    expect(fact.daemon).toBeUndefined();
    expect(fact.cgroup_version).toBe(0);
    expect(fact.runtimes).toBeUndefined();
  });

  it('Docker installed, daemon stopped - no dockerd, no socket: errors say so and the daemon is judged from its files', async () => {
    const root = await FixtureRoot.create();
    fixtures = [...fixtures, root];
    await root.dir('/var/lib/docker');
    const { fact, errors } = await collectHostFact({ hostRoot: root.root, timeoutMs: 1_000 });
    expect(errors.map((e) => e.split(':')[0])).toEqual(['VIGIL_ERR_HOST_DOCKERD_NOT_FOUND', 'VIGIL_ERR_HOST_DOCKER_API']);
    expect(fact.docker_absent).toBe(false);
    expect(fact.daemon?.command_line).toEqual([]);
    expect(fact.runtimes).toEqual([{ name: 'runc', path: 'runc', sandboxed: false }]);
  });
});
