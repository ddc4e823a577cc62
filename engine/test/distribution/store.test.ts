import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { NatsConnection } from '@nats-io/nats-core';
import { Objm } from '@nats-io/obj';
import { connect } from '@nats-io/transport-node';
import {
  BUNDLE_BUCKET,
  BUNDLE_HISTORY,
  BundleStore,
  buildBundle,
  distributionSubjects,
  loadVerifier,
  packageRoot,
  watchBundles,
  type BundleEvent,
  type BundleVerifier,
  type BundleWatch,
  type RejectedBundleEvent,
} from '../../src/index.js';
import { startLocalNats, type LocalNats } from '../../../test/harness/index.js';
import { makeKeys, repack, waitUntil, type TestKeys } from './support.js';

interface Cli {
  code: number;
  stdout: string;
  stderr: string;
}

function vigil(args: string[]): Promise<Cli> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(packageRoot(), 'bin', 'vigil.js'), ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const running: BundleWatch[] = [];

/** Runs a watcher in the background, keeping every event. */
function follow(watch: BundleWatch): { events: BundleEvent[]; stop: () => Promise<void> } {
  running.push(watch);
  const events: BundleEvent[] = [];
  const done = (async () => {
    for await (const event of watch) events.push(event);
  })();
  return {
    events,
    stop: async () => {
      await watch.stop();
      await done;
    },
  };
}

const summary = (events: BundleEvent[]): string[] =>
  events.map((e) => (e.type === 'loaded' ? `loaded ${e.revision}` : e.type === 'removed' ? `removed ${e.name}` : `rejected ${e.code}`));

describe('bundle distribution over NATS', () => {
  let dir: string;
  let keys: TestKeys;
  let nats: LocalNats;
  let nc: NatsConnection;
  let store: BundleStore;
  let verifier: BundleVerifier;
  const bundles = { a: '', b: '', unsigned: '', tampered: '' };
  const revisions = { a: '', b: '' };

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-dist-store-'));
    keys = await makeKeys(dir);
    nats = await startLocalNats();
    nc = await connect({ servers: nats.url });
    store = await BundleStore.open({ nc });
    verifier = await loadVerifier({ keyFile: keys.rsaPublic, algorithm: 'RS256' });
    const policyDir = path.join(packageRoot(), 'policies');
    const signing = { signingKey: keys.rsaPrivate, signingAlg: 'RS256' };
    const [a, b, plain] = await Promise.all([
      buildBundle({ policyDir, outFile: path.join(dir, 'a.tar.gz'), ...signing }),
      buildBundle({ policyDir, outFile: path.join(dir, 'b.tar.gz'), includeIncubating: true, ...signing }),
      buildBundle({ policyDir, outFile: path.join(dir, 'unsigned.tar.gz') }),
    ]);
    bundles.a = a.outFile;
    bundles.b = b.outFile;
    bundles.unsigned = plain.outFile;
    revisions.a = a.revision;
    revisions.b = b.revision;
    expect(revisions.a).not.toBe(revisions.b);
    bundles.tampered = path.join(dir, 'tampered.tar.gz');
    await fs.writeFile(
      bundles.tampered,
      await repack(await fs.readFile(bundles.a), (files) => {
        const data = JSON.parse(files.get('data.json')!.toString()) as { vigil: { exceptions: unknown[] } };
        data.vigil.exceptions.push({ rules: ['*'], scope: {}, justification: 'let me in', expires: '2099-12-31' });
        files.set('data.json', Buffer.from(JSON.stringify(data)));
      }),
    );
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((w) => w.stop()));
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('distribution - vigil policy push makes the watcher yield the new bundle with its revision', async () => {
    const watch = follow(watchBundles({ nc, names: ['push'], verify: verifier }));
    const pushed = await vigil(['policy', 'push', bundles.a, '--name', 'push', '--nats', nats.url, '--verification-key', keys.rsaPublic]);
    expect(pushed).toMatchObject({ code: 0, stderr: '' });
    expect(pushed.stdout).toContain(`push is now revision ${revisions.a}`);
    await waitUntil('bundle a', () => summary(watch.events), (s) => s.length >= 1);
    const first = watch.events[0];
    expect(first?.type).toBe('loaded');
    if (first?.type !== 'loaded') throw new Error('unreachable');
    expect(first.bundle.revision).toBe(revisions.a);
    expect(first.verified).toBe(true);
    expect(first.bundle.manifest.rules.length).toBeGreaterThan(50);

    await store.push(await fs.readFile(bundles.b), { name: 'push', verifier });
    await waitUntil('bundle b', () => summary(watch.events), (s) => s.length >= 2);
    expect(summary(watch.events)).toEqual([`loaded ${revisions.a}`, `loaded ${revisions.b}`]);

    // Pushing what is already in force changes nothing.
    const again = await store.push(await fs.readFile(bundles.b), { name: 'push' });
    expect(again.revision).toBe(revisions.b);
    expect(again.previous.map((p) => p.revision)).toEqual([revisions.a]);
    await watch.stop();
  });

  it('distribution - a bundle tampered with after signing is rejected, the rejection published, the bundle in force kept', async () => {
    const published: RejectedBundleEvent[] = [];
    const sub = nc.subscribe(distributionSubjects.bundleRejected, { callback: (_e, m) => void published.push(m.json<RejectedBundleEvent>()) });
    await store.push(await fs.readFile(bundles.a), { name: 'tamper', verifier });
    const watch = follow(watchBundles({ nc, names: ['tamper'], verify: verifier }));
    await waitUntil('bundle a', () => summary(watch.events), (s) => s.length >= 1);

    // A pusher with the key refuses it up front...
    const refused = await vigil(['policy', 'push', bundles.tampered, '--name', 'tamper', '--nats', nats.url, '--verification-key', keys.rsaPublic]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('does not match its signature: data.json: digest mismatch');
    // ...one without it stores it, and the engines refuse it.
    await store.push(await fs.readFile(bundles.tampered), { name: 'tamper' });
    await waitUntil('the rejection', () => summary(watch.events), (s) => s.length >= 2);
    const rejected = watch.events[1];
    expect(rejected?.type).toBe('rejected');
    if (rejected?.type !== 'rejected') throw new Error('unreachable');
    expect(rejected.code).toBe('VIGIL_ERR_BUNDLE_TAMPERED');
    expect(rejected.error).toContain('data.json: digest mismatch');
    expect(rejected.revision).toBe(revisions.a); // same sources, doctored data

    const event = await waitUntil('the published event', () => published, (p) => p.length >= 1);
    expect(event[0]).toMatchObject({ name: 'tamper', code: 'VIGIL_ERR_BUNDLE_TAMPERED', revision: revisions.a, digest: rejected.digest });
    expect(event[0]?.error).toContain('data.json: digest mismatch');
    sub.unsubscribe();
    await watch.stop();
    expect(summary(watch.events)).toEqual([`loaded ${revisions.a}`, 'rejected VIGIL_ERR_BUNDLE_TAMPERED']);
  });

  it('distribution - an unsigned bundle is refused by a watcher that has a key, and loaded by one that has none', async () => {
    await store.push(await fs.readFile(bundles.unsigned), { name: 'unsigned' });
    const strict = follow(watchBundles({ nc, names: ['unsigned'], verify: verifier }));
    const open = follow(watchBundles({ nc, names: ['unsigned'] }));
    await waitUntil('both watchers', () => [strict.events.length, open.events.length], ([s, o]) => s! >= 1 && o! >= 1);
    expect(summary(strict.events)).toEqual(['rejected VIGIL_ERR_BUNDLE_UNSIGNED']);
    expect(strict.events[0]).toMatchObject({ error: expect.stringContaining('is not signed but a verification key is configured') });
    expect(summary(open.events)).toEqual([`loaded ${revisions.a}`]);
    expect(open.events[0]).toMatchObject({ verified: false });
    await strict.stop();
    await open.stop();
  });

  it('distribution - vigil policy rollback restores the previous revision and the watcher loads it', async () => {
    await store.push(await fs.readFile(bundles.a), { name: 'roll', verifier });
    await store.push(await fs.readFile(bundles.b), { name: 'roll', verifier });
    const watch = follow(watchBundles({ nc, names: ['roll'], verify: verifier }));
    await waitUntil('bundle b in force', () => summary(watch.events), (s) => s.length >= 1);
    expect(summary(watch.events)).toEqual([`loaded ${revisions.b}`]);

    const history = await vigil(['policy', 'history', '--name', 'roll', '--nats', nats.url]);
    expect(history).toMatchObject({ code: 0, stderr: '' });
    expect(history.stdout.split('\n').filter(Boolean).map((l) => l.replace(/^(..)revision (\S+).*$/, '$1$2'))).toEqual([`* ${revisions.b}`, `  ${revisions.a}`]);

    const rolled = await vigil(['policy', 'rollback', '--name', 'roll', '--nats', nats.url]);
    expect(rolled).toMatchObject({ code: 0, stderr: '' });
    expect(rolled.stdout).toContain(`roll rolled back to revision ${revisions.a}`);
    await waitUntil('bundle a again', () => summary(watch.events), (s) => s.length >= 2);
    expect(summary(watch.events)).toEqual([`loaded ${revisions.b}`, `loaded ${revisions.a}`]);
    expect((await store.head('roll'))?.previous).toEqual([]);

    const objects = await (await new Objm(nc).open(BUNDLE_BUCKET)).list();
    const names = objects.filter((o) => !o.deleted && o.name.startsWith('roll@')).map((o) => o.name);
    expect(names).toEqual([(await store.head('roll'))!.object]); // b was dropped with the rollback

    const nothing = await vigil(['policy', 'rollback', '--name', 'roll', '--nats', nats.url]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain(`roll is at its oldest kept revision (${revisions.a}); nothing to roll back to`);
    await watch.stop();
  });

  it('distribution - history is capped and a name that was never pushed cannot be rolled back', async () => {
    const bytes = [await fs.readFile(bundles.a), await fs.readFile(bundles.b)];
    let head;
    for (let i = 0; i < 13; i++) head = await store.push(bytes[i % 2]!, { name: 'cap' });
    expect(head!.previous).toHaveLength(BUNDLE_HISTORY);
    expect(head!.previous.map((p) => p.revision).slice(0, 3)).toEqual([revisions.b, revisions.a, revisions.b]);
    const never = await vigil(['policy', 'rollback', '--name', 'never-pushed', '--nats', nats.url]);
    expect(never.stderr).toContain('no bundle');
    expect(never.code).toBe(2);
    expect(never.stderr).toContain('no bundle was ever pushed under the name never-pushed');
  });
});
