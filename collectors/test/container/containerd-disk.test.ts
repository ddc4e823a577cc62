import { describe, it, expect } from '@jest/globals';
import path from 'node:path';
import { v1 } from '../../../proto/src/index.js';
import { ContainerdDiskSource, runtimeOf } from '../../src/container/index.js';
import { fixturePath } from './fixtures.js';

const ROOT = fixturePath('containerd-root');
const TASKS = path.join(ROOT, 'run/containerd/io.containerd.runtime.v2.task');
const RUNC = '3f9a1c2b7d8e4f5061728394a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e';
const GVISOR = '8e7d6c5b4a392817f6e5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a291807';
const SANDBOX = '5c1f0c7e9d2a4b3f8e6d5c4b3a291807f6e5d4c3b2a19080706050403020100a';

describe('collector - containerd task bundles', () => {
  it('lists workload containers; skips sandboxes and Docker\'s moby namespace; a broken spec is an error value', async () => {
    const { facts, failures } = await new ContainerdDiskSource({ hostRoot: ROOT }).list();
    expect(facts.map((fact) => fact.id).sort()).toEqual(['privileged-tool', GVISOR, RUNC].sort());
    expect(failures).toEqual([
      expect.objectContaining({
        id: 'broken',
        code: 'VIGIL_ERR_CONTAINER_OCI_MALFORMED',
        path: path.join(TASKS, 'k8s.io/broken/config.json'),
      }),
    ]);
    const withSandboxes = await new ContainerdDiskSource({ hostRoot: ROOT, includeSandboxes: true, excludeNamespaces: [] }).list();
    expect(withSandboxes.facts.map((fact) => fact.id)).toEqual(expect.arrayContaining([SANDBOX, 'd'.repeat(64)]));
    for (const fact of facts) expect(v1.ContainerFact.verify(fact)).toBeNull();
  });

  it('a runc pod container', async () => {
    const { facts } = await new ContainerdDiskSource({ hostRoot: ROOT }).list();
    const fact = facts.find((candidate) => candidate.id === RUNC);
    expect(fact).toMatchObject({
      name: 'web',
      image: 'docker.io/library/nginx:1.27',
      engine: 'containerd',
      state: 'running',
      privileged: false,
      cap_add: ['NET_ADMIN'],
      cap_drop: [],
      seccomp_profile: 'default',
      apparmor_profile: 'cri-containerd.apparmor.d',
      no_new_privileges: true,
      read_only_rootfs: true,
      user: '1000:3000',
      run_as_uid: 1000,
      run_as_gid: 3000,
      runtime: 'io.containerd.runc.v2',
      sandboxed: false,
      namespaces: {
        pid: '',
        ipc: 'path:/proc/3107/ns/ipc',
        uts: 'path:/proc/3107/ns/uts',
        network: 'path:/var/run/netns/cni-4c1d2e3f-5a6b-7c8d-9e0f-1a2b3c4d5e6f',
        userns: 'host',
        cgroupns: 'host',
      },
      devices: [{ path_on_host: '/dev/fuse', path_in_container: '/dev/fuse', permissions: 'rw' }],
      resources: {
        memory_bytes: 268435456,
        nano_cpus: 500_000_000,
        cpu_shares: 256,
        pids_limit: 1024,
        cgroup_parent: 'kubepods-burstable-pod7d9e2f4a_1b3c_4d5e_8f90_a1b2c3d4e5f6.slice',
      },
      sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' },
      labels: {
        'io.kubernetes.pod.name': 'web-7c9d8f6b5-x2x4q',
        'io.kubernetes.pod.namespace': 'shop',
        'io.kubernetes.container.name': 'web',
        'io.kubernetes.pod.uid': '7d9e2f4a-1b3c-4d5e-8f90-a1b2c3d4e5f6',
      },
      kubernetes: {
        namespace: 'shop',
        pod: 'web-7c9d8f6b5-x2x4q',
        container_type: 'container',
        volume_types: ['emptyDir', 'projected'],
        host_users: true,
        proc_mount: 'Default',
      },
    });
    expect(fact?.capabilities).toHaveLength(15);
    expect(fact?.kubernetes?.annotations?.['io.kubernetes.cri.sandbox-id']).toBe(SANDBOX);
    expect(fact?.masked_paths).toContain('/proc/kcore');
    expect(fact?.readonly_paths).toContain('/proc/sys');
    expect(fact?.created_at_ms).toBeGreaterThan(0);
    // System mounts (proc, sysfs, devpts, /dev tmpfs) are left out; kubelet volumes are typed.
    expect(fact?.mounts?.map((mount) => mount.destination)).toEqual([
      '/etc/hosts',
      '/dev/termination-log',
      '/etc/hostname',
      '/etc/resolv.conf',
      '/dev/shm',
      '/var/run/secrets/kubernetes.io/serviceaccount',
      '/var/log/host',
      '/cache',
    ]);
    expect(fact?.mounts).toEqual(
      expect.arrayContaining([
        { type: 'bind', source: '/var/log', destination: '/var/log/host', read_write: false, propagation: 'rslave' },
        expect.objectContaining({ type: 'projected', read_write: false }),
        expect.objectContaining({ type: 'emptyDir', destination: '/cache', read_write: true }),
      ]),
    );
  });

  it('a gVisor pod container: sandboxed, host network and pid, no seccomp', async () => {
    const { facts } = await new ContainerdDiskSource({ hostRoot: ROOT }).list();
    const fact = facts.find((candidate) => candidate.id === GVISOR);
    expect(fact).toMatchObject({
      name: 'sidecar',
      image: 'registry.example.com/tools/debug:3',
      runtime: 'io.containerd.runsc.v1',
      sandboxed: true,
      seccomp_profile: 'unconfined',
      apparmor_profile: '',
      read_only_rootfs: false,
      no_new_privileges: false,
      user: '0:0',
      run_as_uid: 0,
      namespaces: { pid: 'host', network: 'host', ipc: 'private', uts: '', userns: 'host', cgroupns: 'host' },
      resources: { memory_bytes: 0, pids_limit: 0, cpu_shares: 2, cgroup_parent: '/kubepods/besteffort/pod7d9e2f4a-1b3c-4d5e-8f90-a1b2c3d4e5f6' },
      kubernetes: { namespace: 'ops', pod: 'debug-0' },
    });
    expect(fact?.mounts).toContainEqual({ type: 'bind', source: '/', destination: '/host', read_write: true, propagation: 'rprivate' });
    expect(fact?.kubernetes?.annotations?.['dev.gvisor.spec.mount.cache.share']).toBe('pod');
  });

  it('a privileged task outside Kubernetes, created but not started', async () => {
    const { facts } = await new ContainerdDiskSource({ hostRoot: ROOT }).list();
    const fact = facts.find((candidate) => candidate.id === 'privileged-tool');
    expect(fact).toMatchObject({
      name: 'privileged-tool',
      state: 'created',
      privileged: true,
      seccomp_profile: 'unconfined',
      masked_paths: [],
      namespaces: { pid: 'host', network: 'host' },
      devices: [{ path_on_host: '/dev/kmsg', path_in_container: '/dev/kmsg', permissions: 'rwm' }],
      ulimits: [{ name: 'nofile', soft: 1024, hard: 1024 }],
      labels: {},
    });
    expect(fact?.capabilities).toHaveLength(38);
    expect(fact?.kubernetes).toBeUndefined();
  });

  it('names the runtime from the shim, or the OCI binary the runc shim drives', async () => {
    expect(await runtimeOf(path.join(TASKS, 'k8s.io', RUNC))).toBe('io.containerd.runc.v2');
    expect(await runtimeOf(path.join(TASKS, 'k8s.io', GVISOR))).toBe('io.containerd.runsc.v1');
    expect(await runtimeOf(path.join(TASKS, 'moby', 'd'.repeat(64)))).toBe('runsc');
  });

  it('no task directory means no containers', async () => {
    expect(await new ContainerdDiskSource({ hostRoot: '/nonexistent-vigil-root' }).list()).toEqual({ facts: [], failures: [] });
  });
});
