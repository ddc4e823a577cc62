import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import pino from 'pino';
import { createFactSink } from '../collectors/src/index.js';
import { defaultBundlePath, PolicyEvaluator, readBundleFile, startEngine } from '../engine/src/index.js';
import { decodeAlert, decodeDeadLetter, decodeVerdict, ensureStreams, streams, subjects } from '../proto/src/index.js';
import { startLocalNats, type LocalNats } from './harness/index.js';
import { collectMessages } from './support/collect.js';

const logger = pino({ level: 'silent' });

const privileged = (name: string) => ({ container: { id: `id-${name}`, name, image: 'busybox', privileged: true, capabilities: ['ALL'] } });

describe('engine over NATS', () => {
  let nats: LocalNats;
  let nc: NatsConnection;
  let evaluator: PolicyEvaluator;

  beforeAll(async () => {
    nats = await startLocalNats();
    nc = await connect({ servers: nats.url });
    await ensureStreams(nc);
    evaluator = await PolicyEvaluator.load(await readBundleFile(defaultBundlePath()));
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  it('engine - a privileged container fact yields a verdict and a CIS 5.5 alert', async () => {
    const verdicts = collectMessages(nc, subjects.allVerdicts, decodeVerdict);
    const alerts = collectMessages(nc, subjects.allAlerts, decodeAlert);
    const engine = await startEngine({ nc, evaluator, logger });
    const sink = createFactSink({ nc, source: { host: 'node-a', collector: 'test', version: '0' } });
    await sink.publish(privileged('web'));
    await sink.flush();

    const [verdict] = await verdicts.next(1);
    expect(verdict?.kind).toBe('container');
    expect(verdict?.subject?.name).toBe('web');
    expect(verdict?.findings.map((f) => f.rule_id)).toContain('VGL-CTR-001');
    const received = await alerts.until((all) => all.some((a) => a.finding?.rule_id === 'VGL-CTR-001'));
    const alert = received.find((a) => a.finding?.rule_id === 'VGL-CTR-001');
    expect(alert?.finding?.frameworks?.['cis-docker']?.ids).toContain('5.5');
    expect(alert?.source?.host).toBe('node-a');
    await engine.stop();
    verdicts.stop();
    alerts.stop();
  });

  it('engine - an undecodable message goes to the dead-letter subject and the engine carries on', async () => {
    const letters = collectMessages(nc, subjects.allDeadLetters, decodeDeadLetter);
    const verdicts = collectMessages(nc, subjects.allVerdicts, decodeVerdict);
    const engine = await startEngine({ nc, evaluator, logger });
    const js = (await jetstreamManager(nc)).jetstream();
    await js.publish(subjects.facts('container', 'node-b'), new Uint8Array([0xff, 0xff, 0xff, 0x07, 0x01]));
    const sink = createFactSink({ nc, source: { host: 'node-b', collector: 'test', version: '0' } });
    await sink.publish(privileged('after-garbage'));
    await sink.flush();

    const [letter] = await letters.next(1);
    expect(letter?.reason).toBe('decode');
    expect(letter?.subject).toBe('vigil.facts.container.node-b');
    expect(Array.from(letter?.payload ?? [])).toEqual([0xff, 0xff, 0xff, 0x07, 0x01]);
    const got = await verdicts.until((all) => all.some((v) => v.subject?.name === 'after-garbage'));
    expect(got.length).toBeGreaterThan(0);
    await engine.stop();
    letters.stop();
    verdicts.stop();
  });

  it('engine - facts published while the engine is down all get verdicts when it returns', async () => {
    const sink = createFactSink({ nc, source: { host: 'node-c', collector: 'test', version: '0' }, maxBatch: 7 });
    const count = 50;
    for (let i = 0; i < count; i++) await sink.publish(privileged(`offline-${i}`));
    await sink.flush();
    const jsm = await jetstreamManager(nc);
    const pending = (await jsm.consumers.info(streams.facts.name, 'vigil-engine')).num_pending;
    expect(pending).toBeGreaterThan(0);

    const verdicts = collectMessages(nc, subjects.verdicts('container', 'node-c'), decodeVerdict);
    const engine = await startEngine({ nc, evaluator, logger });
    const got = await verdicts.next(count);
    expect(new Set(got.map((v) => v.subject?.name)).size).toBe(count);
    await engine.stop();
    verdicts.stop();
  });
});
