import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { toPolicyInput } from '../../../proto/src/index.js';
import {
  DataStore,
  defaultBundlePath,
  distributionSubjects,
  packageRoot,
  PolicyEvaluator,
  readBundleFile,
  watchData,
  type DataEvent,
  type DataWatch,
  type RejectedDataEvent,
} from '../../src/index.js';
import { startLocalNats, type LocalNats } from '../../../test/harness/index.js';
import { withDataDocuments } from '../../src/distribution/data.js';
import { waitUntil } from './support.js';

const running: DataWatch[] = [];

function follow(watch: DataWatch): DataEvent[] {
  running.push(watch);
  const events: DataEvent[] = [];
  void (async () => {
    for await (const event of watch) events.push(event);
  })();
  return events;
}

const overlays = (events: DataEvent[]): unknown[] => events.filter((e) => e.type === 'loaded').map((e) => (e.type === 'loaded' ? e.overlay : undefined));

const exception = (name: string) => ({ rules: ['VGL-CTR-001'], scope: { container_name: name }, justification: 'test', expires: '2099-12-31' });

function vigil(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(packageRoot(), 'bin', 'vigil.js'), ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('data documents over NATS KV', () => {
  let nats: LocalNats;
  let nc: NatsConnection;
  let dir: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-dist-data-'));
    nats = await startLocalNats();
    nc = await connect({ servers: nats.url });
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((w) => w.stop()));
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('data - the watcher yields the overlay at start, from an empty bucket too, and again on each change', async () => {
    const bucket = 'data-empty';
    const events = follow(watchData({ nc, bucket }));
    await waitUntil('the first overlay', () => overlays(events), (o) => o.length >= 1);
    expect(overlays(events)).toEqual([{ vigil: {} }]);

    const store = await DataStore.open({ nc, bucket });
    await store.put('exceptions', JSON.stringify([exception('web')]));
    await waitUntil('the second overlay', () => overlays(events), (o) => o.length >= 2);
    expect(overlays(events)[1]).toEqual({ vigil: { exceptions: [exception('web')] } });
    expect(events[1]).toMatchObject({ type: 'loaded', changed: ['exceptions'] });

    await store.put('config', '{"require_sandboxed_runtime": true}');
    await waitUntil('the third overlay', () => overlays(events), (o) => o.length >= 3);
    expect(overlays(events)[2]).toEqual({ vigil: { config: { require_sandboxed_runtime: true }, exceptions: [exception('web')] } });
  });

  it('data - documents already in the bucket make up the first overlay', async () => {
    const bucket = 'data-filled';
    const store = await DataStore.open({ nc, bucket });
    await store.put('exceptions', JSON.stringify([exception('old')]));
    await store.put('exceptions', JSON.stringify([exception('db')])); // only the latest counts
    await store.put('vulnerabilities', '[]');
    const events = follow(watchData({ nc, bucket }));
    await waitUntil('the first overlay', () => events, (e) => e.length >= 1);
    expect(events).toEqual([
      { type: 'loaded', overlay: { vigil: { exceptions: [exception('db')], vulnerabilities: [] } }, revision: 3, changed: ['exceptions', 'vulnerabilities'] },
    ]);
    // Nothing replayed after the snapshot.
    await new Promise((r) => setTimeout(r, 300));
    expect(events).toHaveLength(1);
  });

  it('data - a bad document is rejected and published, and the key keeps its previous value', async () => {
    const bucket = 'data-bad';
    const published: RejectedDataEvent[] = [];
    const sub = nc.subscribe(distributionSubjects.dataRejected, { callback: (_e, m) => void published.push(m.json<RejectedDataEvent>()) });
    const store = await DataStore.open({ nc, bucket });
    await store.put('exceptions', JSON.stringify([exception('web')]));
    const events = follow(watchData({ nc, bucket }));
    await waitUntil('the first overlay', () => events, (e) => e.length >= 1);

    // Written straight to the KV, as a careless tool would: DataStore.put refuses it.
    const kv = await new Kvm(nc).open(bucket);
    const badRevision = await kv.put('exceptions', '[{"rules": ["VGL-CTR-001"],');
    await kv.put('profiles', '["not", "an", "object"]');
    await kv.put('lib', '{}');
    await store.put('config', '{"max_restart_retries": 3}');
    await waitUntil('four more events', () => events, (e) => e.length >= 5);

    expect(events.slice(1, 4).map((e) => (e.type === 'rejected' ? `${e.key}: ${e.code}` : e.type))).toEqual([
      'exceptions: VIGIL_ERR_DATA_INVALID',
      'profiles: VIGIL_ERR_DATA_INVALID',
      'lib: VIGIL_ERR_DATA_INVALID',
    ]);
    expect(events[1]).toMatchObject({ revision: badRevision, error: expect.stringContaining('data document exceptions is invalid: not JSON') });
    expect(events[2]).toMatchObject({ error: 'VIGIL_ERR_DATA_INVALID: data document profiles is invalid: expected a JSON object (actual: array)' });
    expect(events[3]).toMatchObject({ error: expect.stringContaining('unknown document; expected one of config, exceptions, profiles, vulnerabilities') });
    // The next good change carries the exceptions from before the bad write.
    expect(events[4]).toEqual({
      type: 'loaded',
      overlay: { vigil: { config: { max_restart_retries: 3 }, exceptions: [exception('web')] } },
      revision: expect.any(Number),
      changed: ['config'],
    });

    const seen = await waitUntil('the published rejections', () => published, (p) => p.length >= 3);
    expect(seen.map((p) => `${p.bucket}/${p.key}`)).toEqual([`${bucket}/exceptions`, `${bucket}/profiles`, `${bucket}/lib`]);
    expect(seen[0]).toMatchObject({ code: 'VIGIL_ERR_DATA_INVALID', revision: badRevision });
    sub.unsubscribe();

    await expect(store.put('exceptions', '{')).rejects.toThrow('data document exceptions is invalid: not JSON');
  });

  it('data - KV documents replace the operator overlay document by document, keeping the rest of it', () => {
    const operator = { vigil: { exceptions: [{ rule: 'A' }], config: { x: 1 } }, other: true };
    expect(withDataDocuments(operator, { vigil: { exceptions: [{ rule: 'B' }] } })).toEqual({
      vigil: { exceptions: [{ rule: 'B' }], config: { x: 1 } },
      other: true,
    });
    expect(withDataDocuments({}, { vigil: {} })).toEqual({ vigil: {} });
  });

  it('data - concurrent updates of one document compare and set: none is lost, a refused change writes nothing', async () => {
    const bucket = 'data-cas';
    const [a, b] = await Promise.all([DataStore.open({ nc, bucket }), DataStore.open({ nc, bucket })]);
    const append = (store: DataStore, name: string) => store.update('exceptions', (current) => JSON.stringify([...((current as unknown[] | undefined) ?? []), exception(name)]));
    await Promise.all(Array.from({ length: 12 }, (_, i) => append(i % 2 === 0 ? a : b, `c${i}`)));
    const names = ((await a.get('exceptions'))!.value as Array<{ scope: { container_name: string } }>).map((e) => e.scope.container_name).sort();
    expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `c${i}`).sort());
    const before = (await a.get('exceptions'))!.revision;
    await expect(a.update('exceptions', () => '{"not": "a list"')).rejects.toThrow(/exceptions is invalid/);
    expect(await a.update('exceptions', () => undefined)).toBeUndefined();
    expect((await a.get('exceptions'))!.revision).toBe(before);
  });

  it('data - a deleted document leaves the overlay', async () => {
    const bucket = 'data-delete';
    const store = await DataStore.open({ nc, bucket });
    await store.put('exceptions', JSON.stringify([exception('web')]));
    await store.put('profiles', '{}');
    const events = follow(watchData({ nc, bucket }));
    await waitUntil('the first overlay', () => events, (e) => e.length >= 1);
    await store.delete('exceptions');
    await waitUntil('the overlay without exceptions', () => overlays(events), (o) => o.length >= 2);
    expect(overlays(events)[1]).toEqual({ vigil: { profiles: {} } });
    expect(await store.keys()).toEqual(['profiles']);
  });

  it('data - an exception from the KV overlay silences the finding it names', async () => {
    const bucket = 'data-effect';
    const store = await DataStore.open({ nc, bucket });
    await store.put('exceptions', JSON.stringify([exception('web')]));
    const events = follow(watchData({ nc, bucket }));
    await waitUntil('the first overlay', () => overlays(events), (o) => o.length >= 1);
    const first = events[0];
    if (first?.type !== 'loaded') throw new Error(`expected an overlay, got ${JSON.stringify(first)}`);

    const bundle = await readBundleFile(defaultBundlePath());
    const fact = (name: string) => toPolicyInput({ container: { id: `id-${name}`, name, image: 'busybox', privileged: true } });
    const ids = (evaluator: PolicyEvaluator, name: string) => evaluator.evaluate(fact(name), 'container').map((h) => h.rule.id);
    const plain = await PolicyEvaluator.load(bundle);
    const overlaid = await PolicyEvaluator.load(bundle, first.overlay as unknown as Record<string, unknown>);
    expect(ids(plain, 'web')).toContain('VGL-CTR-001');
    expect(ids(overlaid, 'web')).not.toContain('VGL-CTR-001');
    expect(ids(overlaid, 'db')).toContain('VGL-CTR-001');
  });

  it('data - vigil policy data put, get, list and delete', async () => {
    const good = path.join(dir, 'exceptions.json');
    const bad = path.join(dir, 'bad.json');
    await fs.writeFile(good, JSON.stringify([exception('cli')]));
    await fs.writeFile(bad, '{"rules": ');
    const put = await vigil(['policy', 'data', 'put', 'exceptions', good, '--nats', nats.url]);
    expect(put).toMatchObject({ code: 0, stderr: '' });
    expect(put.stdout).toMatch(/^data\.vigil\.exceptions set \(revision \d+\)\n$/);
    const get = await vigil(['policy', 'data', 'get', 'exceptions', '--nats', nats.url]);
    expect(get).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(get.stdout)).toEqual([exception('cli')]);

    const refused = await vigil(['policy', 'data', 'put', 'exceptions', bad, '--nats', nats.url]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('data document exceptions is invalid: not JSON');
    expect(JSON.parse((await vigil(['policy', 'data', 'get', 'exceptions', '--nats', nats.url])).stdout)).toEqual([exception('cli')]);

    expect((await vigil(['policy', 'data', 'list', '--nats', nats.url])).stdout).toBe('exceptions\n');
    await vigil(['policy', 'data', 'delete', 'exceptions', '--nats', nats.url]);
    const gone = await vigil(['policy', 'data', 'get', 'exceptions', '--nats', nats.url]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain('vigil-data holds no document exceptions');
  });
});
