import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FactInit } from '../../../proto/src/index.js';
import type { FactSink } from '../../src/sink.js';
import { startHostCollector } from '../../src/host/index.js';
import { FixtureRoot } from './fixture.js';

/** A sink that keeps what it is given; `failures` first publishes are refused. */
class RecordingSink implements FactSink {
  readonly facts: FactInit[] = [];
  constructor(private failures = 0) {}
  async publish(fact: FactInit): Promise<void> {
    if (this.failures-- > 0) throw new Error('sink refused');
    this.facts.push(fact);
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('host collector - polling publisher', () => {
  let fixture: FixtureRoot;

  beforeAll(async () => {
    fixture = await FixtureRoot.create();
    await fixture.process(300, 'dockerd', ['dockerd']);
    await fixture.file('/etc/docker/daemon.json', '{ "icc": true }');
  });

  afterAll(async () => {
    await fixture.remove();
  });

  it('collector - publishes at start, again only when the fact changes, never after stop', async () => {
    const sink = new RecordingSink();
    const warnings: object[] = [];
    const collector = startHostCollector({
      hostRoot: fixture.root,
      sink,
      intervalMs: 40,
      timeoutMs: 500,
      logger: { warn: (details) => warnings.push(details), error: (details) => warnings.push(details) },
    });
    try {
      await until(() => sink.facts.length === 1, 'the first publish');
      expect(sink.facts[0]?.host?.daemon?.icc).toBe(true);
      await sleep(200); // several polls, nothing changed
      expect(sink.facts).toHaveLength(1);
      expect(warnings).toHaveLength(1); // the unreachable socket, reported once

      await fixture.file('/etc/docker/daemon.json', '{ "icc": false }');
      await until(() => sink.facts.length === 2, 'a publish after daemon.json changed');
      expect(sink.facts[1]?.host?.daemon?.icc).toBe(false);
    } finally {
      await collector.stop();
    }
    await fixture.file('/etc/docker/daemon.json', '{ "icc": true, "live-restore": true }');
    await sleep(150);
    expect(sink.facts).toHaveLength(2);
  });

  it('collector - a sink failure is logged and the fact is published at the next poll', async () => {
    const sink = new RecordingSink(2);
    const errors: object[] = [];
    const collector = startHostCollector({
      hostRoot: fixture.root,
      sink,
      intervalMs: 30,
      timeoutMs: 500,
      logger: { warn: () => undefined, error: (details) => errors.push(details) },
    });
    try {
      await until(() => sink.facts.length === 1, 'a publish after two refusals');
      expect(errors).toHaveLength(2);
      expect(sink.facts[0]?.host?.daemon?.command_line).toEqual(['dockerd']);
    } finally {
      await collector.stop();
    }
  });
});
