import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { apparmorProfile } from '../../src/hardening/apparmor.js';
import { dockerNetworkPlan, networkPolicy } from '../../src/hardening/network-policy.js';
import { composePatch, dockerHardening, kubernetesPatch } from '../../src/hardening/patches.js';
import { RUNTIME_STARTUP_SYSCALLS, SYSCALL_BASELINE, allowedSyscalls, seccompAllows, seccompProfile } from '../../src/hardening/seccomp.js';
import { readOnlyRootfs, stableLabels } from '../../src/hardening/workload-facts.js';
import { addItem, newProfile, type Profile, type ProfileCategory } from '../../src/profiles/model.js';

function profile(workload: string, items: Partial<Record<ProfileCategory, string[]>>, replicas = ['r1']): Profile {
  const p = newProfile(workload, 60, 0);
  p.state = 'enforcing';
  p.version = 3;
  for (const [category, keys] of Object.entries(items)) {
    for (const key of keys!) for (const r of replicas) addItem(p, category as ProfileCategory, key, { replicas: [r], hosts: ['h1'], first_seen: 1, last_seen: 1 });
  }
  return p;
}

describe('hardening - seccomp', () => {
  const web = profile('compose:shop/web', { syscalls: ['accept', 'bind', 'listen', 'socket', 'clone', 'open', 'personality', 'poll', 'pipe', 'rename', 'unlink'] });
  const generated = seccompProfile(web);

  it('seccomp - refuses by default, allows what was observed and the runtime start-up set', () => {
    expect(generated.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(generated.defaultErrnoRet).toBe(1);
    expect(generated.archMap.map((a) => a.architecture)).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64']);
    for (const call of ['accept', 'bind', 'listen', 'open', ...RUNTIME_STARTUP_SYSCALLS]) expect(seccompAllows(generated, call)).toBe(true);
    for (const call of ['unshare', 'mount', 'ptrace', 'bpf', 'sync']) expect(seccompAllows(generated, call)).toBe(false);
  });

  it('seccomp - arm64 gets the calls it makes in place of the observed x86_64 ones, and only arm64', () => {
    const arm = generated.syscalls.find((r) => r.includes?.arches.includes('arm64'));
    expect(arm?.names).toEqual(expect.arrayContaining(['renameat', 'renameat2', 'unlinkat']));
    expect(generated.syscalls.filter((r) => !r.includes).flatMap((r) => r.names)).not.toContain('renameat2');
  });

  it('seccomp - argument filters as Docker\'s default: clone without namespace flags, personality values, clone3 ENOSYS', () => {
    expect(seccompAllows(generated, 'clone', [0x11])).toBe(true);
    expect(seccompAllows(generated, 'clone', [0x10000000 | 0x11])).toBe(false);
    expect(seccompAllows(generated, 'personality', [0x8])).toBe(true);
    expect(seccompAllows(generated, 'personality', [0x0400000])).toBe(false);
    expect(generated.syscalls.find((r) => r.names.includes('clone3'))).toMatchObject({ action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
  });

  it('seccomp - sockets: stream and datagram, unix and netlink; raw and packet only when learned', () => {
    expect(seccompAllows(generated, 'socket', [2, 1 | 0x80000])).toBe(true);
    expect(seccompAllows(generated, 'socket', [10, 2])).toBe(true);
    expect(seccompAllows(generated, 'socket', [1, 5])).toBe(true);
    expect(seccompAllows(generated, 'socket', [2, 3, 1])).toBe(false);
    expect(seccompAllows(generated, 'socket', [17, 3])).toBe(false);
    const raw = seccompProfile(profile('image:pinger', { syscalls: ['socket'], sockets: ['inet/raw'] }));
    expect(seccompAllows(raw, 'socket', [2, 3, 1])).toBe(true);
  });
});

describe('hardening - AppArmor', () => {
  it('apparmor - executables ix, observed writes, denies for the sensitive files never touched', () => {
    const p = profile('compose:shop/web', {
      executables: ['/bin/busybox'],
      writes: ['/etc/app.conf'],
      reads: ['/etc/shadow'],
      capabilities: ['NET_BIND_SERVICE'],
      listen_ports: ['tcp/80'],
      peers: ['udp/10.0.0.2:53'],
      volumes: ['/data'],
    });
    const text = apparmorProfile(p);
    expect(text).toMatch(/^profile vigil-compose-shop-web flags=\(attach_disconnected,mediate_deleted\) \{$/m);
    expect(text).toContain('  /bin/busybox mrix,');
    expect(text).toContain('  /etc/app.conf rw,');
    expect(text).toContain('  /data/** rwk,');
    expect(text).toContain('  capability net_bind_service,');
    expect(text).toContain('  network inet dgram,');
    expect(text).toContain('  network inet stream,');
    expect(text).not.toContain('deny /etc/shadow rwklx');
    expect(text).toContain('  deny /etc/gshadow rwklx,');
    expect(text).toContain('  deny mount,');
  });
});

describe('hardening - network policy', () => {
  const labels = (service: string) => [`com.docker.compose.project=shop`, `com.docker.compose.service=${service}`];
  const web = profile('compose:shop/web', { listen_ports: ['tcp/80'], peers: ['tcp/127.0.0.1:80', 'udp/127.0.0.11:53', 'tcp/10.9.0.4:5432'], labels: labels('web') });
  const client = profile('compose:shop/client', { peers: ['tcp/compose:shop/web:80', 'udp/127.0.0.11:53'], labels: [...labels('client'), 'com.docker.compose.container-number=1'] });

  it('networkpolicy - ingress from the workloads seen connecting, egress to peers by labels or /32, DNS; loopback left out', () => {
    const np = networkPolicy(web, [web, client]) as { spec: Record<string, unknown> };
    expect(np.spec).toEqual({
      podSelector: { matchLabels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'client' } } }], ports: [{ protocol: 'TCP', port: 80 }] }],
      egress: [
        { to: [{ ipBlock: { cidr: '10.9.0.4/32' } }], ports: [{ protocol: 'TCP', port: 5432 }] },
        { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
      ],
    });
  });

  it('networkpolicy - labels that differ per replica stay out of selectors', () => {
    const p = profile('k8s:prod/api', {}, []);
    for (const [r, hash] of [['api-1', 'abc12'], ['api-2', 'def34']] as const) {
      for (const label of ['app=api', `pod-template-hash=${hash}`, `replica=${r}`, 'io.kubernetes.pod.name=x']) addItem(p, 'labels', label, { replicas: [r], hosts: ['h'], first_seen: 1, last_seen: 1 });
    }
    expect(stableLabels(p)).toEqual({ app: 'api' });
    expect((networkPolicy(p, [p]) as { metadata: Record<string, unknown> }).metadata).toMatchObject({ namespace: 'prod' });
  });

  it('docker network plan - a network and DOCKER-USER rules for the learned flows', () => {
    const plan = dockerNetworkPlan(web, [web, client]);
    expect(plan).toContain("NET='vigil-shop-net'");
    expect(plan).toMatch(/iptables -I DOCKER-USER -s "\$s" -d "\$d" -p tcp --dport 80 -j ACCEPT/);
    expect(plan).toContain('-j DROP');
  });
});

describe('hardening - patches', () => {
  it('compose and k8s patches: seccomp, capabilities to what was used, read-only root when writes stay in volumes', () => {
    const p = profile('compose:shop/web', { writes: ['/tmp/app-1', '/data/x'], volumes: ['/data'], capabilities: ['NET_BIND_SERVICE'] });
    expect(readOnlyRootfs(p)).toMatchObject({ readOnly: true, outside: [] });
    expect(composePatch(p, { seccompPath: './web.json', apparmor: false })).toEqual({
      services: { web: { security_opt: ['seccomp=./web.json', 'no-new-privileges:true'], read_only: true, tmpfs: ['/tmp', '/var/tmp', '/run', '/var/run'], cap_drop: ['ALL'], cap_add: ['NET_BIND_SERVICE'] } },
    });
    const k8s = kubernetesPatch(p, { seccompPath: 'vigil/web.json', apparmor: true, target: 'web' }) as { spec: { template: { spec: { containers: Array<{ securityContext: Record<string, unknown> }> } } } };
    expect(k8s.spec.template.spec.containers[0]!.securityContext).toMatchObject({
      seccompProfile: { type: 'Localhost', localhostProfile: 'vigil/web.json' },
      appArmorProfile: { type: 'Localhost', localhostProfile: 'vigil-compose-shop-web' },
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
    });
    const writesEtc = profile('compose:shop/web', { writes: ['/etc/app.conf'] });
    expect(dockerHardening(writesEtc, { seccompPath: 'x', apparmor: false }).readOnly).toBe(false);
    expect(() => composePatch(profile('image:nginx', {}), { seccompPath: 'x', apparmor: false })).toThrow(/not a compose service/);
  });
});

describe('hardening - the syscall baseline', () => {
  it('seccomp - the baseline is the policies\' profile_syscall_baseline, and every generated profile allows it', () => {
    const data = JSON.parse(readFileSync(path.resolve('policies', 'data.json'), 'utf8')) as { vigil: { config: { profile_syscall_baseline: string[] } } };
    expect([...SYSCALL_BASELINE]).toEqual(data.vigil.config.profile_syscall_baseline);
    const allowed = new Set(allowedSyscalls(newProfile('compose:shop/web', 600, 0)));
    expect(SYSCALL_BASELINE.filter((name) => !allowed.has(name))).toEqual([]);
    expect(allowed.has('unshare')).toBe(false);
  });
});
