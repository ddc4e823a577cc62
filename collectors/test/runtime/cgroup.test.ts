import { describe, expect, it } from '@jest/globals';
import { containerFromCgroupPath, containerFromProcCgroup } from '../../src/runtime/index.js';

const ID = '096763330cd05eb7a90f72868822294a85981a21060f16899ac4b4335cbf0437';
const OTHER = 'e3a028789ae770fb0d86388c863c5b4fedeb4d903771dafb62e6f73e31297a4a';

describe('runtime - container id from cgroup path', () => {
  it('runtime cgroup - Docker with the cgroupfs driver (v1 and v2)', () => {
    expect(containerFromCgroupPath(`/docker/${ID}`)).toEqual({ id: ID, engine: 'docker' });
  });

  it('runtime cgroup - Docker with the systemd driver', () => {
    expect(containerFromCgroupPath(`/system.slice/docker-${ID}.scope`)).toEqual({ id: ID, engine: 'docker' });
  });

  it('runtime cgroup - containerd, CRI-O and podman scopes', () => {
    expect(containerFromCgroupPath(`/system.slice/cri-containerd-${ID}.scope`)?.engine).toBe('containerd');
    expect(containerFromCgroupPath(`/machine.slice/crio-${ID}.scope`)).toEqual({ id: ID, engine: 'crio' });
    expect(containerFromCgroupPath(`/machine.slice/libpod-${ID}.scope/container`)).toEqual({ id: ID, engine: 'podman' });
  });

  it('runtime cgroup - Kubernetes cgroupfs and systemd layouts carry the pod uid', () => {
    expect(containerFromCgroupPath(`/kubepods/burstable/pod0d3c4a5e-1b2c-4d5e-8f90-123456789abc/${ID}`)).toEqual({
      id: ID,
      engine: 'kubernetes',
      podUid: '0d3c4a5e-1b2c-4d5e-8f90-123456789abc',
    });
    expect(
      containerFromCgroupPath(
        `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0d3c4a5e_1b2c_4d5e_8f90_123456789abc.slice/cri-containerd-${ID}.scope`,
      ),
    ).toEqual({ id: ID, engine: 'kubernetes', podUid: '0d3c4a5e-1b2c-4d5e-8f90-123456789abc' });
  });

  it('runtime cgroup - nested containers resolve to the innermost', () => {
    expect(containerFromCgroupPath(`/docker/${OTHER}/docker/${ID}`)?.id).toBe(ID);
  });

  it('runtime cgroup - host cgroups are not containers', () => {
    for (const path of ['/', '/user.slice/user-0.slice/session-1.scope', '/system.slice/docker.service', '/docker', `/machine.slice/crio-conmon-${ID}.scope`, `/other/${ID}`]) {
      expect(containerFromCgroupPath(path)).toBeUndefined();
    }
  });

  it('runtime cgroup - /proc/<pid>/cgroup of a v1 and of a v2 host', () => {
    const v1 = `12:pids:/docker/${ID}\n11:memory:/docker/${ID}\n1:name=systemd:/docker/${ID}\n0::/\n`;
    expect(containerFromProcCgroup(v1)?.id).toBe(ID);
    expect(containerFromProcCgroup(`0::/system.slice/docker-${ID}.scope\n`)?.id).toBe(ID);
    expect(containerFromProcCgroup('4:memory:/process_api/b90ad3e23cf32813c604ba99797082fb\n0::/\n')).toBeUndefined();
  });
});
