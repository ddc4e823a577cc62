import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import { alertsFrom } from '../engine/src/index.js';
import { encodeAlert, ensureStreams, severityValue, subjects } from '../proto/src/index.js';
import { useLocalNats } from './support/local-nats.js';

/** `vigil alerts` as a user starts it: possibly before any engine has created the streams. */
describe('vigil alerts', () => {
  const server = useLocalNats();

  it('vigil alerts - started before the alert stream exists, it waits for it and prints each stored alert once', async () => {
    const child = spawn(process.execPath, [path.resolve('bin', 'vigil.js'), 'alerts', '--nats', server.nats.url, '--format', 'json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, VIGIL_LOG_LEVEL: 'info' },
    });
    const output = { stdout: '', stderr: '' };
    child.stdout.on('data', (c: Buffer) => (output.stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output.stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      // It has tried the missing stream at least once by now.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(child.exitCode).toBeNull();
      await ensureStreams(server.nc);
      const [alert] = alertsFrom(
        { id: 'waiting-fact', source: { host: 'cli-host', collector: 'test', version: '0' }, observed_at_ms: Date.now() },
        [{ rule_id: 'VGL-TEST-1', severity: severityValue('HIGH'), title: 'T', message: 'm', subject: { kind: 'container', id: 'c1', name: 'c1' } }],
        Date.now(),
      );
      const js = jetstream(server.nc);
      const deadline = Date.now() + 20_000;
      // Published again until printed: the stream keeps one copy per message id, so one line.
      while (!output.stdout.includes('"waiting-fact"')) {
        if (Date.now() > deadline) throw new Error(`no alert printed:\n${output.stderr}`);
        await js.publish(subjects.alerts('HIGH', 'container', 'cli-host'), encodeAlert(alert!), { msgID: alert!.id! });
        await new Promise((r) => setTimeout(r, 300));
      }
      await new Promise((r) => setTimeout(r, 500));
      const lines = output.stdout.split('\n').filter((l) => l.includes('"waiting-fact"'));
      expect(lines).toHaveLength(1);
      expect(output.stderr).not.toContain('cannot read the alert stream');
    } finally {
      if (child.exitCode === null) child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  }, 60_000);
});
