import type { FactInit } from '../proto/src/index.js';

/**
 * A fixed, realistic mix of container facts: mostly ordinary containers, some
 * risky ones that raise alerts. Deterministic, so runs compare.
 */
export function containerFacts(count: number): FactInit[] {
  const facts: FactInit[] = [];
  for (let i = 0; i < count; i++) {
    const risky = i % 10 === 0;
    facts.push({
      container: {
        id: `c${i.toString(16).padStart(12, '0')}`,
        name: `svc-${i % 97}-${i}`,
        image: `registry.example/team/app-${i % 13}:1.${i % 7}`,
        image_id: `sha256:${(i * 7919).toString(16).padStart(64, '0')}`,
        engine: 'docker',
        state: 'running',
        privileged: risky,
        capabilities: risky
          ? ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'SYS_ADMIN', 'NET_ADMIN']
          : ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'NET_RAW', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'],
        cap_add: risky ? ['SYS_ADMIN', 'NET_ADMIN'] : [],
        mounts: [
          { type: 'volume', source: `/var/lib/docker/volumes/v${i}/_data`, destination: '/data', read_write: true, propagation: '' },
          ...(risky ? [{ type: 'bind', source: '/var/run/docker.sock', destination: '/var/run/docker.sock', read_write: true, propagation: 'rprivate' }] : []),
        ],
        seccomp_profile: risky ? 'unconfined' : 'default',
        apparmor_profile: '',
        no_new_privileges: !risky,
        read_only_rootfs: i % 3 === 0,
        user: i % 2 === 0 ? '1000:1000' : '',
        namespaces: { pid: risky ? 'host' : '', ipc: 'private', network: 'bridge', uts: '', userns: '', cgroupns: 'private' },
        runtime: 'runc',
        resources: { memory_bytes: 256 * 1024 * 1024, nano_cpus: 500_000_000, cpu_shares: 0, pids_limit: 256, cgroup_parent: '' },
        ports: [{ container_port: 8080, protocol: 'tcp', host_ip: '127.0.0.1', host_port: 18000 + (i % 1000) }],
        restart_policy: { name: 'on-failure', maximum_retry_count: 3 },
        health_check: { test: ['CMD', 'wget', '-q', 'http://localhost:8080/health'], interval_ms: 30000, timeout_ms: 5000, retries: 3 },
        health_status: 'healthy',
        labels: { 'com.example.team': `team-${i % 5}`, 'com.example.tier': 'web' },
      },
    });
  }
  return facts;
}
