import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { streams, unjudgedFacts } from '../proto/src/index.js';
import type { WorkloadPosture } from '../engine/src/index.js';
import { createContainer, dockerExec, removeContainersByPrefix, startLocalNats, type LocalNats, type TestContainer } from './harness/index.js';
import { eventually } from './support/engine-fleet.js';
import { runVigil, spawnVigilUp, untilRuntimeCollector, type VigilUp } from './support/vigil-process.js';

/**
 * `vigil posture` over what a running Vigil holds: `vigil up` with the
 * container, image and runtime collectors watches two containers of one
 * workload (one with --pid host), a terminal shell is opened in one, and the
 * posture command reads the fact archive and the alert stream back.
 */

const PREFIX = `vigil-posture-${process.pid}-`;
const WORKLOAD = `posture-${process.pid}`;

describe('vigil posture', () => {
  let nats: LocalNats;
  let nc: NatsConnection;
  let up: VigilUp;
  let exposed: TestContainer;
  let plain: TestContainer;

  beforeAll(async () => {
    await removeContainersByPrefix(PREFIX);
    nats = await startLocalNats();
    nc = await connect({ servers: nats.url });
    const label = ['--label', `vigil.dev/workload=${WORKLOAD}`];
    exposed = await createContainer({ name: `${PREFIX}exposed`, flags: [...label, '--pid', 'host'], cmd: ['sleep', '300'] });
    plain = await createContainer({ name: `${PREFIX}plain`, flags: label, cmd: ['sleep', '300'] });
    up = spawnVigilUp(['--nats', nats.url, '--collectors', 'runtime,container,image']);
    await untilRuntimeCollector(up);
  }, 120_000);

  afterAll(async () => {
    const code = await up?.stop();
    await nc?.close();
    await nats?.stop();
    await removeContainersByPrefix(PREFIX);
    expect(code).toBe(0);
  }, 60_000);

  it('posture - one workload: configuration and runtime findings of its containers, its image, and controls failed exactly where findings name them', async () => {
    await up.waitFor((alerts) => alerts.some((a) => a.subject.name === exposed.name && a.rule_id === 'VGL-CTR-005'), 60_000);
    await dockerExec('-t', plain.name, 'sh', '-c', 'id');
    await up.waitFor((alerts) => alerts.some((a) => a.subject.name === plain.name && a.rule_id === 'VGL-RUN-001'), 30_000);
    const jsm = await jetstreamManager(nc);
    await eventually('the engine to judge every fact', async () => (await unjudgedFacts(jsm)) === 0, 60_000);
    await eventually('the alert to be stored', async () => (await jsm.streams.info(streams.alerts.name)).state.messages > 0, 30_000);

    const listed = await runVigil(['posture', '--nats', nats.url, '--format', 'json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual(expect.arrayContaining([{ workload: WORKLOAD, containers: 2 }]));

    // The image collector scans the image after the containers are reported: wait for its fact too.
    let posture: WorkloadPosture | undefined;
    await eventually('the posture to include the image', async () => {
      const shown = await runVigil(['posture', WORKLOAD, '--nats', nats.url, '--format', 'json']);
      if (shown.code !== 0) throw new Error(`vigil posture failed:\n${shown.stderr}`);
      posture = JSON.parse(shown.stdout) as WorkloadPosture;
      return posture.images.length > 0;
    }, 90_000);
    if (!posture) throw new Error('no posture');
    expect(posture.containers.map((c) => c.name).sort()).toEqual([exposed.name, plain.name].sort());
    expect(posture.configuration.some((f) => f.rule_id === 'VGL-CTR-005' && f.subject === exposed.name)).toBe(true);
    expect(posture.configuration.some((f) => f.rule_id === 'VGL-CTR-005' && f.subject === plain.name)).toBe(false);
    expect(posture.runtime.some((f) => f.rule_id === 'VGL-RUN-001' && f.subject === plain.name && (f.count ?? 0) >= 1)).toBe(true);
    expect(posture.images.length).toBeGreaterThan(0);
    // Controls: failed exactly where a configuration or image finding names them, never also passed.
    for (const framework of ['cis-docker', 'pss']) {
      const named = new Set([...posture.configuration, ...posture.image].flatMap((f) => f.frameworks[framework] ?? []));
      const { passed, failed } = posture.controls[framework]!;
      expect(new Set(failed)).toEqual(named);
      expect(passed.filter((id) => named.has(id))).toEqual([]);
      expect(passed.length).toBeGreaterThan(0);
    }
    const pidControls = posture.configuration.find((f) => f.rule_id === 'VGL-CTR-005')!.frameworks['cis-docker'] ?? [];
    expect(pidControls.length).toBeGreaterThan(0);

    const table = await runVigil(['posture', WORKLOAD, '--nats', nats.url]);
    process.stdout.write(`posture table:\n${table.stdout}`);
    expect(table.stdout).toContain(`Workload ${WORKLOAD}`);
    expect(table.stdout).toMatch(/cis-docker\s+\d+ passed, \d+ failed: /);

    const unknown = await runVigil(['posture', 'no-such-workload', '--nats', nats.url]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(WORKLOAD);
  }, 180_000);
});
