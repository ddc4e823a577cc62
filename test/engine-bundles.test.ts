import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import { defaultBundlePath, readBundleFile, type RejectedBundleEvent } from '../engine/src/index.js';
import { decodeVerdict, encodeFactBatch, ensureStreams, subjects, type FactInit, type Verdict } from '../proto/src/index.js';
import { collectMessages } from './support/collect.js';
import { eventually, spawnEngine, waitForEngines, type EngineProcess } from './support/engine-fleet.js';
import { useLocalNats } from './support/local-nats.js';

const run = promisify(execFile);
const vigil = (...args: string[]) => run(process.execPath, [path.resolve('bin', 'vigil.js'), ...args], { timeout: 180_000 });

const rule = (id: string, pkg: string, body: string): string => `# METADATA
# title: Rule ${id}
# scope: package
# custom:
#   id: ${id}
#   kind: container
#   severity: MEDIUM
#   recommended_action: Fix it.
#   frameworks:
#     cis-docker: ["4.1"]
package ${pkg}

${body}
`;

/**
 * Serverless-style bundles: each pushed under its own name, each evaluated on
 * the facts its manifest names, deployed to and withdrawn from running engines
 * through NATS. Everything goes through the `vigil` CLI and a real engine process.
 */
describe('vigil engine - several bundles deployed by name', () => {
  const server = useLocalNats({ streams: true });
  let engine: EngineProcess | undefined;
  let scratch: string;

  beforeAll(async () => {
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-engine-bundles-'));
  });
  afterAll(async () => {
    await engine?.stop();
    await fs.rm(scratch, { recursive: true, force: true });
  });

  const policyDir = async (name: string, files: Record<string, string>): Promise<string> => {
    const dir = path.join(scratch, name);
    await fs.mkdir(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) await fs.writeFile(path.join(dir, file), text);
    return dir;
  };

  const fact = (id: string, host: string): FactInit => ({
    id,
    source: { host, collector: 'test', version: '0' },
    container: { id: `c-${id}`, name: id, image: 'busybox', privileged: true, user: '' },
  });
  let sequence = 0;
  /** Publishes a privileged root container from each host; resolves with their fact ids. */
  const publishRound = async (hosts: string[]): Promise<Record<string, string>> => {
    const round = sequence++;
    const ids: Record<string, string> = {};
    for (const host of hosts) {
      ids[host] = `${host}-${round}`;
      await jetstream(server.nc).publish(subjects.facts('container', host), encodeFactBatch({ facts: [fact(ids[host]!, host)] }));
    }
    return ids;
  };
  const rulesOf = (v: Verdict | undefined): string[] => (v?.findings ?? []).map((f) => `${f.bundle}:${f.rule_id}`).sort();

  it('vigil policy push --name: bundles serve side by side on the facts they name; a clashing one is refused with an event; remove withdraws one', async () => {
    const webDir = await policyDir('web-policies', { 'root.rego': rule('WEB-ROOT', 'vigil.web.root', 'deny contains "runs as root" if input.container.user == ""') });
    const clashDir = await policyDir('clash-policies', { 'priv.rego': rule('VGL-CTR-001', 'vigil.clash.priv', 'deny contains "privileged again" if input.container.privileged') });
    const webBundle = path.join(scratch, 'web.tar.gz');
    const clashBundle = path.join(scratch, 'clash.tar.gz');
    const built = await vigil('policy', 'build', '--policies', webDir, '--name', 'web', '--subjects', 'vigil.facts.container.web-1', '--output', webBundle);
    expect(built.stdout).toMatch(/bundle web, 1 rules/);
    expect(built.stdout).toMatch(/triggered by container facts on vigil\.facts\.container\.web-1/);
    await vigil('policy', 'build', '--policies', clashDir, '--name', 'clash', '--output', clashBundle, '--quiet');
    const web = await readBundleFile(webBundle);
    const defaultRevision = (await readBundleFile(defaultBundlePath())).revision;

    const verdicts = collectMessages<Verdict>(server.nc, subjects.allVerdicts, decodeVerdict);
    const rejections = collectMessages<RejectedBundleEvent>(server.nc, 'vigil.events.bundle.rejected', (data) => JSON.parse(new TextDecoder().decode(data)) as RejectedBundleEvent);
    engine = spawnEngine(server.nats.url, ['--follow-bundle', '*', '--alert-window', '0']);
    await waitForEngines(await ensureStreams(server.nc), [engine]);
    const verdictOf = (id: string | undefined) => verdicts.all().find((v) => v.fact_id === id);

    // The embedded default pack alone: web-1 gets its findings only.
    const before = await publishRound(['web-1', 'db-1']);
    await verdicts.until((all) => all.some((v) => v.fact_id === before['db-1']) && all.some((v) => v.fact_id === before['web-1']), 30_000);
    expect(verdictOf(before['web-1'])?.bundle_revision).toBe(defaultRevision);
    expect(rulesOf(verdictOf(before['web-1']))).not.toContain('web:WEB-ROOT');

    const pushed = await vigil('policy', 'push', webBundle, '--nats', server.nats.url);
    expect(pushed.stdout).toMatch(/^web is now revision /);
    let served: Record<string, string> = {};
    await eventually('the web bundle judging web-1 facts', async () => {
      served = await publishRound(['web-1', 'db-1']);
      await verdicts.until((all) => all.some((v) => v.fact_id === served['db-1']) && all.some((v) => v.fact_id === served['web-1']), 30_000);
      return rulesOf(verdictOf(served['web-1'])).includes('web:WEB-ROOT');
    }, 60_000);
    const both = `default@${defaultRevision},web@${web.revision}`;
    expect(verdictOf(served['web-1'])?.bundle_revision).toBe(both);
    expect(rulesOf(verdictOf(served['web-1']))).toEqual(expect.arrayContaining(['default:VGL-CTR-001', 'web:WEB-ROOT']));
    // db-1 is not on the web bundle's subjects: the default pack alone judges it.
    expect(rulesOf(verdictOf(served['db-1']))).toContain('default:VGL-CTR-001');
    expect(rulesOf(verdictOf(served['db-1']))).not.toContain('web:WEB-ROOT');

    // A bundle enabling a rule the default pack already has cannot join: refused, with an event; both others keep serving.
    await vigil('policy', 'push', clashBundle, '--nats', server.nats.url);
    const [rejection] = await rejections.next(1, 60_000);
    expect(rejection).toMatchObject({ name: 'clash', code: 'VIGIL_ERR_POLICY_SET' });
    expect(rejection!.error).toMatch(/rule VGL-CTR-001 is enabled in both default and clash/);
    // A bundle calling a built-in nobody implements is refused when loaded, naming it, not on the first fact.
    const fetcherDir = await policyDir('fetcher-policies', {
      'fetch.rego': rule('FETCH-1', 'vigil.fetch.one', 'deny contains "fetched" if http.send({"method": "get", "url": sprintf("http://%s", [input.container.name])}).status_code == 200'),
    });
    const fetcherBundle = path.join(scratch, 'fetcher.tar.gz');
    await vigil('policy', 'build', '--policies', fetcherDir, '--name', 'fetcher', '--output', fetcherBundle, '--quiet');
    await vigil('policy', 'push', fetcherBundle, '--nats', server.nats.url);
    const [, refused] = await rejections.next(2, 60_000);
    expect(refused).toMatchObject({ name: 'fetcher', code: 'VIGIL_ERR_BUNDLE_BUILTIN' });
    expect(refused!.error).toMatch(/http\.send/);

    const still = await publishRound(['web-1']);
    await verdicts.until((all) => all.some((v) => v.fact_id === still['web-1']), 30_000);
    expect(verdictOf(still['web-1'])?.bundle_revision).toBe(both);

    const history = await vigil('policy', 'history', '--nats', server.nats.url);
    expect(history.stdout).toMatch(/^clash$/m);
    expect(history.stdout).toMatch(/^fetcher$/m);
    expect(history.stdout).toMatch(/^web$/m);

    await vigil('policy', 'remove', 'web', '--nats', server.nats.url);
    let after: Record<string, string> = {};
    await eventually('the web bundle withdrawn', async () => {
      after = await publishRound(['web-1']);
      await verdicts.until((all) => all.some((v) => v.fact_id === after['web-1']), 30_000);
      return verdictOf(after['web-1'])?.bundle_revision === defaultRevision;
    }, 60_000);
    expect(rulesOf(verdictOf(after['web-1']))).not.toContain('web:WEB-ROOT');
    await expect(vigil('policy', 'remove', 'web', '--nats', server.nats.url)).rejects.toThrow(/no bundle is deployed under the name web/);

    verdicts.stop();
    rejections.stop();
    expect(verdicts.all().every((v) => v.error === '')).toBe(true);
    expect(engine.child.exitCode).toBeNull();
  }, 300_000);
});
