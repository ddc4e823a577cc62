import { describe, it, expect } from '@jest/globals';
import { toPolicyInput, v1 } from '../../../proto/src/index.js';
import {
  ALL_CAPABILITIES,
  DOCKER_DEFAULT_CAPABILITIES,
  effectiveCapabilities,
  normaliseDockerInspect,
  parseBind,
  parseDockerTime,
  parseSecurityOpt,
  type DockerInspect,
} from '../../src/container/index.js';
import { readFixture } from './fixtures.js';

describe('container normaliser - capabilities', () => {
  it('knows all 41 Linux capabilities and Docker\'s 14 defaults', () => {
    expect(ALL_CAPABILITIES).toHaveLength(41);
    expect(new Set(ALL_CAPABILITIES).size).toBe(41);
    expect(ALL_CAPABILITIES[40]).toBe('CHECKPOINT_RESTORE');
    expect(DOCKER_DEFAULT_CAPABILITIES).toHaveLength(14);
    expect(DOCKER_DEFAULT_CAPABILITIES.every((cap) => ALL_CAPABILITIES.includes(cap))).toBe(true);
  });

  it('adds and drops on top of the default set, any spelling', () => {
    const caps = effectiveCapabilities(['cap_sys_admin', 'Net_Admin'], ['CAP_NET_RAW', 'mknod'], false);
    expect(caps).toContain('SYS_ADMIN');
    expect(caps).toContain('NET_ADMIN');
    expect(caps).not.toContain('NET_RAW');
    expect(caps).not.toContain('MKNOD');
    expect(caps).toHaveLength(14);
    expect(caps).toEqual([...caps].sort());
  });

  it('drop ALL keeps only what is added; add ALL gives everything but the drops', () => {
    expect(effectiveCapabilities(['NET_BIND_SERVICE'], ['ALL'], false)).toEqual(['NET_BIND_SERVICE']);
    expect(effectiveCapabilities([], ['all'], false)).toEqual([]);
    const all = effectiveCapabilities(['ALL'], ['SYS_MODULE'], false);
    expect(all).toHaveLength(40);
    expect(all).not.toContain('SYS_MODULE');
  });

  it('privileged gets every capability whatever was dropped', () => {
    expect(effectiveCapabilities([], ['ALL'], true)).toHaveLength(41);
  });
});

describe('container normaliser - security options', () => {
  it('reads new and old syntax', () => {
    expect(parseSecurityOpt(['seccomp=unconfined']).seccomp).toBe('unconfined');
    expect(parseSecurityOpt(['seccomp:unconfined']).seccomp).toBe('unconfined');
    expect(parseSecurityOpt(['seccomp={"defaultAction":"SCMP_ACT_ERRNO"}']).seccomp).toBe('custom');
    expect(parseSecurityOpt(['apparmor=unconfined']).apparmor).toBe('unconfined');
    expect(parseSecurityOpt(['apparmor:my-profile']).apparmor).toBe('my-profile');
    expect(parseSecurityOpt(['label=disable', 'label:type:spc_t']).selinux).toEqual(['disable', 'type:spc_t']);
    expect(parseSecurityOpt(['no-new-privileges']).noNewPrivileges).toBe(true);
    expect(parseSecurityOpt(['no-new-privileges:true']).noNewPrivileges).toBe(true);
    expect(parseSecurityOpt(['no-new-privileges=false']).noNewPrivileges).toBe(false);
    expect(parseSecurityOpt([])).toEqual({ selinux: [], noNewPrivileges: false });
  });

  it('parses -v binds', () => {
    expect(parseBind('/etc:/host-etc:ro,rslave')).toEqual({
      type: 'bind', source: '/etc', destination: '/host-etc', read_write: false, propagation: 'rslave',
    });
    expect(parseBind('data:/data')).toEqual({ type: 'volume', source: 'data', destination: '/data', read_write: true, propagation: '' });
    expect(parseBind('/anonymous')).toEqual({ type: 'volume', source: '', destination: '/anonymous', read_write: true, propagation: '' });
  });

  it('parses Docker timestamps with nanoseconds', () => {
    expect(parseDockerTime('2019-03-04T05:06:07.123456789Z')).toBe(Date.UTC(2019, 2, 4, 5, 6, 7, 123));
    expect(parseDockerTime('0001-01-01T00:00:00Z')).toBe(0);
    expect(parseDockerTime(undefined)).toBe(0);
  });
});

describe('container normaliser - docker inspect fixtures', () => {
  it('a created privileged container: every capability, unconfined, no masked paths', () => {
    const fact = normaliseDockerInspect(readFixture<DockerInspect>('docker-inspect', 'priv.json'));
    expect(fact).toMatchObject({
      id: '09b5bd3736bc4e582ec23726772ad82f873bbebf7ac60207d0af14a15be2e6c6',
      name: 'vigil-ctest-fx-priv',
      image: 'vigil-test/busybox:1',
      image_id: 'sha256:ea0820a3971486500fb7ec430aa5e7ce823281b4ea90962e2b0eafa4b0f6a157',
      engine: 'docker',
      state: 'created',
      privileged: true,
      seccomp_profile: 'unconfined',
      apparmor_profile: 'unconfined',
      masked_paths: [],
      readonly_paths: [],
      runtime: 'runc',
      sandboxed: false,
      restart_policy: { name: 'on-failure', maximum_retry_count: 3 },
      labels: { app: 'fixture' },
      user: '',
      run_as_uid: 0,
      run_as_gid: 0,
    });
    expect(fact.capabilities).toHaveLength(41);
    // Not running: only the configured binding, its random port still 0.
    expect(fact.ports).toEqual([{ container_port: 53, protocol: 'udp', host_ip: '127.0.0.1', host_port: 0 }]);
    expect(fact.health_check).toBeUndefined();
    expect(fact.created_at_ms).toBeGreaterThan(Date.UTC(2020, 0, 1));
  });

  it('a hardened running container', () => {
    const fact = normaliseDockerInspect(readFixture<DockerInspect>('docker-inspect', 'hard.json'));
    expect(fact).toMatchObject({
      state: 'running',
      privileged: false,
      capabilities: ['NET_BIND_SERVICE'],
      cap_add: ['NET_BIND_SERVICE'],
      cap_drop: ['ALL'],
      read_only_rootfs: true,
      no_new_privileges: true,
      seccomp_profile: 'default',
      user: '1000:1000',
      run_as_uid: 1000,
      run_as_gid: 1000,
      resources: { memory_bytes: 64 * 1024 * 1024, pids_limit: 64, nano_cpus: 0, cpu_shares: 0, cgroup_parent: '' },
      health_check: { test: ['CMD-SHELL', 'true'], interval_ms: 0, timeout_ms: 0, retries: 0 },
      health_status: 'starting',
      ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }],
      sysctls: { 'net.ipv4.ip_forward': '1' },
      namespaces: { pid: '', ipc: 'private', network: 'bridge', uts: '', userns: '', cgroupns: 'host' },
    });
    expect(fact.mounts).toEqual([
      { type: 'volume', source: '/var/lib/docker/volumes/vigil-ctest-fxvol/_data', destination: '/data', read_write: true, propagation: '' },
      { type: 'tmpfs', source: '', destination: '/tmp', read_write: true, propagation: '' },
    ]);
    expect(fact.masked_paths).toContain('/proc/kcore');
    expect(fact.readonly_paths).toContain('/proc/sys');
  });

  it('legacy syntax, host namespaces, Binds without Mounts, published ports', () => {
    const fact = normaliseDockerInspect(readFixture<DockerInspect>('docker-inspect', 'legacy-syntax.json'));
    expect(fact).toMatchObject({
      name: 'legacy',
      state: 'running',
      restart_count: 2,
      created_at_ms: Date.UTC(2019, 2, 4, 5, 6, 7, 123),
      seccomp_profile: 'unconfined',
      apparmor_profile: 'docker-default',
      selinux_options: ['type:spc_t', 'level:s0:c100,c200'],
      no_new_privileges: true,
      user: 'www-data',
      runtime: 'kata-runtime',
      sandboxed: true,
      namespaces: { pid: 'host', ipc: 'host', network: 'host', uts: 'host', userns: 'host', cgroupns: '' },
      resources: { memory_bytes: 134217728, nano_cpus: 1500000000, cpu_shares: 512, pids_limit: -1, cgroup_parent: '/custom' },
      devices: [{ path_on_host: '/dev/fuse', path_in_container: '/dev/fuse', permissions: 'rwm' }],
      restart_policy: { name: 'no', maximum_retry_count: 0 },
      health_check: { test: ['NONE'] },
      health_status: '',
      labels: { 'com.example.team': 'payments' },
      ulimits: [
        { name: 'core', soft: 0, hard: 0 },
        { name: 'nproc', soft: 10, hard: 20 },
      ],
      sysctls: {},
    });
    expect(fact.run_as_uid).toBeUndefined();
    expect(fact.run_as_gid).toBeUndefined();
    expect(fact.cap_add).toEqual(['SYS_PTRACE', 'NET_ADMIN', 'SYS_ADMIN']);
    expect(fact.cap_drop).toEqual(['MKNOD', 'NET_RAW']);
    expect(fact.capabilities).toEqual(
      [...DOCKER_DEFAULT_CAPABILITIES.filter((cap) => cap !== 'MKNOD' && cap !== 'NET_RAW'), 'NET_ADMIN', 'SYS_ADMIN', 'SYS_PTRACE'].sort(),
    );
    expect(fact.mounts).toEqual([
      { type: 'volume', source: 'cache', destination: '/cache', read_write: true, propagation: '' },
      { type: 'bind', source: '/etc', destination: '/host-etc', read_write: false, propagation: 'rslave' },
      { type: 'tmpfs', source: '', destination: '/run', read_write: false, propagation: '' },
      { type: 'bind', source: '/var/run/docker.sock', destination: '/var/run/docker.sock', read_write: true, propagation: 'rprivate' },
    ]);
    // 8080 had a random host port: the published one replaces it; 9100 is exposed, not published.
    expect(fact.ports).toEqual([
      { container_port: 8080, protocol: 'tcp', host_ip: '0.0.0.0', host_port: 49153 },
      { container_port: 9000, protocol: 'tcp', host_ip: '0.0.0.0', host_port: 9000 },
    ]);
  });

  it('produces facts the wire contract accepts', () => {
    for (const name of ['priv.json', 'hard.json', 'legacy-syntax.json']) {
      const fact = normaliseDockerInspect(readFixture<DockerInspect>('docker-inspect', name));
      expect(v1.ContainerFact.verify(fact)).toBeNull();
      const input = toPolicyInput({ container: fact });
      expect(input.kind).toBe('container');
      expect((input.container as { name: string }).name).toBe(fact.name);
    }
  });

  it('tolerates an almost empty inspect answer', () => {
    const fact = normaliseDockerInspect({ Id: 'abc', State: { Running: false, StartedAt: '2020-01-01T00:00:00Z' } });
    expect(fact).toMatchObject({ id: 'abc', name: '', state: 'exited', runtime: 'runc', seccomp_profile: 'default', capabilities: [...DOCKER_DEFAULT_CAPABILITIES].sort() });
  });
});
