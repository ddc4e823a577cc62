import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { CONTEXT_BUCKET } from '../engine/src/index.js';
import { createContainer, dockerExec, removeContainersByPrefix, startLocalNats, type LocalNats, type TestContainer } from './harness/index.js';
import { spawnVigilUp, untilRuntimeCollector, type VigilUp } from './support/vigil-process.js';

/**
 * Rules with context on real parts: `vigil up` with its container and runtime
 * collectors, a `--pid host` container and a hardened one, and the same
 * `docker exec -t sh` in each. The engine joins the shell's exec with the
 * container fact it keeps in the vigil-context bucket, so only the first is
 * CRITICAL.
 */

const PREFIX = `vigil-context-${process.pid}-`;
const EXPOSED_SHELL = 'VGL-RUN-055';

describe('rules with context - real containers', () => {
  let nats: LocalNats;
  let nc: NatsConnection;
  let up: VigilUp;
  let hostPid: TestContainer;
  let hardened: TestContainer;

  beforeAll(async () => {
    await removeContainersByPrefix(PREFIX);
    nats = await startLocalNats();
    nc = await connect({ servers: nats.url });
    hostPid = await createContainer({ name: `${PREFIX}hostpid`, flags: ['--pid', 'host'], cmd: ['sleep', '300'] });
    hardened = await createContainer({
      name: `${PREFIX}hardened`,
      flags: ['--read-only', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--user', '1000:1000', '--memory', '64m', '--pids-limit', '64'],
      cmd: ['sleep', '300'],
    });
    up = spawnVigilUp(['--nats', nats.url, '--collectors', 'runtime,container']);
    await untilRuntimeCollector(up);
  }, 120_000);

  afterAll(async () => {
    const code = await up?.stop();
    await nc?.close();
    await nats?.stop();
    await removeContainersByPrefix(PREFIX);
    expect(code).toBe(0);
  }, 60_000);

  /** Waits until the engine keeps both containers' facts as context. */
  async function untilContextHeld(ids: string[]): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const kv = await new Kvm(nc).open(CONTEXT_BUCKET).catch(() => undefined);
      const held = kv ? await Promise.all(ids.map((id) => kv.get(`container.${id}`))) : [];
      if (held.length === ids.length && held.every((e) => e?.operation === 'PUT')) return;
      if (Date.now() > deadline) throw new Error(`the engine did not keep the container facts of ${ids.join(', ')} as context:\n${up.stderr().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('context - a terminal shell in the --pid host container is CRITICAL (VGL-RUN-055) and in the hardened one only VGL-RUN-001', async () => {
    await untilContextHeld([hostPid.id, hardened.id]);
    await dockerExec('-t', hostPid.name, 'sh', '-c', 'id');
    await dockerExec('-t', hardened.name, 'sh', '-c', 'id');
    const on = (name: string, rule: string) => up.alerts.filter((a) => a.subject.name === name && a.rule_id === rule);
    await up.waitFor(() => on(hostPid.name, EXPOSED_SHELL).length > 0 && on(hardened.name, 'VGL-RUN-001').length > 0, 30_000);
    const critical = on(hostPid.name, EXPOSED_SHELL)[0]!;
    process.stdout.write(`context rule alert: ${critical.severity} ${critical.rule_id} ${critical.message}\n`);
    expect(critical.severity).toBe('CRITICAL');
    expect(critical.message).toContain("which shares the host's PID namespace");
    expect(critical.subject).toMatchObject({ id: hostPid.id, kind: 'process_exec' });
    expect(on(hostPid.name, 'VGL-RUN-001').length).toBeGreaterThan(0);
    // The hardened container's shell was judged (VGL-RUN-001 above), with its context: nothing exposed.
    expect(on(hardened.name, EXPOSED_SHELL)).toEqual([]);
  }, 120_000);
});
