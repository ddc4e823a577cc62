/**
 * Pods for the Pod Security differential test: a restricted-compliant pod and
 * a bare one, each mutated in every field a Pod Security control reads, at pod
 * level and in a container, an init container and an ephemeral container,
 * one mutation at a time and then in deterministic random combinations.
 */
import { seededRandom } from '../support/seeded-random.js';

export interface GeneratedPod {
  id: string;
  pod: Record<string, unknown>;
}

type Json = Record<string, unknown>;
type Mutation = { name: string; apply(pod: Json): void };

const BASELINE_CAPS = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
const OTHER_CAPS = ['NET_RAW', 'SYS_ADMIN', 'NET_ADMIN', 'SYS_PTRACE', 'ALL', 'chown', 'CAP_CHOWN', 'net_bind_service', 'BPF', ''];
const VOLUMES: Record<string, unknown> = {
  configMap: { name: 'cm' }, emptyDir: {}, secret: { secretName: 's' }, csi: { driver: 'd' }, downwardAPI: { items: [] },
  ephemeral: { volumeClaimTemplate: { spec: {} } }, persistentVolumeClaim: { claimName: 'c' }, projected: { sources: [] },
  hostPath: { path: '/var/log' }, nfs: { server: 's', path: '/' }, gcePersistentDisk: { pdName: 'p' }, awsElasticBlockStore: { volumeID: 'v' },
  gitRepo: { repository: 'r' }, iscsi: { targetPortal: 't', iqn: 'i', lun: 0 }, glusterfs: { endpoints: 'e', path: 'p' }, rbd: { monitors: ['m'], image: 'i' },
  flexVolume: { driver: 'd' }, cinder: { volumeID: 'v' }, cephfs: { monitors: ['m'] }, flocker: { datasetName: 'd' }, fc: { lun: 0 },
  azureFile: { secretName: 's', shareName: 's' }, vsphereVolume: { volumePath: 'p' }, quobyte: { registry: 'r', volume: 'v' },
  azureDisk: { diskName: 'd', diskURI: 'u' }, portworxVolume: { volumeID: 'v' }, scaleIO: { gateway: 'g', system: 's', secretRef: { name: 'n' } },
  storageos: { volumeName: 'v' }, image: { reference: 'busybox:1' },
};
const SYSCTLS = [
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem', 'net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat', 'net.ipv4.ip_forward', 'kernel.msgmax',
  'net.core.somaxconn', 'kernel.sem', 'vm.swappiness',
];
const SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t', 'spc_t', 'unconfined_t', 'CONTAINER_T'];
const SECCOMP_TYPES = ['RuntimeDefault', 'Localhost', 'Unconfined'];
const APPARMOR_TYPES = ['RuntimeDefault', 'Localhost', 'Unconfined'];
const CONTAINER_SLOTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

function restrictedPod(): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [container('app')],
    },
  };
}

function container(name: string): Json {
  return { name, image: 'busybox:1', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } };
}

function barePod(): Json {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'busybox:1' }] } };
}

const spec = (pod: Json): Json => pod.spec as Json;
const podSc = (pod: Json): Json => ((spec(pod).securityContext as Json | undefined) ?? (spec(pod).securityContext = {})) as Json;

/** The container of a slot the mutation targets (created in init and ephemeral slots). */
function target(pod: Json, slot: (typeof CONTAINER_SLOTS)[number]): Json {
  const list = ((spec(pod)[slot] as Json[] | undefined) ?? (spec(pod)[slot] = [])) as Json[];
  if (list.length === 0) list.push(container(slot === 'containers' ? 'app' : slot === 'initContainers' ? 'init' : 'debug'));
  return list[0]!;
}
const sc = (c: Json): Json => ((c.securityContext as Json | undefined) ?? (c.securityContext = {})) as Json;

function mutations(): Mutation[] {
  const m: Mutation[] = [];
  const add = (name: string, apply: (pod: Json) => void): void => void m.push({ name, apply });
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) for (const v of [true, false]) add(`${field}=${v}`, (p) => void (spec(p)[field] = v));
  for (const v of [true, false]) add(`hostUsers=${v}`, (p) => void (spec(p).hostUsers = v));
  for (const os of ['windows', 'linux']) add(`os=${os}`, (p) => void (spec(p).os = { name: os }));
  for (const [type, source] of Object.entries(VOLUMES)) add(`volume=${type}`, (p) => void (spec(p).volumes = [{ name: 'v', [type]: source }]));
  for (const sysctl of SYSCTLS) add(`sysctl=${sysctl}`, (p) => void (podSc(p).sysctls = [{ name: sysctl, value: '1' }]));
  for (const t of SECCOMP_TYPES) {
    add(`pod.seccomp=${t}`, (p) => void (podSc(p).seccompProfile = t === 'Localhost' ? { type: t, localhostProfile: 'x.json' } : { type: t }));
  }
  add('pod.seccomp=unset', (p) => void delete podSc(p).seccompProfile);
  for (const v of ['runtime/default', 'unconfined', 'localhost/x', 'docker/default']) {
    add(`annotation.seccomp.pod=${v}`, (p) => void ((p.metadata as Json).annotations = { 'seccomp.security.alpha.kubernetes.io/pod': v }));
    add(`annotation.seccomp.container=${v}`, (p) => void ((p.metadata as Json).annotations = { 'container.seccomp.security.alpha.kubernetes.io/app': v }));
  }
  for (const v of ['runtime/default', 'unconfined', 'localhost/x', 'bogus', '']) {
    add(`annotation.apparmor=${v || 'empty'}`, (p) => void ((p.metadata as Json).annotations = { 'container.apparmor.security.beta.kubernetes.io/app': v }));
  }
  for (const t of APPARMOR_TYPES) add(`pod.apparmor=${t}`, (p) => void (podSc(p).appArmorProfile = t === 'Localhost' ? { type: t, localhostProfile: 'x' } : { type: t }));
  for (const t of SELINUX_TYPES) add(`pod.selinux.type=${t || 'empty'}`, (p) => void (podSc(p).seLinuxOptions = { type: t }));
  add('pod.selinux.user', (p) => void (podSc(p).seLinuxOptions = { user: 'system_u' }));
  add('pod.selinux.role', (p) => void (podSc(p).seLinuxOptions = { role: 'object_r' }));
  add('pod.selinux.level', (p) => void (podSc(p).seLinuxOptions = { level: 's0:c1,c2' }));
  for (const v of [true, false]) add(`pod.runAsNonRoot=${v}`, (p) => void (podSc(p).runAsNonRoot = v));
  add('pod.runAsNonRoot=unset', (p) => void delete podSc(p).runAsNonRoot);
  for (const v of [0, 1000]) add(`pod.runAsUser=${v}`, (p) => void (podSc(p).runAsUser = v));
  add('pod.windows.hostProcess', (p) => void (podSc(p).windowsOptions = { hostProcess: true }));

  for (const slot of CONTAINER_SLOTS) {
    const c = (name: string, apply: (x: Json, pod: Json) => void): void => add(`${slot}.${name}`, (p) => apply(target(p, slot), p));
    c('present', () => undefined);
    for (const v of [true, false]) c(`privileged=${v}`, (x) => void (sc(x).privileged = v));
    for (const cap of [...BASELINE_CAPS, ...OTHER_CAPS]) c(`cap.add=${cap || 'empty'}`, (x) => void (sc(x).capabilities = { drop: ['ALL'], add: [cap] }));
    for (const drop of [[], ['all'], ['NET_RAW'], ['ALL', 'NET_RAW']]) c(`cap.drop=${drop.join('+') || 'none'}`, (x) => void (sc(x).capabilities = { drop }));
    c('cap.unset', (x) => void delete sc(x).capabilities);
    for (const v of [true, false]) c(`allowPrivilegeEscalation=${v}`, (x) => void (sc(x).allowPrivilegeEscalation = v));
    c('allowPrivilegeEscalation=unset', (x) => void delete sc(x).allowPrivilegeEscalation);
    for (const v of ['Default', 'Unmasked']) c(`procMount=${v}`, (x) => void (sc(x).procMount = v));
    c('procMount=Unmasked+hostUsers=false', (x, p) => {
      sc(x).procMount = 'Unmasked';
      spec(p).hostUsers = false;
    });
    for (const t of SECCOMP_TYPES) c(`seccomp=${t}`, (x) => void (sc(x).seccompProfile = t === 'Localhost' ? { type: t, localhostProfile: 'x.json' } : { type: t }));
    for (const t of APPARMOR_TYPES) c(`apparmor=${t}`, (x) => void (sc(x).appArmorProfile = t === 'Localhost' ? { type: t, localhostProfile: 'x' } : { type: t }));
    for (const t of SELINUX_TYPES) c(`selinux.type=${t || 'empty'}`, (x) => void (sc(x).seLinuxOptions = { type: t }));
    c('selinux.user', (x) => void (sc(x).seLinuxOptions = { user: 'system_u' }));
    c('selinux.role', (x) => void (sc(x).seLinuxOptions = { role: 'object_r' }));
    for (const v of [true, false]) c(`runAsNonRoot=${v}`, (x) => void (sc(x).runAsNonRoot = v));
    for (const v of [0, 1000]) c(`runAsUser=${v}`, (x) => void (sc(x).runAsUser = v));
    // The pod sets one value, the container overrides it: Pod Security judges both setters.
    c('seccomp=Localhost+pod.seccomp=Unconfined', (x, p) => {
      sc(x).seccompProfile = { type: 'Localhost', localhostProfile: 'x.json' };
      podSc(p).seccompProfile = { type: 'Unconfined' };
    });
    c('apparmor=RuntimeDefault+pod.apparmor=Unconfined', (x, p) => {
      sc(x).appArmorProfile = { type: 'RuntimeDefault' };
      podSc(p).appArmorProfile = { type: 'Unconfined' };
    });
    c('runAsNonRoot=true+pod.runAsNonRoot=false', (x, p) => {
      sc(x).runAsNonRoot = true;
      podSc(p).runAsNonRoot = false;
    });
    c('runAsUser=1000+pod.runAsUser=0', (x, p) => {
      sc(x).runAsUser = 1000;
      podSc(p).runAsUser = 0;
    });
    c('selinux.type=container_t+pod.selinux.type=spc_t', (x, p) => {
      sc(x).seLinuxOptions = { type: 'container_t' };
      podSc(p).seLinuxOptions = { type: 'spc_t' };
    });
    c('windows.hostProcess=true', (x) => void (sc(x).windowsOptions = { hostProcess: true }));
    c('windows.hostProcess=false', (x) => void (sc(x).windowsOptions = { hostProcess: false }));
    for (const port of [0, 80, 8080]) c(`hostPort=${port}`, (x) => void (x.ports = [{ containerPort: 80, ...(port ? { hostPort: port } : {}) }]));
    for (const host of ['', '127.0.0.1', 'example.com']) {
      c(`liveness.httpGet.host=${host || 'empty'}`, (x) => void (x.livenessProbe = { httpGet: { port: 80, ...(host ? { host } : {}) } }));
      c(`readiness.tcpSocket.host=${host || 'empty'}`, (x) => void (x.readinessProbe = { tcpSocket: { port: 80, ...(host ? { host } : {}) } }));
      c(`startup.httpGet.host=${host || 'empty'}`, (x) => void (x.startupProbe = { httpGet: { port: 80, ...(host ? { host } : {}) } }));
      c(`postStart.httpGet.host=${host || 'empty'}`, (x) => void (x.lifecycle = { postStart: { httpGet: { port: 80, ...(host ? { host } : {}) } } }));
      c(`preStop.tcpSocket.host=${host || 'empty'}`, (x) => void (x.lifecycle = { preStop: { tcpSocket: { port: 80, ...(host ? { host } : {}) } } }));
    }
  }
  return m;
}

export function generatePods(combinations: number, seed = 1): GeneratedPod[] {
  const all = mutations();
  const out: GeneratedPod[] = [];
  const bases: Array<[string, () => Json]> = [['restricted', restrictedPod], ['bare', barePod]];
  for (const [baseName, base] of bases) {
    out.push({ id: `${baseName}`, pod: base() });
    for (const mutation of all) {
      const pod = base();
      mutation.apply(pod);
      out.push({ id: `${baseName}+${mutation.name}`, pod });
    }
  }
  const next = seededRandom(seed);
  for (let i = 0; i < combinations; i++) {
    const [baseName, base] = bases[i % 2]!;
    const pod = base();
    const picked: string[] = [];
    const n = 2 + Math.floor(next() * 3);
    for (let k = 0; k < n; k++) {
      const mutation = all[Math.floor(next() * all.length)]!;
      mutation.apply(pod);
      picked.push(mutation.name);
    }
    out.push({ id: `${baseName}+${picked.join('+')}#${i}`, pod });
  }
  for (const [i, p] of out.entries()) (p.pod.metadata as Json).name = `pod-${i}`;
  return out;
}
