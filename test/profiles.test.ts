import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NatsConnection } from '@nats-io/nats-core';
import { ProfileStore, type Profile } from '../engine/src/index.js';
import { decodeVerdict, subjects } from '../proto/src/index.js';
import { BUSYBOX_IMAGE, createContainer, docker, dockerExec, removeContainersByPrefix, type TestContainer } from './harness/index.js';
import { eventually, spawnEngine, waitForEngines, type EngineProcess } from './support/engine-fleet.js';
import { useLocalNats } from './support/local-nats.js';
import { spawnVigil, spawnVigilUp, untilRuntimeCollector, type VigilProcess, type VigilUp } from './support/vigil-process.js';
import { jetstreamManager } from '@nats-io/jetstream';

/**
 * Learned profiles end to end: a real two-container application (busybox httpd
 * and a client requesting from it in a loop, one user-defined network) judged by
 * `vigil up` with its eBPF collector; each workload learns for a short window,
 * then its benign traffic must stay silent and every attack must give its drift.
 * Drift findings are read from the verdicts (every finding, before the alert
 * throttle folds repeats of a rule on one container).
 */

const PREFIX = `vigil-profile-${process.pid}-`;
const LEARN_WINDOW = '20s';
const BENIGN_MS = 120_000;
const DRIFT_RULES = new Set(['VGL-RUN-047', 'VGL-RUN-048', 'VGL-RUN-049', 'VGL-RUN-050', 'VGL-RUN-051', 'VGL-RUN-052', 'VGL-RUN-053']);
// Unique per run: a replica another run left behind must not join these workloads.
const SERVER_WORKLOAD = `shop/web-${process.pid}`;
const CLIENT_WORKLOAD = `compose:shop-${process.pid}/client`;

interface DriftFinding {
  rule: string;
  container: string;
  message: string;
  at: number;
}

/** Every profile-drift finding in verdicts published on this NATS. */
function tapDrift(nc: NatsConnection): DriftFinding[] {
  const found: DriftFinding[] = [];
  nc.subscribe(subjects.allVerdicts, {
    callback: (_error, msg) => {
      for (const finding of decodeVerdict(msg.data).findings) {
        const rule = finding.rule_id ?? '';
        if (DRIFT_RULES.has(rule)) found.push({ rule, container: finding.subject?.name ?? '', message: finding.message ?? '', at: Date.now() });
      }
    },
  });
  return found;
}


async function profileOf(store: ProfileStore, workload: string): Promise<Profile | undefined> {
  return (await store.get(workload))?.profile;
}

/** A health check as Docker runs one (an exec into the container), part of the benign workload. */
function healthChecks(container: string, everyMs: number): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await dockerExec(container, 'sh', '-c', 'wget -q -O /dev/null http://127.0.0.1/hostname');
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

describe('learned profiles - a two-container application through vigil up', () => {
  const local = useLocalNats({ streams: true });
  let up: VigilUp;
  let store: ProfileStore;
  let drift: DriftFinding[];
  let network: string;
  let server: TestContainer;
  let client: TestContainer;
  let checks: { stop(): Promise<void> };

  beforeAll(async () => {
    await removeContainersByPrefix(PREFIX);
    network = `${PREFIX}net`;
    await docker(['network', 'create', network]);
    store = await ProfileStore.open(local.nc);
    drift = tapDrift(local.nc);
    up = spawnVigilUp(['--nats', local.nats.url, '--collectors', 'runtime', '--learn-window', LEARN_WINDOW, '--host', 'node-a']);
    await untilRuntimeCollector(up, 60_000);
    server = await createContainer({
      name: `${PREFIX}web`,
      flags: ['--network', network, '--network-alias', 'web', '--label', `vigil.dev/workload=${SERVER_WORKLOAD}`],
      cmd: ['httpd', '-f', '-p', '80', '-h', '/etc'],
    });
    client = await createContainer({
      name: `${PREFIX}client`,
      flags: ['--network', network, '--label', `com.docker.compose.project=shop-${process.pid}`, '--label', 'com.docker.compose.service=client'],
      cmd: ['sh', '-c', 'while true; do wget -q -O /dev/null http://web/hostname; sleep 0.5; done'],
    });
    checks = healthChecks(server.name, 2_000);
  }, 120_000);

  afterAll(async () => {
    await checks?.stop();
    await up?.stop();
    await server?.remove();
    await client?.remove();
    await docker(['network', 'rm', network]).catch(() => undefined);
  }, 60_000);

  it('profiles - each workload learns one profile and enforces it after its window of activity', async () => {
    await eventually(
      'both profiles enforcing',
      async () => (await profileOf(store, SERVER_WORKLOAD))?.state === 'enforcing' && (await profileOf(store, CLIENT_WORKLOAD))?.state === 'enforcing',
      120_000,
    );
    const web = (await profileOf(store, SERVER_WORKLOAD))!;
    const shopClient = (await profileOf(store, CLIENT_WORKLOAD))!;
    expect(web.active_s).toBeGreaterThanOrEqual(20);
    expect(Object.keys(web.items.listen_ports)).toEqual(['tcp/80']);
    expect(Object.keys(web.items.executables)).toContain('/bin/httpd');
    expect(Object.keys(web.items.syscalls)).toEqual(expect.arrayContaining(['accept', 'bind', 'listen']));
    // The runtime's own start-up (runc init) never enters a profile.
    expect(Object.keys(web.items.executables).filter((exe) => exe.includes('runc'))).toEqual([]);
    // The server is a container on the collector's host: the client's peer is its workload, not its address.
    expect(Object.keys(shopClient.items.peers)).toContain(`tcp/${SERVER_WORKLOAD}:80`);
    expect(web.items.executables['/bin/httpd']).toMatchObject({ replicas: [server.name], hosts: ['node-a'] });
  }, 180_000);

  it('profiles - two minutes of the benign traffic raise no drift', async () => {
    const start = Date.now();
    await new Promise((r) => setTimeout(r, BENIGN_MS));
    const names = new Set([server.name, client.name]);
    expect(drift.filter((d) => d.at >= start && names.has(d.container))).toEqual([]);
  }, BENIGN_MS + 30_000);

  it('profiles - each attack in the server gives its drift, naming the profile version', async () => {
    const version = (await profileOf(store, SERVER_WORKLOAD))!.version;
    const attacks: Array<{ what: string; command: string[]; rule: string; marker: string }> = [
      { what: 'exec of a new binary', command: ['sh', '-c', 'cp /bin/busybox /tmp/tool && /tmp/tool true'], rule: 'VGL-RUN-047', marker: 'executed /tmp/tool' },
      { what: 'write below /etc', command: ['sh', '-c', 'echo x > /etc/vigil-drift'], rule: 'VGL-RUN-048', marker: 'wrote /etc/vigil-drift' },
      { what: 'connect to a port never seen', command: ['sh', '-c', 'nc -w 1 127.0.0.1 8443 </dev/null'], rule: 'VGL-RUN-050', marker: 'connected to tcp/127.0.0.1:8443' },
      { what: 'nc -l on a new port', command: ['sh', '-c', 'timeout 2 nc -l -p 4444'], rule: 'VGL-RUN-049', marker: 'listened on tcp/4444' },
      // Not unshare: Docker's default seccomp profile refuses it before the syscall tracepoint sees it.
      { what: 'a new syscall (sync)', command: ['sync'], rule: 'VGL-RUN-053', marker: 'made system call sync' },
    ];
    const results: Array<{ what: string; caught: boolean }> = [];
    for (const attack of attacks) {
      const before = Date.now();
      await dockerExec(server.name, ...attack.command);
      const caught = async (): Promise<boolean> =>
        drift.some((d) => d.at >= before && d.container === server.name && d.rule === attack.rule && d.message.includes(attack.marker));
      await eventually(attack.what, caught, 15_000).catch(() => undefined);
      results.push({ what: attack.what, caught: await caught() });
    }
    expect(results).toEqual(attacks.map((a) => ({ what: a.what, caught: true })));
    const ours = drift.filter((d) => d.container === server.name);
    expect(ours.every((d) => d.message.includes(`(version ${version})`))).toBe(true);
    // The client, untouched, stays silent.
    expect(drift.filter((d) => d.container === client.name)).toEqual([]);
  }, 180_000);

  it('profiles - after a restart the engine still enforces the stored profile', async () => {
    expect(await up.stop()).toBe(0);
    up = spawnVigilUp(['--nats', local.nats.url, '--collectors', 'runtime', '--learn-window', LEARN_WINDOW, '--host', 'node-a']);
    await untilRuntimeCollector(up, 60_000);
    expect((await profileOf(store, SERVER_WORKLOAD))?.state).toBe('enforcing');
    const before = Date.now();
    await dockerExec(server.name, 'sh', '-c', 'cp /bin/busybox /tmp/after-restart && /tmp/after-restart true');
    await eventually(
      'exec drift after the restart',
      async () => drift.some((d) => d.at >= before && d.container === server.name && d.rule === 'VGL-RUN-047' && d.message.includes('/tmp/after-restart')),
      20_000,
    );
  }, 120_000);
});

describe('learned profiles - two engines, two collectors, one workload', () => {
  const local = useLocalNats({ streams: true });
  const WORKLOAD = `shop/replicated-${process.pid}`;
  let engines: EngineProcess[] = [];
  let collectors: VigilProcess[] = [];
  let replicas: TestContainer[] = [];

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.remove()));
    await Promise.all(collectors.map((c) => c.stop()));
    await Promise.all(engines.map((e) => e.stop()));
  }, 60_000);

  it('profiles - replicas seen by two collectors and judged by two engines learn one profile with every item', async () => {
    engines = [0, 1].map(() => spawnEngine(local.nats.url, ['--learn', '--learn-window', '1h']));
    await waitForEngines(await jetstreamManager(local.nc), engines);
    collectors = ['host-1', 'host-2'].map((host) => spawnVigil(['collect', 'runtime', '--nats', local.nats.url, '--host', host]));
    await eventually('both runtime collectors attached', async () => collectors.every((c) => /runtime: collector started/.test(c.stderr())), 60_000);
    // Each replica runs a program of its own, so its items can only come from its own facts.
    replicas = await Promise.all(
      ['one', 'two'].map((name) =>
        createContainer({
          name: `${PREFIX}replica-${name}`,
          image: BUSYBOX_IMAGE,
          flags: ['--label', `vigil.dev/workload=${WORKLOAD}`],
          cmd: ['sh', '-c', `cp /bin/busybox /tmp/${name} && while true; do /tmp/${name} true; sleep 0.3; done`],
        }),
      ),
    );
    const store = await ProfileStore.open(local.nc);
    const complete = async (): Promise<boolean> => {
      const p = (await store.get(WORKLOAD))?.profile;
      const one = p?.items.executables['/tmp/one'];
      const two = p?.items.executables['/tmp/two'];
      return !!one && !!two && one.hosts.length === 2 && two.hosts.length === 2;
    };
    await eventually('one profile with both replicas from both hosts', complete, 60_000);
    const profile = (await store.get(WORKLOAD))!.profile;
    expect(profile.state).toBe('learning');
    expect(profile.items.executables['/tmp/one']!.replicas).toEqual([replicas[0]!.name]);
    expect(profile.items.executables['/tmp/two']!.replicas).toEqual([replicas[1]!.name]);
    expect([...profile.items.executables['/tmp/one']!.hosts].sort()).toEqual(['host-1', 'host-2']);
    // Both engines judged facts of it: neither one's writes overwrote the other's.
    expect(Object.keys(profile.items.executables).sort()).toEqual(expect.arrayContaining(['/tmp/one', '/tmp/two']));
  }, 240_000);
});
