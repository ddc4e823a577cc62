import { describe, expect, it } from '@jest/globals';
import { addItem, diffProfiles, generalise, newProfile, pathMatches, profileData, profileProblem, type ProfileItem } from '../../src/profiles/model.js';
import { ObservationFilter, observationsOf } from '../../src/profiles/observe.js';
import { profileKey, workloadOfKey } from '../../src/profiles/store.js';
import { podOwner, workloadOf } from '../../../proto/src/index.js';

const item = (replica: string, host: string, at: number): ProfileItem => ({ replicas: [replica], hosts: [host], first_seen: at, last_seen: at });

describe('profiles - model', () => {
  it('profile model - items merge replicas, hosts and first/last seen', () => {
    const p = newProfile('shop/web', 600, 0);
    expect(addItem(p, 'executables', '/bin/httpd', item('web-1', 'h1', 10))).toBe(true);
    expect(addItem(p, 'executables', '/bin/httpd', item('web-2', 'h2', 5))).toBe(true);
    expect(addItem(p, 'executables', '/bin/httpd', item('web-2', 'h2', 7))).toBe(false);
    expect(p.items.executables['/bin/httpd']).toEqual({ replicas: ['web-1', 'web-2'], hosts: ['h1', 'h2'], first_seen: 5, last_seen: 10 });
    expect(addItem(p, 'executables', '/bin/httpd', { ...item('web-1', 'h1', 11), origin: 'image' })).toBe(true);
    expect(p.items.executables['/bin/httpd']?.origin).toBe('image');
  });

  it('profile model - a directory of changing names becomes one prefix pattern, and later names fold into it', () => {
    const p = newProfile('shop/web', 600, 0);
    for (let i = 0; i < 6; i++) addItem(p, 'writes', `/tmp/app-${1000 + i}`, item('web-1', 'h1', i));
    addItem(p, 'writes', '/etc/app.conf', item('web-1', 'h1', 1));
    expect(Object.keys(p.items.writes).sort()).toEqual(['/etc/app.conf', '/tmp/app-100*']);
    addItem(p, 'writes', '/tmp/app-1009', item('web-2', 'h2', 9));
    expect(p.items.writes['/tmp/app-100*']).toMatchObject({ replicas: ['web-1', 'web-2'], last_seen: 9 });
    const items: Record<string, ProfileItem> = { '/a/x': item('r', 'h', 0) };
    generalise(items);
    expect(Object.keys(items)).toEqual(['/a/x']);
  });

  it('profile model - a pattern matches within one path segment only', () => {
    expect(pathMatches('/tmp/app-*', '/tmp/app-12')).toBe(true);
    expect(pathMatches('/tmp/app-*', '/tmp/app-')).toBe(true);
    expect(pathMatches('/tmp/app-*', '/tmp/app-1/x')).toBe(false);
    expect(pathMatches('/tmp/*.log', '/tmp/a.log')).toBe(true);
    expect(pathMatches('/tmp/*.log', '/tmp/a.txt')).toBe(false);
    expect(pathMatches('/etc/passwd', '/etc/passwd')).toBe(true);
  });

  it('profile model - Rego sees item keys, the version and the state', () => {
    const p = newProfile('shop/web', 600, 0);
    addItem(p, 'listen_ports', 'tcp/80', item('web-1', 'h1', 1));
    p.version = 3;
    expect(profileData(p)).toMatchObject({ learned: true, workload: 'shop/web', version: 3, state: 'learning', listen_ports: { 'tcp/80': true }, syscalls: {} });
  });

  it('profile model - diff lists what came and went per category', () => {
    const a = newProfile('w', 1, 0);
    addItem(a, 'executables', '/bin/a', item('r', 'h', 0));
    const b = structuredClone(a);
    b.version = 2;
    b.state = 'enforcing';
    delete b.items.executables['/bin/a'];
    addItem(b, 'executables', '/bin/b', item('r', 'h', 0));
    expect(diffProfiles(a, b)).toEqual({ from: 0, to: 2, state: { from: 'learning', to: 'enforcing' }, added: { executables: ['/bin/b'] }, removed: { executables: ['/bin/a'] } });
  });

  it('profile model - a malformed profile is refused with the field that is wrong', () => {
    expect(profileProblem([])).toMatch(/object/);
    expect(profileProblem({ workload: 'w', version: 1, state: 'sleeping', learn_window_s: 1, items: {} })).toMatch(/^state/);
    expect(profileProblem({ workload: 'w', version: 1, state: 'learning', learn_window_s: 1, items: { files: {} } })).toMatch(/unknown category/);
    expect(profileProblem({ workload: 'w', version: 1, state: 'learning', learn_window_s: 1, items: { uids: { '0': { replicas: [] } } } })).toMatch(/replicas, hosts/);
    expect(profileProblem(newProfile('w', 1, 0))).toBeUndefined();
  });

  it('profile store - workload ids become KV keys and back', () => {
    for (const workload of ['shop/web', 'compose:shop/client', 'k8s:prod/api', 'image:registry:5000/team/app', 'a.b=c d']) {
      const key = profileKey(workload);
      expect(key).toMatch(/^[-/_=A-Za-z0-9]+$/);
      expect(workloadOfKey(key)).toBe(workload);
    }
  });
});

describe('profiles - observations', () => {
  const container = { id: 'c'.repeat(64), name: 'web-1', image: 'busybox:1', host: false, workload: 'shop/web' };
  const source = { host: 'h1', collector: 'runtime', version: '0' };

  it('observations - an exec gives its executable, edge, uid and capabilities', () => {
    const o = observationsOf({
      source,
      observed_at_ms: 5,
      process_exec: { container, process: { pid: 2, uid: 33, exe: '/bin/wget', comm: 'wget', capabilities: ['CHOWN'], ancestry: [{ pid: 1, exe: '/bin/sh' }], exe_known: true, exe_in_image: true } },
    });
    expect(o.map((x) => `${x.category}:${x.key}`)).toEqual(['executables:/bin/wget', 'exec_edges:/bin/sh>/bin/wget', 'uids:33', 'capabilities:CHOWN']);
    // Where the binary came from, when the collector could tell.
    expect(o[0]?.origin).toBe('image');
    const dropped = observationsOf({ source, process_exec: { container, process: { pid: 3, exe: '/tmp/x', exe_known: true, exe_in_image: false } } });
    expect(dropped[0]?.origin).toBe('container');
    expect(observationsOf({ source, process_exec: { container, process: { pid: 4, exe: '/bin/y', exe_known: false } } })[0]).not.toHaveProperty('origin');
    expect(o[0]).toMatchObject({ workload: 'shop/web', host: 'h1', replica: 'web-1', at: 5 });
  });

  it('observations - network, files and syscall sets', () => {
    const keys = (fact: Parameters<typeof observationsOf>[0]): string[] => observationsOf(fact).map((x) => `${x.category}:${x.key}`);
    expect(keys({ source, network_connection: { container, direction: 'listen', protocol: 'tcp', local_port: 80 } })).toEqual(['listen_ports:tcp/80']);
    expect(keys({ source, network_connection: { container, direction: 'outbound', protocol: 'udp', remote_address: '127.0.0.11', remote_port: 53 } })).toEqual(['peers:udp/127.0.0.11:53']);
    expect(keys({ source, network_connection: { container, direction: 'inbound', protocol: 'tcp', local_port: 80 } })).toEqual(['activity:-']);
    expect(keys({ source, file_access: { container, path: '/etc/x', write: true, read: true } })).toEqual(['writes:/etc/x']);
    expect(keys({ source, file_access: { container, path: '/etc/shadow', write: false, read: true } })).toEqual(['reads:/etc/shadow']);
    expect(keys({ source, syscall_set: { container, syscalls: ['read', 'accept'] } })).toEqual(['syscalls:read', 'syscalls:accept']);
  });

  it('observations - host processes, workload-less containers and the runtime start-up add nothing', () => {
    expect(observationsOf({ source, process_exec: { container: { ...container, host: true }, process: { exe: '/bin/sh' } } })).toEqual([]);
    expect(observationsOf({ source, process_exec: { container: { ...container, workload: '' }, process: { exe: '/bin/sh' } } })).toEqual([]);
    const runc = observationsOf({ source, process_exec: { container, process: { exe: '/usr/sbin/runc', comm: 'runc:[2:INIT]' } } });
    expect(runc.map((x) => x.category)).toEqual(['activity']);
    // docker exec: runc re-executing itself through /proc/self/exe with the host's capabilities, seen in the container's cgroup.
    const reexec = observationsOf({ source, process_exec: { container, process: { exe: '/usr/sbin/runc', comm: 'exe', args: ['runc', 'init'], capabilities: ['SYS_ADMIN', 'BPF'] } } });
    expect(reexec.map((x) => x.category)).toEqual(['activity']);
    // A workload's own program of that name and arguments elsewhere is still learned.
    const own = observationsOf({ source, process_exec: { container, process: { exe: '/app/init', comm: 'init', args: ['/app/init', 'runc'], capabilities: ['CHOWN'] } } });
    expect(own.map((x) => `${x.category}:${x.key}`)).toContain('capabilities:CHOWN');
  });

  it('observations - a peer container is keyed by its workload, its address otherwise', () => {
    const keys = observationsOf({ source, network_connection: { container, direction: 'outbound', protocol: 'tcp', remote_address: '172.18.0.3', remote_port: 80, remote_workload: 'compose:app/server' } });
    expect(keys.map((x) => x.key)).toEqual(['tcp/compose:app/server:80']);
  });

  it('observations - a running container gives its labels and writable mount points, and no activity', () => {
    const fact = {
      source,
      container: {
        id: 'c1',
        name: 'web-1',
        state: 'running',
        workload: 'shop/web',
        labels: { tier: 'web', 'pod-template-hash': 'abc' },
        mounts: [
          { type: 'volume', destination: '/data', read_write: true },
          { type: 'bind', destination: '/etc/config', read_write: false },
        ],
      },
    };
    expect(observationsOf(fact).map((x) => `${x.category}:${x.key}`)).toEqual(['labels:tier=web', 'labels:pod-template-hash=abc', 'volumes:/data']);
    expect(observationsOf({ ...fact, container: { ...fact.container, state: 'exited' } })).toEqual([]);
  });

  it('observation filter - enforcing workloads and repeats stay in the worker', () => {
    const filter = new ObservationFilter();
    const exec = (exe: string, replica = 'web-1') => ({ source, process_exec: { container: { ...container, name: replica }, process: { pid: 2, uid: 0, exe } } });
    const out: ReturnType<typeof observationsOf> = [];
    filter.collect(exec('/bin/a'), out);
    filter.collect(exec('/bin/a'), out);
    filter.collect(exec('/bin/a', 'web-2'), out);
    expect(out.filter((o) => o.category === 'executables').map((o) => `${o.replica}:${o.key}`)).toEqual(['web-1:/bin/a', 'web-2:/bin/a']);
    // Repeats send nothing new, but the workload's activity is still marked (once a second).
    expect(out.filter((o) => o.category === 'activity')).toHaveLength(1);
    filter.setData({ vigil: { profiles: { 'shop/web': { learned: true, state: 'enforcing' } } } });
    const after: typeof out = [];
    filter.collect(exec('/bin/b'), after);
    expect(after).toEqual([]);
    filter.setData({ vigil: { profiles: { 'shop/web': { learned: true, state: 'learning' } } } });
    filter.collect(exec('/bin/b'), after);
    expect(after.map((o) => o.key)).toContain('/bin/b');
  });
});

describe('profiles - workload identity', () => {
  it('workload identity - label, Kubernetes owner, compose service, image repository, in that order', () => {
    expect(workloadOf({ image: 'nginx:1.27', labels: { 'vigil.dev/workload': 'shop/front', 'com.docker.compose.project': 'x', 'com.docker.compose.service': 'y' } })).toBe('shop/front');
    expect(workloadOf({ image: 'nginx:1.27', pod: 'web-5d4f9c7b8-x2k9p', namespace: 'prod' })).toBe('k8s:prod/web');
    expect(workloadOf({ image: 'nginx', labels: { 'io.kubernetes.pod.name': 'db-2', 'io.kubernetes.pod.namespace': 'prod' } })).toBe('k8s:prod/db');
    expect(workloadOf({ image: 'nginx', pod: 'agent-x2k9p', namespace: 'kube-system' })).toBe('k8s:kube-system/agent');
    expect(workloadOf({ image: 'nginx', labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'api' } })).toBe('compose:shop/api');
    expect(workloadOf({ image: 'docker.io/library/nginx:1.27@sha256:abc' })).toBe('image:nginx');
    expect(workloadOf({ image: 'registry:5000/team/app:v2' })).toBe('image:registry:5000/team/app');
    expect(workloadOf({ image: '' })).toBe('');
    expect(workloadOf({ image: 'nginx', labels: { 'vigil.dev/workload': 'none', 'com.docker.compose.project': 'x', 'com.docker.compose.service': 'y' } })).toBe('');
    expect(podOwner('standalone')).toBe('standalone');
  });
});
