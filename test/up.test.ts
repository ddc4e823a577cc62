import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AlertJSON } from '../proto/src/index.js';
import { startNats, type ContainerNats } from './harness/index.js';
import { createRiskySet, RISKY, type RiskySet } from './support/risky-containers.js';
import { spawnVigilUp } from './support/vigil-process.js';

const rulesFor = (alerts: AlertJSON[], name: string): string[] =>
  [...new Set(alerts.filter((a) => a.subject.kind === 'container' && a.subject.name === name).map((a) => a.rule_id))].sort();

describe('vigil up end to end', () => {
  let nats: ContainerNats;
  let set: RiskySet;

  beforeAll(async () => {
    nats = await startNats();
    set = await createRiskySet('up');
  }, 120_000);

  afterAll(async () => {
    await set?.remove();
    await nats?.stop();
  });

  it('up - alerts for each risky container arrive on NATS, none high for the hardened one', async () => {
    const up = spawnVigilUp(['--nats', nats.url, '--collectors', 'container,host']);
    try {
      await up.waitFor((alerts) => Object.entries(RISKY).every(([key, spec]) => rulesFor(alerts, set.names[key as keyof typeof RISKY]).includes(spec.expect)), 30_000);
      for (const [key, spec] of Object.entries(RISKY)) {
        const alerts = up.alerts.filter((a) => a.subject.name === set.names[key as keyof typeof RISKY] && a.rule_id === spec.expect);
        expect(alerts.length).toBe(1);
        expect(alerts[0]?.host.length).toBeGreaterThan(0);
        expect(alerts[0]?.frameworks).toEqual(expect.any(Object));
      }
      const hardened = up.alerts.filter((a) => a.subject.name === set.names.hardened);
      expect(hardened.filter((a) => a.severity === 'HIGH' || a.severity === 'CRITICAL')).toEqual([]);
      expect(rulesFor(up.alerts, set.names.untrusted_runsc)).not.toContain('VGL-CTR-012');
      await up.waitFor((alerts) => alerts.some((a) => a.subject.kind === 'host'), 15_000);
    } finally {
      expect(await up.stop()).toBe(0);
    }
  }, 60_000);

  it('up - with no --nats it starts its own server and shows this host’s alerts within 10 s', async () => {
    const started = Date.now();
    const up = spawnVigilUp(['--collectors', 'container']);
    try {
      await up.waitFor((alerts) => rulesFor(alerts, set.names.privileged).includes('VGL-CTR-001'), 10_000);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(up.stderr()).toContain('started embedded nats-server');
    } finally {
      expect(await up.stop()).toBe(0);
    }
  }, 30_000);
});
