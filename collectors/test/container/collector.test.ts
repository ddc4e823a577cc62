import { describe, it, expect } from '@jest/globals';
import type { FactInit } from '../../../proto/src/index.js';
import type { FactSink } from '../../src/sink.js';
import {
  DockerDiskSource,
  startContainerCollector,
  type ContainerEvent,
  type ContainerFactInit,
  type ContainerListing,
  type ContainerLogger,
  type ContainerSource,
  type ContainerWatch,
} from '../../src/container/index.js';
import { fixturePath } from './fixtures.js';

/** A scripted source: this module's unit test drives the collector through the port. */
class ScriptedSource implements ContainerSource {
  readonly name: string;
  listing: ContainerListing | Error;
  emit: (event: ContainerEvent) => void = () => {};
  watchStopped = false;
  closed = false;
  lists = 0;
  constructor(name: string, listing: ContainerListing | Error) {
    this.name = name;
    this.listing = listing;
  }
  async list(): Promise<ContainerListing> {
    this.lists++;
    if (this.listing instanceof Error) throw this.listing;
    return this.listing;
  }
  watch(onEvent: (event: ContainerEvent) => void): ContainerWatch {
    this.emit = onEvent;
    return { stop: async () => void (this.watchStopped = true) };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

class MemorySink implements FactSink {
  readonly facts: FactInit[] = [];
  failNext = 0;
  async publish(fact: FactInit): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('sink down');
    }
    this.facts.push(fact);
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
  names(): string[] {
    return this.facts.map((fact) => fact.container?.name ?? '?');
  }
}

class MemoryLogger implements ContainerLogger {
  readonly lines: Array<{ level: string; msg?: string; obj: Record<string, unknown> }> = [];
  info(obj: Record<string, unknown>, msg?: string): void { this.lines.push({ level: 'info', obj, msg }); }
  warn(obj: Record<string, unknown>, msg?: string): void { this.lines.push({ level: 'warn', obj, msg }); }
  error(obj: Record<string, unknown>, msg?: string): void { this.lines.push({ level: 'error', obj, msg }); }
  debug(obj: Record<string, unknown>, msg?: string): void { this.lines.push({ level: 'debug', obj, msg }); }
}

const fact = (id: string, extra: Partial<ContainerFactInit> = {}): ContainerFactInit => ({ id, name: id, state: 'running', ...extra });
const tick = (ms = 20): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('collector - container collector', () => {
  it('publishes every container on start, then only real changes, and every exec', async () => {
    const source = new ScriptedSource('scripted', { facts: [fact('a'), fact('b')], failures: [] });
    const sink = new MemorySink();
    const collector = startContainerCollector({ sources: [source], sink, intervalMs: 60_000 });
    await tick();
    expect(sink.facts).toEqual([{ container: fact('a') }, { container: fact('b') }]);

    source.emit({ action: 'update', id: 'a', fact: fact('a'), time_ms: 1 });
    source.emit({ action: 'die', id: 'b', fact: fact('b', { state: 'exited' }), time_ms: 2 });
    source.emit({ action: 'exec_start', id: 'a', fact: fact('a', { exec_command: ['sh'] }), time_ms: 3 });
    source.emit({ action: 'exec_start', id: 'a', fact: fact('a', { exec_command: ['sh'] }), time_ms: 4 });
    source.emit({ action: 'destroy', id: 'b', time_ms: 5 });
    source.emit({ action: 'create', id: 'b', fact: fact('b', { state: 'exited' }), time_ms: 6 });
    await tick();
    expect(sink.facts.slice(2).map((f) => [f.container?.id, f.container?.state, f.container?.exec_command ?? []])).toEqual([
      ['b', 'exited', []],
      ['a', 'running', ['sh']],
      ['a', 'running', ['sh']],
      ['b', 'exited', []], // destroyed then seen again: published again
    ]);
    await collector.stop();
    expect(source.watchStopped).toBe(true);
    expect(source.closed).toBe(true);
    source.emit({ action: 'start', id: 'c', fact: fact('c'), time_ms: 7 });
    await tick();
    expect(sink.names()).not.toContain('c');
  });

  it('publishes everything again every interval, changed or not', async () => {
    const source = new ScriptedSource('scripted', { facts: [fact('a')], failures: [] });
    const sink = new MemorySink();
    const collector = startContainerCollector({ sources: [source], sink, intervalMs: 40 });
    await tick(150);
    await collector.stop();
    expect(source.lists).toBeGreaterThanOrEqual(3);
    expect(sink.facts.length).toBe(source.lists);
  });

  it('a resync event makes it list again and publish what changed meanwhile', async () => {
    const source = new ScriptedSource('scripted', { facts: [fact('a')], failures: [] });
    const sink = new MemorySink();
    const collector = startContainerCollector({ sources: [source], sink, intervalMs: 60_000 });
    await tick();
    source.listing = { facts: [fact('a'), fact('new')], failures: [] };
    source.emit({ action: 'resync', id: '', time_ms: 1 });
    await tick();
    await collector.stop();
    expect(sink.names()).toEqual(['a', 'new']);
  });

  it('never crashes: a failing source, failing containers and a failing sink are logged', async () => {
    const broken = new ScriptedSource('broken', new Error('socket gone'));
    const partial = new ScriptedSource('partial', {
      facts: [fact('ok')],
      failures: [{ id: 'bad', path: '/x/config.v2.json', code: 'VIGIL_ERR_CONTAINER_DISK_MALFORMED', message: 'half written' }],
    });
    const throwingWatch: ContainerSource = {
      name: 'throwing-watch',
      list: async () => ({ facts: [], failures: [] }),
      watch: () => {
        throw new Error('cannot watch');
      },
    };
    const sink = new MemorySink();
    sink.failNext = 1;
    const logger = new MemoryLogger();
    const collector = startContainerCollector({ sources: [broken, partial, throwingWatch], sink, intervalMs: 40, logger });
    await tick(120);
    await collector.stop();
    const messages = logger.lines.map((line) => `${line.level} ${line.msg} ${JSON.stringify(line.obj)}`);
    // Three sweeps failed the same way: said once.
    expect(messages.filter((m) => m.startsWith('error container listing failed') && m.includes('socket gone'))).toHaveLength(1);
    expect(messages.some((m) => m.startsWith('warn container not read') && m.includes('/x/config.v2.json'))).toBe(true);
    expect(messages.some((m) => m.startsWith('error container watch not started'))).toBe(true);
    expect(messages.some((m) => m.startsWith('error container fact not published') && m.includes('sink down'))).toBe(true);
    // The fact the sink refused was published on a later round.
    expect(sink.names()).toContain('ok');
  });

  it('rejects a nonsensical interval', () => {
    expect(() => startContainerCollector({ sources: [], sink: new MemorySink(), intervalMs: 0 })).toThrow(
      /VIGIL_ERR_CONTAINER_CONFIG: .*expected intervalMs > 0 \(actual: 0\)/,
    );
  });

  it('runs the on-disk source end to end', async () => {
    const sink = new MemorySink();
    const logger = new MemoryLogger();
    const collector = startContainerCollector({
      sources: [new DockerDiskSource({ hostRoot: fixturePath('docker-root'), rescanMs: 1_000 })],
      sink,
      logger,
    });
    await tick(200);
    await collector.stop();
    expect(sink.names().sort()).toEqual(['vigil-ctest-fx-hard', 'vigil-ctest-fx-legacy', 'vigil-ctest-fx-priv']);
    expect(logger.lines.filter((line) => line.level === 'warn').map((line) => line.obj.container)).toContain('f'.repeat(64));
  });
});
