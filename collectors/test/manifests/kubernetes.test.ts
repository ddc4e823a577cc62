import { describe, expect, it } from '@jest/globals';
import { parseKubernetesManifests } from '../../src/manifests/index.js';
import { byName, readFixture, RUNTIME_DEFAULT_CAPS } from './fixtures.js';

function parse(...parts: string[]) {
  const { text, file } = readFixture(...parts);
  return { ...parseKubernetesManifests(text, file), file };
}

describe('manifests - Kubernetes workloads', () => {
  it('manifests - every workload kind yields its pod template containers, other kinds are ignored', () => {
    const { containers, errors, file } = parse('workloads.yaml');
    expect(errors).toEqual([]);
    expect(
      containers.map((c) => [c.fact.name, c.fact.id, c.document, c.workload, c.fact.kubernetes?.pod, c.fact.image]),
    ).toEqual([
      ['default/Pod/solo:app', `${file}#0/app`, 0, 'default/Pod/solo', 'solo', 'app:1'],
      ['shop/Deployment/web:nginx', `${file}#1/nginx`, 1, 'shop/Deployment/web', 'web', 'nginx:1.27'],
      ['shop/Deployment/web:exporter', `${file}#1/exporter`, 1, 'shop/Deployment/web', 'web', 'nginx-exporter:1'],
      ['shop/StatefulSet/db:postgres', `${file}#2/postgres`, 2, 'shop/StatefulSet/db', 'db', 'postgres:16'],
      ['kube-system/DaemonSet/agent:agent', `${file}#3/agent`, 3, 'kube-system/DaemonSet/agent', 'agent', 'agent:2'],
      ['shop/ReplicaSet/web-6d4cf56db6:nginx', `${file}#4/nginx`, 4, 'shop/ReplicaSet/web-6d4cf56db6', 'web-6d4cf56db6', 'nginx:1.27'],
      ['shop/Job/migrate:migrate', `${file}#5/migrate`, 5, 'shop/Job/migrate', 'migrate-pod', 'migrate:5'],
      ['shop/CronJob/report:report', `${file}#6/report`, 6, 'shop/CronJob/report', 'report', 'report:1'],
    ]);
    for (const { fact } of containers) {
      expect(fact.engine).toBe('kubernetes');
      expect(fact.kubernetes?.container_type).toBe('container');
    }
    const web = byName(containers, 'shop/Deployment/web:nginx').fact;
    expect(web.labels).toEqual({ app: 'web', tier: 'front' });
    expect(web.kubernetes?.annotations).toEqual({ team: 'storefront' });
    expect(web.kubernetes?.workload_kind).toBe('Deployment');
    expect(web.kubernetes?.workload_name).toBe('web');
    expect(web.kubernetes?.namespace).toBe('shop');
    expect(byName(containers, 'migrate').fact.restart_policy).toEqual({ name: 'no', maximum_retry_count: 0 });
    expect(byName(containers, 'report').fact.restart_policy).toEqual({ name: 'on-failure', maximum_retry_count: 0 });
    expect(byName(containers, 'agent').fact.restart_policy).toEqual({ name: 'always', maximum_retry_count: 0 });
  });

  it('manifests - a StatefulSet volume claim template is a persistentVolumeClaim volume of its pods', () => {
    const db = byName(parse('workloads.yaml').containers, 'postgres').fact;
    expect(db.mounts).toEqual([
      { type: 'persistentVolumeClaim', source: 'data', destination: '/var/lib/postgresql/data', read_write: true, propagation: 'rprivate' },
    ]);
    expect(db.kubernetes?.volume_types).toEqual(['persistentVolumeClaim']);
  });

  it('manifests - a List (JSON) yields the pods among its items; an item without a template is an error value', () => {
    const { containers, errors, file } = parse('list.json');
    expect(containers.map((c) => [c.fact.name, c.fact.id, c.document])).toEqual([
      ['a/Pod/first:app', `${file}#0.0/app`, 0],
      ['a/Pod/second:app', `${file}#0.2/app`, 0],
    ]);
    expect(errors).toEqual([
      {
        file,
        document: 0,
        code: 'VIGIL_ERR_MANIFEST_SHAPE',
        message: `VIGIL_ERR_MANIFEST_SHAPE: ${file}, document 0: Deployment no-template: items[3].spec.template.spec is missing or not a map`,
      },
    ]);
  });

  it('manifests - a broken document is an error with file and index, the documents around it are still read', () => {
    const { containers, errors, file } = parse('k8s-dir', 'multi.yaml');
    expect(containers.map((c) => [c.fact.name, c.document])).toEqual([
      ['data/StatefulSet/db:postgres', 1],
      ['monitoring/DaemonSet/node-agent:agent', 3],
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file, document: 2, code: 'VIGIL_ERR_MANIFEST_YAML' });
    expect(errors[0]?.message).toMatch(/document 2, is not valid YAML: Flow sequence/);
  });

  it('manifests - text that is not YAML at all, or empty, gives errors or nothing and never throws', () => {
    expect(parseKubernetesManifests('', 'empty.yaml')).toEqual({ containers: [], errors: [] });
    expect(parseKubernetesManifests('---\n---\n', 'dashes.yaml')).toEqual({ containers: [], errors: [] });
    const { containers, errors } = parseKubernetesManifests('kind: Pod\nspec: [\n', 'bad.yaml');
    expect(containers).toEqual([]);
    expect(errors.map((e) => [e.file, e.document, e.code])).toEqual([['bad.yaml', 0, 'VIGIL_ERR_MANIFEST_YAML']]);
    expect(parseKubernetesManifests('kind: Pod\nspec: 3\n', 'scalar.yaml').errors.map((e) => e.message)).toEqual([
      'VIGIL_ERR_MANIFEST_SHAPE: scalar.yaml, document 0: Pod <unnamed>: spec is missing or not a map',
    ]);
  });
});

describe('manifests - Kubernetes restricted pod', () => {
  it('manifests - a pod meeting the restricted profile normalises field for field', () => {
    const { containers, errors, file } = parse('k8s-dir', 'restricted-pod.yaml');
    expect(errors).toEqual([]);
    expect(containers).toHaveLength(1);
    expect(containers[0]).toEqual({
      probe: expect.anything(),
      source: file,
      document: 0,
      workload: 'payments/Pod/api',
      // The line of `- name: api`: where findings about this container point.
      line: 22,
      fact: {
        id: `${file}#0/api`,
        name: 'payments/Pod/api:api',
        image: 'registry.example.com/payments/api:2.3.1',
        image_id: '',
        engine: 'kubernetes',
        state: '',
        privileged: false,
        capabilities: [],
        cap_add: [],
        cap_drop: ['ALL'],
        mounts: [
          { type: 'configMap', source: 'config', destination: '/etc/api', read_write: false, propagation: 'rprivate' },
          { type: 'emptyDir', source: 'tmp', destination: '/tmp', read_write: true, propagation: 'rprivate' },
        ],
        seccomp_profile: 'default',
        apparmor_profile: '',
        selinux_options: [],
        no_new_privileges: true,
        read_only_rootfs: true,
        user: '1000',
        run_as_uid: 1000,
        run_as_gid: 1000,
        run_as_non_root: true,
        namespaces: { pid: '', ipc: 'pod', network: 'pod', uts: '', userns: '', cgroupns: '' },
        devices: [],
        runtime: '',
        sandboxed: false,
        resources: { memory_bytes: 268435456, nano_cpus: 500000000, cpu_shares: 256, pids_limit: 0, cgroup_parent: '' },
        ports: [],
        restart_policy: { name: 'always', maximum_retry_count: 0 },
        health_check: { test: ['probe'], interval_ms: 15000, timeout_ms: 1000, retries: 3 },
        health_status: '',
        labels: { app: 'api' },
        ulimits: [],
        sysctls: {},
        masked_paths: [],
        readonly_paths: [],
        kubernetes: {
          namespace: 'payments',
          pod: 'api',
          workload_kind: 'Pod',
          workload_name: 'api',
          container_type: 'container',
          volume_types: ['configMap', 'emptyDir'],
          host_users: false,
          proc_mount: 'Default',
          service_account: 'api',
          automount_service_account_token: false,
          annotations: {},
          windows_host_process: [],
          cap_add_as_written: [],
          cap_drop_as_written: ['ALL'],
          probe_hosts: [],
          os_name: '',
          pod_selinux_options: [],
          pod_run_as_non_root: true,
          pod_run_as_user: 1000,
          pod_seccomp_profile: 'default',
          pod_apparmor_profile: '',
        },
        created_at_ms: 0,
        restart_count: 0,
      },
    });
  });
});

describe('manifests - Kubernetes security context precedence', () => {
  const { containers, errors } = parse('precedence.yaml');

  it('manifests - a container without a securityContext inherits the pod-level fields', () => {
    expect(errors).toEqual([]);
    const fact = byName(containers, 'inherits').fact;
    expect(fact.user).toBe('1000');
    expect(fact.run_as_uid).toBe(1000);
    expect(fact.run_as_gid).toBe(3000);
    expect(fact.run_as_non_root).toBe(true);
    expect(fact.selinux_options).toEqual(['type:pod_t', 'level:s0:c123,c456']);
    expect(fact.seccomp_profile).toBe('localhost/profiles/pod.json');
    expect(fact.apparmor_profile).toBe('runtime/default');
    expect(fact.sysctls).toEqual({ 'net.ipv4.ping_group_range': '0 2147483647' });
    expect(fact.kubernetes?.proc_mount).toBe('Default');
    expect(fact.kubernetes?.host_users).toBe(false);
    expect(fact.namespaces?.userns).toBe('');
    expect(fact.kubernetes?.windows_host_process).toEqual([]);
  });

  it('manifests - container-level fields override the pod, seLinuxOptions as a whole', () => {
    const fact = byName(containers, 'overrides').fact;
    expect(fact.user).toBe('0');
    expect(fact.run_as_uid).toBe(0);
    expect(fact.run_as_gid).toBe(0);
    expect(fact.run_as_non_root).toBe(false);
    expect(fact.selinux_options).toEqual(['type:spc_t']);
    expect(fact.seccomp_profile).toBe('unconfined');
    expect(fact.apparmor_profile).toBe('localhost/k8s-apparmor-example');
    expect(fact.kubernetes?.proc_mount).toBe('Unmasked');
    expect(fact.sysctls).toEqual({ 'net.ipv4.ping_group_range': '0 2147483647' });
  });

  it('manifests - legacy annotations: AppArmor\'s container annotation beats the pod field; seccomp\'s are not read (Kubernetes 1.27 stopped applying them)', () => {
    const annotated = byName(containers, 'annotated').fact;
    expect(annotated.seccomp_profile).toBe('localhost/profiles/pod.json');
    expect(annotated.apparmor_profile).toBe('localhost/k8s-annotated');
    const inherits = byName(containers, 'inherits').fact;
    expect(inherits.seccomp_profile).toBe('localhost/profiles/pod.json');
    const podAnnotationOnly = parseKubernetesManifests(
      [
        'kind: Pod',
        'metadata:',
        '  name: p',
        '  annotations: {seccomp.security.alpha.kubernetes.io/pod: runtime/default}',
        'spec: {containers: [{name: c, image: i}]}',
      ].join('\n'),
      'p.yaml',
    ).containers[0]?.fact;
    expect(podAnnotationOnly?.seccomp_profile).toBe('');
    expect(podAnnotationOnly?.apparmor_profile).toBe('');
  });

  it('manifests - what Pod Security compares as written: capabilities, probe hosts, the pod\'s own SELinux and runAs fields, the OS', () => {
    const fact = parseKubernetesManifests(
      [
        'kind: Pod',
        'metadata: {name: p}',
        'spec:',
        '  os: {name: windows}',
        '  securityContext: {runAsNonRoot: false, runAsUser: 0, seLinuxOptions: {type: spc_t}}',
        '  containers:',
        '  - name: c',
        '    image: i',
        '    securityContext: {runAsNonRoot: true, capabilities: {add: [chown, CAP_KILL], drop: [all]}, seLinuxOptions: {type: container_t}}',
        '    livenessProbe: {httpGet: {host: 10.0.0.1, port: 80}}',
        '    lifecycle: {preStop: {tcpSocket: {host: example.com, port: 80}}}',
      ].join('\n'),
      'p.yaml',
    ).containers[0]?.fact;
    expect(fact?.cap_add).toEqual(['CHOWN', 'KILL']);
    expect(fact?.kubernetes).toMatchObject({
      cap_add_as_written: ['chown', 'CAP_KILL'],
      cap_drop_as_written: ['all'],
      probe_hosts: ['10.0.0.1', 'example.com'],
      os_name: 'windows',
      pod_selinux_options: ['type:spc_t'],
      pod_run_as_non_root: false,
      container_run_as_non_root: true,
      pod_run_as_user: 0,
    });
    expect(fact?.kubernetes && 'container_run_as_user' in fact.kubernetes).toBe(false);
    expect(fact?.selinux_options).toEqual(['type:container_t']);
  });

  it('manifests - unset runAs fields stay unset (the image decides)', () => {
    const fact = parse('workloads.yaml').containers[0]?.fact;
    expect(fact).toBeDefined();
    expect(fact && 'run_as_uid' in fact).toBe(false);
    expect(fact && 'run_as_gid' in fact).toBe(false);
    expect(fact && 'run_as_non_root' in fact).toBe(false);
    expect(fact?.user).toBe('');
    expect(fact?.seccomp_profile).toBe('');
    expect(fact?.no_new_privileges).toBe(false);
    expect(fact?.capabilities).toEqual(RUNTIME_DEFAULT_CAPS);
  });
});

describe('manifests - Kubernetes init and ephemeral containers', () => {
  const { containers, errors, file } = parse('init-ephemeral.yaml');

  it('manifests - init, regular and ephemeral containers each become a fact with their container_type', () => {
    expect(errors).toEqual([]);
    expect(containers.map((c) => [c.fact.name, c.fact.kubernetes?.container_type, c.fact.restart_policy?.name])).toEqual([
      ['dev/Pod/with-helpers:fetch', 'init', 'always'],
      ['dev/Pod/with-helpers:proxy', 'init', 'always'],
      ['dev/Pod/with-helpers:main', 'container', 'always'],
      ['dev/Pod/with-helpers:debugger', 'ephemeral', 'no'],
    ]);
    expect(byName(containers, 'debugger').fact.id).toBe(`${file}#0/debugger`);
    expect(byName(containers, 'debugger').fact.cap_add).toEqual(['SYS_PTRACE']);
    expect(byName(containers, 'debugger').fact.capabilities).toEqual([...RUNTIME_DEFAULT_CAPS, 'SYS_PTRACE'].sort());
  });

  it('manifests - pod-wide settings reach every container: runtime class, service account, volumes, pid sharing', () => {
    for (const { fact } of containers) {
      expect(fact.runtime).toBe('gvisor');
      expect(fact.sandboxed).toBe(true);
      expect(fact.namespaces?.pid).toBe('pod');
      expect(fact.kubernetes?.service_account).toBe('builder');
      expect(fact.kubernetes?.automount_service_account_token).toBe(false);
      expect(fact.kubernetes?.volume_types).toEqual(['emptyDir', 'secret']);
    }
    expect(byName(containers, 'main').fact.mounts).toEqual([
      { type: 'secret', source: 'secrets', destination: '/run/secrets/creds', read_write: false, propagation: 'rprivate' },
      { type: 'emptyDir', source: 'work', destination: '/work', read_write: false, propagation: 'rprivate' },
    ]);
    expect(byName(containers, 'fetch').fact.mounts).toEqual([
      { type: 'emptyDir', source: 'work', destination: '/work', read_write: true, propagation: 'rprivate' },
    ]);
  });

  it('manifests - windows hostProcess fields are listed by path, pod-level and the container’s own', () => {
    expect(byName(containers, 'fetch').fact.kubernetes?.windows_host_process).toEqual([
      'spec.securityContext.windowsOptions.hostProcess',
      'spec.initContainers[0].securityContext.windowsOptions.hostProcess',
    ]);
    expect(byName(containers, 'main').fact.kubernetes?.windows_host_process).toEqual([
      'spec.securityContext.windowsOptions.hostProcess',
    ]);
  });

  it('manifests - the sandboxed runtime list can be replaced', () => {
    const { text } = readFixture('init-ephemeral.yaml');
    const custom = parseKubernetesManifests(text, 'x.yaml', { sandboxedRuntimes: ['kata'] });
    expect(custom.containers.every((c) => c.fact.sandboxed === false && c.fact.runtime === 'gvisor')).toBe(true);
  });
});

describe('manifests - Kubernetes field mapping', () => {
  const { containers, errors, file } = parse('details.yaml');

  it('manifests - capabilities: ALL in add and drop, names normalised, privileged gets everything', () => {
    const addAll = byName(containers, 'caps-add-all').fact;
    expect(addAll.cap_add).toEqual(['ALL']);
    expect(addAll.cap_drop).toEqual(['NET_RAW']);
    expect(addAll.capabilities).toHaveLength(40);
    expect(addAll.capabilities).toContain('SYS_ADMIN');
    expect(addAll.capabilities).not.toContain('NET_RAW');

    const dropAll = byName(containers, 'caps-drop-all').fact;
    expect(dropAll.cap_add).toEqual(['NET_BIND_SERVICE', 'CHOWN']);
    expect(dropAll.cap_drop).toEqual(['ALL']);
    expect(dropAll.capabilities).toEqual(['CHOWN', 'NET_BIND_SERVICE']);
    expect(dropAll.no_new_privileges).toBe(true);

    const privileged = byName(containers, 'privileged').fact;
    expect(privileged.privileged).toBe(true);
    expect(privileged.capabilities).toHaveLength(41);
  });

  it('manifests - allowPrivilegeEscalation false does not hold with CAP_SYS_ADMIN or privileged', () => {
    expect(byName(containers, 'sys-admin').fact.no_new_privileges).toBe(false);
    expect(byName(containers, 'privileged').fact.no_new_privileges).toBe(false);
  });

  it('manifests - a privileged container runs without seccomp, and without AppArmor unless a Localhost profile is named', () => {
    const privileged = byName(containers, 'privileged').fact;
    expect(privileged.seccomp_profile).toBe('unconfined');
    expect(privileged.apparmor_profile).toBe('localhost/strict');
  });

  it('manifests - volume mounts joined with volumes: hostPath with subPath and propagation, read-only config, unknown volume', () => {
    expect(byName(containers, 'mounts').fact.mounts).toEqual([
      { type: 'persistentVolumeClaim', source: 'claim', destination: '/data', read_write: false, propagation: 'rprivate' },
      { type: 'configMap', source: 'cfg', destination: '/etc/cfg', read_write: false, propagation: 'rprivate' },
      { type: 'hostPath', source: '/var/log/app', destination: '/host/logs', read_write: true, propagation: 'rslave' },
      { type: 'hostPath', source: '/var/log/', destination: '/host/root', read_write: true, propagation: 'rshared' },
      { type: '', source: 'missing', destination: '/missing', read_write: true, propagation: 'rprivate' },
    ]);
    expect(byName(containers, 'caps-add-all').fact.kubernetes?.volume_types).toEqual([
      'configMap',
      'ephemeral',
      'hostPath',
      'persistentVolumeClaim',
    ]);
  });

  it('manifests - ports bound on the node, resources, and an exec liveness probe', () => {
    const fact = byName(containers, 'ports-resources-probe').fact;
    expect(fact.ports).toEqual([{ container_port: 53, protocol: 'udp', host_ip: '127.0.0.1', host_port: 5353 }]);
    expect(fact.resources).toEqual({
      memory_bytes: 1073741824,
      nano_cpus: 2000000000,
      cpu_shares: 1536,
      pids_limit: 0,
      cgroup_parent: '',
    });
    expect(fact.health_check).toEqual({ test: ['CMD', 'cat', '/tmp/healthy'], interval_ms: 5000, timeout_ms: 2000, retries: 6 });
  });

  it('manifests - a readiness probe counts as a health check; a bad quantity is an error value and reads as unset', () => {
    const fact = byName(containers, 'readiness-only').fact;
    expect(fact.health_check).toEqual({ test: ['probe'], interval_ms: 10000, timeout_ms: 1000, retries: 3 });
    expect(fact.resources?.memory_bytes).toBe(0);
    expect(fact.resources?.nano_cpus).toBe(100000000);
    expect(fact.resources?.cpu_shares).toBe(102);
    expect(errors).toEqual([
      {
        file,
        document: 0,
        code: 'VIGIL_ERR_MANIFEST_QUANTITY',
        message: `VIGIL_ERR_MANIFEST_QUANTITY: ${file}, document 0: spec.containers[6].resources.limits.memory "lots" is not a valid quantity; it is treated as unset`,
      },
    ]);
    expect(byName(containers, 'mounts').fact).not.toHaveProperty('health_check');
  });

  it('manifests - host namespaces (YAML 1.1 booleans too), hostNetwork defaults hostPort and shares the UTS namespace', () => {
    const { containers: edge } = parse('host-network.yaml');
    const fact = edge[0]?.fact;
    expect(fact?.namespaces).toEqual({ pid: 'host', ipc: 'host', network: 'host', uts: 'host', userns: 'host', cgroupns: '' });
    expect(fact?.ports).toEqual([
      { container_port: 443, protocol: 'tcp', host_ip: '', host_port: 443 },
      { container_port: 9901, protocol: 'tcp', host_ip: '', host_port: 19901 },
    ]);
    expect(fact?.runtime).toBe('runc');
    expect(fact?.sandboxed).toBe(false);
  });
});

describe('manifests - the node that causes a finding', () => {
  const text = [
    'apiVersion: v1',
    'kind: List',
    'items:',
    '  - apiVersion: apps/v1',
    '    kind: Deployment',
    '    metadata: {name: api}',
    '    spec:',
    '      template:',
    '        spec:',
    '          hostPID: true',
    '          containers:',
    '            - name: api',
    '              image: shop/api:1',
    '              securityContext:',
    '                privileged: true',
    '',
  ].join('\n');
  const [container] = parseKubernetesManifests(text, 'list.yaml').containers;

  it('probe - roots are the container\'s keys and its pod spec\'s, inside a List item, without name or the container lists', () => {
    expect(container!.line).toBe(12);
    expect(container!.probe!.roots).toEqual([
      ['items', 0, 'spec', 'template', 'spec', 'containers', 0, 'image'],
      ['items', 0, 'spec', 'template', 'spec', 'containers', 0, 'securityContext'],
      ['items', 0, 'spec', 'template', 'spec', 'hostPID'],
    ]);
  });

  it('probe - the container without a node is normalised again from the changed document', () => {
    const probe = container!.probe!;
    const privileged = ['items', 0, 'spec', 'template', 'spec', 'containers', 0, 'securityContext', 'privileged'];
    expect(probe.lineAt(privileged)).toBe(15);
    expect(container!.fact.privileged).toBe(true);
    expect(probe.without(privileged)!.privileged).toBe(false);
    expect(probe.without(['items', 0, 'spec', 'template', 'spec', 'hostPID'])!.namespaces!.pid).toBe('');
    expect(probe.children(['items', 0, 'spec', 'template', 'spec', 'containers', 0, 'securityContext'])).toEqual([privileged]);
  });
});
