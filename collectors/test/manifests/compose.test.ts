import { describe, expect, it } from '@jest/globals';
import { parseComposeFile } from '../../src/manifests/index.js';
import { byName, fixturePath, readFixture, RUNTIME_DEFAULT_CAPS } from './fixtures.js';

function parse(...parts: string[]) {
  const { text, file } = readFixture(...parts);
  return { ...parseComposeFile(text, file), file };
}

describe('manifests - compose risky services', () => {
  const { containers, errors, file } = parse('compose', 'risky', 'compose.yaml');

  it('manifests - each service is a fact named after it, engine compose, in file order', () => {
    expect(errors).toEqual([]);
    expect(containers.map((c) => [c.fact.name, c.fact.id, c.workload, c.document, c.fact.engine])).toEqual([
      ['agent', `${file}#agent`, 'risky/agent', 0, 'compose'],
      ['debug', `${file}#debug`, 'risky/debug', 0, 'compose'],
      ['worker', `${file}#worker`, 'risky/worker', 0, 'compose'],
    ]);
  });

  it('manifests - privileged agent: every capability, host namespaces, unconfined, anchors merged', () => {
    const fact = byName(containers, 'agent').fact;
    expect(fact.image).toBe('registry.example.com/agent:2.1');
    expect(fact.privileged).toBe(true);
    expect(fact.capabilities).toHaveLength(41);
    expect(fact.seccomp_profile).toBe('unconfined');
    expect(fact.apparmor_profile).toBe('unconfined');
    expect(fact.namespaces).toEqual({ pid: 'host', ipc: 'host', network: 'host', uts: 'host', userns: 'host', cgroupns: '' });
    expect(fact.restart_policy).toEqual({ name: 'always', maximum_retry_count: 0 });
    expect(fact.labels).toEqual({ 'com.example.team': 'ops', 'com.example.tier': '' });
    expect(fact.user).toBe('');
    expect('run_as_uid' in fact).toBe(false);
    expect(fact).not.toHaveProperty('health_check');
  });

  it('manifests - short volume syntax: socket and root binds, relative bind, named volume, bind in disguise, anonymous', () => {
    expect(byName(containers, 'agent').fact.mounts).toEqual([
      { type: 'volume', source: 'agent-data', destination: '/data', read_write: true, propagation: '' },
      { type: 'bind', source: fixturePath('compose', 'risky', 'config'), destination: '/etc/agent', read_write: true, propagation: 'rprivate' },
      { type: 'bind', source: '/', destination: '/host', read_write: false, propagation: 'rslave' },
      { type: 'bind', source: '/var/log', destination: '/logs', read_write: false, propagation: 'rprivate' },
      { type: 'volume', source: '', destination: '/scratch', read_write: true, propagation: '' },
      { type: 'bind', source: '/var/run/docker.sock', destination: '/var/run/docker.sock', read_write: true, propagation: 'rprivate' },
    ]);
  });

  it('manifests - ports: plain, host ip, bracketed IPv6, ranges, container-only; devices, sysctls, ulimits, cgroup parent', () => {
    const fact = byName(containers, 'agent').fact;
    expect(fact.ports).toEqual([
      { container_port: 5000, protocol: 'tcp', host_ip: '', host_port: 0 },
      { container_port: 6060, protocol: 'tcp', host_ip: '::1', host_port: 6060 },
      { container_port: 7000, protocol: 'tcp', host_ip: '', host_port: 0 },
      { container_port: 8080, protocol: 'tcp', host_ip: '', host_port: 80 },
      { container_port: 9000, protocol: 'tcp', host_ip: '', host_port: 9000 },
      { container_port: 9001, protocol: 'tcp', host_ip: '', host_port: 9001 },
      { container_port: 9090, protocol: 'udp', host_ip: '127.0.0.1', host_port: 9090 },
    ]);
    expect(fact.devices).toEqual([
      { path_on_host: '/dev/fuse', path_in_container: '/dev/fuse', permissions: 'rwm' },
      { path_on_host: '/dev/sda', path_in_container: '/dev/xvda', permissions: 'r' },
    ]);
    expect(fact.sysctls).toEqual({ 'net.core.somaxconn': '1024', 'kernel.shm_rmid_forced': '1' });
    expect(fact.ulimits).toEqual([
      { name: 'nofile', soft: 20000, hard: 40000 },
      { name: 'nproc', soft: 65535, hard: 65535 },
    ]);
    expect(fact.resources).toEqual({ memory_bytes: 0, nano_cpus: 0, cpu_shares: 0, pids_limit: 0, cgroup_parent: '/custom' });
  });

  it('manifests - security_opt in both separators, cap_add normalised, long volume syntax, disabled health check', () => {
    const fact = byName(containers, 'debug').fact;
    expect(fact.image).toBe('busybox:${BUSYBOX_TAG}');
    expect(fact.cap_add).toEqual(['SYS_ADMIN', 'NET_ADMIN']);
    expect(fact.capabilities).toEqual([...RUNTIME_DEFAULT_CAPS, 'NET_ADMIN', 'SYS_ADMIN'].sort());
    expect(fact.seccomp_profile).toBe('unconfined');
    expect(fact.apparmor_profile).toBe('unconfined');
    expect(fact.selinux_options).toEqual(['disable']);
    expect(fact.user).toBe('root');
    expect(fact.run_as_uid).toBe(0);
    expect(fact.namespaces?.network).toBe('risky_default');
    expect(fact.restart_policy).toEqual({ name: 'on-failure', maximum_retry_count: 0 });
    expect(fact.health_check).toEqual({ test: ['NONE'], interval_ms: 0, timeout_ms: 0, retries: 0 });
    expect(fact.mounts).toEqual([
      { type: 'tmpfs', source: '', destination: '/cache', read_write: true, propagation: '' },
      { type: 'bind', source: '/etc', destination: '/host/etc', read_write: true, propagation: 'rshared' },
    ]);
  });

  it('manifests - a built service: image named after project and service, long port syntax, test NONE', () => {
    const fact = byName(containers, 'worker').fact;
    expect(fact.image).toBe('risky-worker');
    expect(fact.ports).toEqual([{ container_port: 8443, protocol: 'tcp', host_ip: '0.0.0.0', host_port: 8443 }]);
    expect(fact.restart_policy).toEqual({ name: 'on-failure', maximum_retry_count: 3 });
    expect(fact.health_check?.test).toEqual(['NONE']);
    expect(fact.seccomp_profile).toBe('default');
    expect(fact.apparmor_profile).toBe('');
  });
});

describe('manifests - compose hardened services', () => {
  const { containers, errors, file } = parse('compose', 'hardened', 'docker-compose.yml');

  it('manifests - a hardened service normalises field for field', () => {
    expect(errors).toEqual([]);
    expect(byName(containers, 'web')).toEqual({
      probe: expect.anything(),
      source: file,
      document: 0,
      workload: 'shop-front/web',
      // The line of the service's key, `web:`.
      line: 4,
      fact: {
        id: `${file}#web`,
        name: 'web',
        image: 'registry.example.com/web:1.4.2',
        image_id: '',
        engine: 'compose',
        state: '',
        privileged: false,
        capabilities: ['NET_BIND_SERVICE'],
        cap_add: ['NET_BIND_SERVICE'],
        cap_drop: ['ALL'],
        mounts: [
          { type: 'tmpfs', source: '', destination: '/run', read_write: false, propagation: '' },
          { type: 'tmpfs', source: '', destination: '/tmp', read_write: true, propagation: '' },
        ],
        seccomp_profile: 'default',
        apparmor_profile: 'docker-default',
        selinux_options: ['type:container_t'],
        no_new_privileges: true,
        read_only_rootfs: true,
        user: '10001:10001',
        run_as_uid: 10001,
        run_as_gid: 10001,
        namespaces: { pid: '', ipc: '', network: 'shop-front_frontend', uts: '', userns: '', cgroupns: '' },
        devices: [],
        runtime: 'runsc',
        sandboxed: true,
        resources: { memory_bytes: 268435456, nano_cpus: 500000000, cpu_shares: 512, pids_limit: 128, cgroup_parent: '' },
        ports: [{ container_port: 8080, protocol: 'tcp', host_ip: '127.0.0.1', host_port: 8080 }],
        restart_policy: { name: 'on-failure', maximum_retry_count: 5 },
        health_check: { test: ['CMD', 'wget', '-q', '-O-', 'http://127.0.0.1:8080/healthz'], interval_ms: 90000, timeout_ms: 5000, retries: 3 },
        health_status: '',
        labels: { app: 'web' },
        ulimits: [],
        sysctls: {},
        masked_paths: [],
        readonly_paths: [],
        created_at_ms: 0,
        restart_count: 0,
      },
    });
  });

  it('manifests - deploy.resources limits and restart_policy, bare no-new-privileges, a shell health check, a named user', () => {
    const fact = byName(containers, 'cache').fact;
    expect(fact.resources).toEqual({ memory_bytes: 1610612736, nano_cpus: 250000000, cpu_shares: 0, pids_limit: 64, cgroup_parent: '' });
    expect(fact.restart_policy).toEqual({ name: 'on-failure', maximum_retry_count: 2 });
    expect(fact.no_new_privileges).toBe(true);
    expect(fact.capabilities).toEqual([]);
    expect(fact.health_check).toEqual({ test: ['CMD-SHELL', 'redis-cli ping'], interval_ms: 10000, timeout_ms: 0, retries: 0 });
    expect(fact.user).toBe('redis');
    expect('run_as_uid' in fact).toBe(false);
    expect(fact.namespaces?.network).toBe('shop-front_default');
  });
});

describe('manifests - compose edge cases', () => {
  it('manifests - interpolation keeps defaults; env, when given, wins', () => {
    const text = [
      'services:',
      '  app:',
      '    image: "app:${TAG:-1.0}"',
      '    user: "${UID-1000}:$${literal}"',
      '    privileged: ${PRIV:-yes}',
      '    volumes: ["${DATA:-/srv/data}:/data"]',
    ].join('\n');
    const plain = parseComposeFile(text, '/p/compose.yaml').containers[0]?.fact;
    expect(plain?.image).toBe('app:1.0');
    expect(plain?.user).toBe('1000:${literal}');
    expect(plain?.privileged).toBe(true);
    expect(plain?.mounts?.[0]?.source).toBe('/srv/data');
    const env = parseComposeFile(text, '/p/compose.yaml', { env: { TAG: '2.0', PRIV: 'false', DATA: '/etc' } }).containers[0]?.fact;
    expect(env?.image).toBe('app:2.0');
    expect(env?.privileged).toBe(false);
    expect(env?.mounts?.[0]?.source).toBe('/etc');
  });

  it('manifests - not a compose map, a service that is not a map, invalid YAML: error values', () => {
    expect(parseComposeFile('services: [a, b]\n', 'c.yaml').errors).toEqual([
      { file: 'c.yaml', document: 0, code: 'VIGIL_ERR_COMPOSE_SHAPE', message: 'VIGIL_ERR_COMPOSE_SHAPE: c.yaml: no top-level "services" map' },
    ]);
    const partial = parseComposeFile('services:\n  ok:\n    image: a\n  bad: 3\n  empty:\n', 'c.yaml');
    expect(partial.containers.map((c) => c.fact.name)).toEqual(['ok', 'empty']);
    expect(partial.errors.map((e) => e.message)).toEqual(['VIGIL_ERR_COMPOSE_SHAPE: c.yaml: service "bad" is not a map']);
    expect(parseComposeFile('services: {a: [\n', 'c.yaml').errors.map((e) => e.code)).toEqual(['VIGIL_ERR_MANIFEST_YAML']);
  });
});
