// deploy/compose/docker-compose.yml brought up for real with docker-compose: NATS, two engines,
// the collector and the alerts printer; a risky container started afterwards must be alerted on.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createContainer, docker, removeContainersByPrefix, NATS_IMAGE } from './harness/index.js';
import { packageRoot } from '../engine/src/index.js';

const PREFIX = 'vigil-compose-';
const IMAGES = ['vigil/engine:dev', 'vigil/collector:dev', NATS_IMAGE];

interface AlertLine {
  alert_id: string;
  rule_id: string;
  severity: string;
  host: string;
  subject: { kind: string; name: string };
}

describe('compose - the Vigil stack from deploy/compose', () => {
  const id = randomUUID().slice(0, 8);
  const project = `${PREFIX}${id}`;
  const file = path.join(packageRoot(), 'deploy', 'compose', 'docker-compose.yml');
  const env = { ...process.env, VIGIL_NATS_IMAGE: NATS_IMAGE, VIGIL_HOST: project };
  const compose = (...args: string[]): Promise<string> => run('docker-compose', ['-p', project, '-f', file, ...args], env);

  beforeAll(async () => {
    await run('docker-compose', ['version', '--short'], env).catch((error: unknown) => {
      throw new Error(`docker-compose is missing: install it with bash scripts/setup.sh --test (${String(error)})`);
    });
    for (const image of IMAGES) {
      await docker(['image', 'inspect', image]).catch(() => {
        throw new Error(`image ${image} is missing: build it with bash scripts/setup.sh --test`);
      });
    }
  });

  afterAll(async () => {
    await compose('down', '--volumes', '--remove-orphans', '--timeout', '5').catch(() => undefined);
    await removeContainersByPrefix(PREFIX).catch(() => undefined);
  }, 60_000);

  it('compose - every service runs hardened and a risky container started later raises its alert', async () => {
    await compose('up', '--detach');
    const containers = (await compose('ps', '--quiet')).split('\n').filter(Boolean);
    expect(containers).toHaveLength(5);

    // What Docker actually runs, per service.
    type Inspect = { Name: string; Config: { User: string }; HostConfig: { ReadonlyRootfs: boolean; CapDrop: string[] | null; CapAdd: string[] | null; SecurityOpt: string[] | null; Privileged: boolean; PidsLimit: number | null; Memory: number } };
    const inspected = JSON.parse(await docker(['inspect', ...containers])) as Inspect[];
    const byService = new Map(inspected.map((c) => [/_([a-z0-9-]+)_\d+$/.exec(c.Name)?.[1] ?? c.Name, c]));
    expect([...byService.keys()].sort()).toEqual(['alerts', 'collector', 'engine-1', 'engine-2', 'nats']);
    for (const [service, c] of byService) {
      expect({ service, readOnly: c.HostConfig.ReadonlyRootfs, privileged: c.HostConfig.Privileged }).toEqual({ service, readOnly: true, privileged: false });
      expect(c.HostConfig.CapDrop).toEqual(['ALL']);
      expect(c.HostConfig.SecurityOpt).toContain('no-new-privileges:true');
      expect(c.HostConfig.PidsLimit).toBeGreaterThan(0);
      expect(c.HostConfig.Memory).toBeGreaterThan(0);
    }
    for (const service of ['engine-1', 'engine-2', 'alerts']) expect(byService.get(service)?.Config.User).toBe('65532:65532');
    expect(byService.get('collector')?.HostConfig.CapAdd?.sort()).toEqual(['DAC_READ_SEARCH', 'SYS_PTRACE']);

    // Both engines up (they restart until NATS listens), then the risky container.
    await waitFor(async () => {
      const logs = await compose('logs', '--no-color', 'engine-1', 'engine-2');
      return (logs.match(/"msg":"engine started"/g) ?? []).length >= 2;
    }, 30_000, 'both engines started', compose);
    const risky = await createContainer({ name: `${project}-risky`, flags: ['--cap-add', 'SYS_ADMIN'] });

    let alerts: AlertLine[] = [];
    await waitFor(async () => {
      alerts = parseAlerts(await compose('logs', '--no-color', 'alerts'));
      return alerts.some((a) => a.subject.name === risky.name && a.rule_id === 'VGL-CTR-002');
    }, 60_000, `alert VGL-CTR-002 for ${risky.name}`, compose);
    const alert = alerts.find((a) => a.subject.name === risky.name && a.rule_id === 'VGL-CTR-002');
    expect(alert).toMatchObject({ severity: 'HIGH', host: project, subject: { kind: 'container' } });

    await compose('down', '--volumes', '--remove-orphans', '--timeout', '5');
    expect(await compose('ps', '--quiet')).toBe('');
    const volumes = await docker(['volume', 'ls', '--quiet', '--filter', `name=${project}_`]);
    expect(volumes).toBe('');
  }, 150_000);
});

/** JSON lines of `docker-compose logs alerts` ("alerts_1  | {...}"). */
function parseAlerts(logs: string): AlertLine[] {
  const alerts: AlertLine[] = [];
  for (const line of logs.split('\n')) {
    const json = line.slice(line.indexOf('{'));
    if (!json.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(json) as Partial<AlertLine>;
      // The service's own log lines are JSON too; alerts carry an alert id.
      if (typeof parsed.alert_id === 'string') alerts.push(parsed as AlertLine);
    } catch {
      // a log line split by docker-compose, or not an alert
    }
  }
  return alerts;
}

async function waitFor(done: () => Promise<boolean>, timeoutMs: number, what: string, compose: (...args: string[]) => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) {
      const logs = await compose('logs', '--no-color', '--tail', '10').catch((error: unknown) => String(error));
      throw new Error(`${what}: not within ${timeoutMs} ms; last logs:\n${logs}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || error.message}`, { cause: error }));
      else resolve(stdout.trim());
    });
  });
}
