import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import { alertId, readBundleFile, defaultBundlePath } from '../engine/src/index.js';
import { decodeAlert, decodeVerdict, encodeFactBatch, ensureStreams, streams, subjects, type Alert, type FactInit, type Verdict } from '../proto/src/index.js';
import { freePort } from './harness/index.js';
import { collectMessages } from './support/collect.js';
import { spawnEngine, waitForEngines, eventually, readStream, type EngineProcess } from './support/engine-fleet.js';
import { useLocalNats } from './support/local-nats.js';

const run = promisify(execFile);

/** `vigil engine` as operators run it: ops endpoint, alert throttle, bundles deployed through NATS. */
describe('vigil engine - service', () => {
  const server = useLocalNats({ streams: true });
  let engine: EngineProcess | undefined;
  let scratch: string;

  beforeAll(async () => {
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-engine-service-'));
  });
  afterEach(async () => {
    await engine?.stop();
    engine = undefined;
  });
  afterAll(async () => {
    await fs.rm(scratch, { recursive: true, force: true });
  });

  const privileged = (id: string, name = 'storm'): FactInit => ({
    id,
    source: { host: 'svc-host', collector: 'test', version: '0' },
    container: { id: `c-${name}`, name, image: 'busybox', privileged: true },
  });
  /** The VGL-CTR-001 alerts the stream holds for one container. */
  const privilegedAlertsOf = async (name: string): Promise<Alert[]> => {
    const found: Alert[] = [];
    await readStream(server.nc, streams.alerts.name, (data) => {
      const alert = decodeAlert(data);
      if (alert.finding?.rule_id === 'VGL-CTR-001' && alert.finding.subject?.name === name) found.push(alert);
      return alert.id;
    });
    return found;
  };
  const publish = (facts: FactInit[]) => jetstream(server.nc).publish(subjects.facts('container', 'svc-host'), encodeFactBatch({ facts }));

  it('vigil engine - /healthz, /readyz and /metrics with facts, evaluation latency, alerts by severity and the bundle revision', async () => {
    const port = await freePort();
    engine = spawnEngine(server.nats.url, ['--metrics-port', String(port)]);
    const base = `http://127.0.0.1:${port}`;
    await eventually('the ops endpoint to be ready', async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200, 30_000);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/nothing`)).status).toBe(404);

    await publish([privileged('m-1', 'metrics-a'), privileged('m-2', 'metrics-b')]);
    const revision = (await readBundleFile(defaultBundlePath())).revision;
    let text = '';
    // Facts are counted when judged, alerts when the throttle has claimed and published them: a scrape can fall between.
    await eventually('facts and their alerts counted in /metrics', async () => {
      text = await (await fetch(`${base}/metrics`)).text();
      return /^vigil_engine_facts_total\{kind="container"\} 2$/m.test(text) && /^vigil_engine_alerts_total\{severity="CRITICAL"\} [1-9]/m.test(text);
    }, 20_000);
    expect(text).toMatch(/^vigil_engine_evaluation_seconds_count\{kind="container"\} [1-9]/m);
    expect(text).toContain(`vigil_engine_bundle_info{name="default",revision="${revision}"} 1`);
    expect(text).toMatch(/^vigil_engine_consumer_pending /m);
  }, 60_000);

  // One durable consumer for the whole suite: a new one would judge again every fact VIGIL_FACTS keeps.
  it('vigil engine - a storm of one rule on one container gives one alert at once and one aggregate with the count', async () => {
    const alerts = collectMessages<Alert>(server.nc, subjects.allAlerts, decodeAlert);
    engine = spawnEngine(server.nats.url, ['--alert-window', '1500']);
    await publish(Array.from({ length: 5 }, (_, i) => privileged(`t-${i}`)));
    const ctr001 = (all: Alert[]) => all.filter((a) => a.finding?.rule_id === 'VGL-CTR-001' && a.finding?.subject?.name === 'storm');
    const got = ctr001(await alerts.until((all) => ctr001(all).length >= 2, 20_000));
    alerts.stop();
    expect(got.map((a) => a.count)).toEqual([1, 4]);
    expect(got[0]!.fact_id).toBe('t-0');
    expect(Number(got[1]!.last_seen_ms)).toBeGreaterThanOrEqual(Number(got[1]!.first_seen_ms));
    expect(got[1]!.id).not.toBe(got[0]!.id);
  }, 60_000);

  it('vigil engine - two replicas share one storm: one alert between them, their aggregates count every occurrence', async () => {
    const ports = [await freePort(), await freePort()];
    const replicas = ports.map((port) => spawnEngine(server.nats.url, ['--alert-window', '3000', '--metrics-port', String(port)]));
    try {
      await waitForEngines(await ensureStreams(server.nc), replicas);
      const total = 300;
      // One observation time for all: the whole storm falls in one throttle window.
      const at = Date.now();
      for (let i = 0; i < total; i += 10) {
        await Promise.all(Array.from({ length: 10 }, (_, j) => publish([{ ...privileged(`fleet-${i + j}`, 'fleet-storm'), observed_at_ms: at }])));
        await new Promise((r) => setTimeout(r, 10));
      }
      const factsJudged = async (port: number): Promise<number> => {
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        return Number(/^vigil_engine_facts_total\{kind="container"\} (\d+)$/m.exec(text)?.[1] ?? 0);
      };
      const stormAlerts = () => privilegedAlertsOf('fleet-storm');
      let alerts: Alert[] = [];
      await eventually('aggregates counting the whole storm', async () => {
        alerts = await stormAlerts();
        return alerts.reduce((sum, a) => sum + Number(a.count), 0) >= total;
      }, 60_000);
      const judged = await Promise.all(ports.map(factsJudged));
      expect(judged.every((n) => n > 0)).toBe(true);
      expect(judged[0]! + judged[1]!).toBe(total);
      const firsts = alerts.filter((a) => a.id === alertId(a.fact_id, a.finding!));
      expect(firsts).toHaveLength(1);
      expect(alerts.reduce((sum, a) => sum + Number(a.count), 0)).toBe(total);
      // One first alert plus at most one aggregate per replica for the window.
      expect(alerts.length).toBeLessThanOrEqual(3);
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
    }
  }, 120_000);

  it('vigil engine - killed (SIGKILL) inside a throttle window after acking the storm: the engine that takes over publishes its aggregate', async () => {
    const crashed = spawnEngine(server.nats.url, ['--alert-window', '5000']);
    let successor: EngineProcess | undefined;
    try {
      const jsm = await ensureStreams(server.nc);
      await waitForEngines(jsm, [crashed]);
      const total = 60;
      const at = Date.now();
      await Promise.all(Array.from({ length: total }, (_, i) => publish([{ ...privileged(`crash-${i}`, 'crash-storm'), observed_at_ms: at + i }])));
      const stormAlerts = () => privilegedAlertsOf('crash-storm');
      // Acked means judged, published, and the repeats' count checkpointed.
      await eventually('every storm fact acked', async () => {
        const info = await jsm.consumers.info(streams.facts.name, 'vigil-engine');
        return info.num_pending === 0 && info.num_ack_pending === 0;
      }, 20_000);
      crashed.crash();
      const beforeCrash = await stormAlerts();
      expect(beforeCrash.map((a) => a.count)).toEqual([1]);
      successor = spawnEngine(server.nats.url, ['--alert-window', '5000']);
      let alerts: Alert[] = [];
      await eventually('the crashed engine\'s aggregate, published by its successor', async () => {
        alerts = await stormAlerts();
        return alerts.length === 2;
      }, 90_000);
      expect(alerts.map((a) => a.count)).toEqual([1, total - 1]);
    } finally {
      crashed.crash();
      await successor?.stop();
    }
  }, 150_000);

  it('vigil engine - a bundle pushed to the Object Store under load is deployed: every fact judged once by one whole bundle, none dropped', async () => {
    const next = path.join(scratch, 'next.tar.gz');
    // The same policies with the incubating rules: another revision, more rules.
    await run(process.execPath, [path.resolve('bin', 'vigil.js'), 'policy', 'build', '--include-incubating', '--output', next, '--quiet'], { timeout: 180_000 });
    const before = (await readBundleFile(defaultBundlePath())).revision;
    const after = (await readBundleFile(next)).revision;
    expect(after).not.toBe(before);

    const verdicts = collectMessages<Verdict>(server.nc, subjects.allVerdicts, decodeVerdict);
    engine = spawnEngine(server.nats.url, ['--follow-bundle', 'default']);
    const jsm = await ensureStreams(server.nc);
    await waitForEngines(jsm, [engine]);

    const total = 3_000;
    let sent = 0;
    const pushed = (async () => {
      while (sent < total / 3) await new Promise((r) => setTimeout(r, 20));
      await run(process.execPath, [path.resolve('bin', 'vigil.js'), 'policy', 'push', next, '--nats', server.nats.url], { timeout: 60_000 });
    })();
    while (sent < total) {
      await publish(Array.from({ length: 50 }, (_, i) => privileged(`s-${sent + i}`, `swap-${(sent + i) % 7}`)));
      sent += 50;
      await new Promise((r) => setTimeout(r, 15));
    }
    await pushed;
    // Facts after the push, so some are certainly judged by the new bundle.
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 300));
      await publish([privileged(`late-${i}`, 'late')]);
    }
    const seen = await verdicts.until((all) => new Set(all.map((v) => v.fact_id)).size >= total + 10, 120_000);
    verdicts.stop();
    const byFact = new Map<string, string[]>();
    for (const v of seen) byFact.set(v.fact_id, [...(byFact.get(v.fact_id) ?? []), v.bundle_revision]);
    expect(byFact.size).toBe(total + 10);
    expect([...byFact.values()].filter((revs) => revs.length !== 1)).toEqual([]);
    expect(new Set(seen.map((v) => v.bundle_revision))).toEqual(new Set([before, after]));
    expect(byFact.get('late-9')).toEqual([after]);
    expect(seen.every((v) => v.error === '')).toBe(true);
  }, 300_000);

  it('vigil engine - an alert window longer than the alert stream\'s duplicate window is refused at start, with the bound', async () => {
    const result = await run(process.execPath, [path.resolve('bin', 'vigil.js'), 'engine', '--nats', server.nats.url, '--alert-window', '3600000'], { timeout: 60_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("an alert window of at most 600000 ms, the VIGIL_ALERTS stream's duplicate window");
    expect(result.stderr).toContain('(actual: 3600000 ms)');
  }, 60_000);
});
