import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { errors, nkeys, type NatsConnection, type Status } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import pino from 'pino';
import { createFactSink, startAgentStatus } from '../collectors/src/index.js';
import {
  BundleStore,
  DataStore,
  defaultBundlePath,
  PolicyEvaluator,
  readBundleFile,
  resolveTool,
  startConsole,
  startEngine,
  startForwarder,
  watchBundles,
  watchData,
} from '../engine/src/index.js';
import { decodeAlert, encodeFactBatch, ENGINE_CONSUMER, ensureStreams, subjects } from '../proto/src/index.js';
import { parseOutputSpec } from '../cli/src/forward-spec.js';
import { runCli } from '../cli/src/main.js';
import { Config } from '../cli/src/config.js';
import { connectNats, natsConnectionOptions, natsSecurity, type NatsSecurity } from '../cli/src/nats.js';
import { generateNatsConfig, readSeed, type GeneratedNatsConfig, type Identity } from '../cli/src/security/index.js';
import { collectMessages } from './support/collect.js';
import { eventually } from './support/engine-fleet.js';
import { spawnVigilUp } from './support/vigil-process.js';

const logger = pino({ level: 'silent' });

const privileged = (name: string) => ({ container: { id: `id-${name}`, name, image: 'busybox', privileged: true, capabilities: ['ALL'] } });

/** Fails the suite with a message that says what to install, rather than skipping. */
function requireTools(): string {
  const openssl = spawnSync(process.env.VIGIL_OPENSSL ?? 'openssl', ['version'], { encoding: 'utf8' });
  if (openssl.error || openssl.status !== 0) {
    throw new Error(`nats security tests need openssl on PATH (Debian: apt-get install openssl): ${openssl.error?.message ?? openssl.stderr}`);
  }
  try {
    return resolveTool('nats-server');
  } catch (error) {
    throw new Error(`nats security tests need nats-server (bash scripts/setup.sh puts it in ~/.cache/vigil/bin): ${(error as Error).message}`);
  }
}

interface SecuredServer {
  url: string;
  log(): string;
  /** SIGHUP, as `nats-server --signal reload` sends; resolves once the server says it reloaded. */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

/** nats-server with the generated config, on 127.0.0.1 and a port it picks itself. */
function startSecuredNats(binary: string, configFile: string): Promise<SecuredServer> {
  const child: ChildProcess = spawn(binary, ['-c', configFile, '-a', '127.0.0.1', '-p', '-1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let log = '';
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`nats-server -c ${configFile} not ready in 10 s:\n${log}`));
    }, 10_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server -c ${configFile} exited with ${code}:\n${log}`));
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      log = (log + chunk).slice(-20_000);
      const port = /Listening for client connections on [^\s]*:(\d+)/.exec(log)?.[1];
      if (!ready && port && log.includes('Server is ready')) {
        ready = true;
        clearTimeout(timer);
        child.removeAllListeners('exit');
        const reload = async (): Promise<void> => {
          const mark = log.length;
          child.kill('SIGHUP');
          const deadline = Date.now() + 5_000;
          while (!log.slice(mark).includes('Reloaded server configuration')) {
            if (Date.now() > deadline) throw new Error(`nats-server did not reload in 5 s:\n${log.slice(mark)}`);
            await new Promise((r) => setTimeout(r, 20));
          }
        };
        resolve({ url: `nats://127.0.0.1:${port}`, log: () => log, reload, stop });
      }
    });
  });
}

/** The next error the connection reports on its status stream (permission violations arrive there). */
async function nextStatusError(nc: NatsConnection, timeoutMs = 5_000): Promise<Error> {
  const iterator = nc.status()[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no status error in ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    for (;;) {
      const { value } = (await Promise.race([iterator.next(), timeout])) as IteratorResult<Status>;
      if (value?.type === 'error') return value.error;
    }
  } finally {
    clearTimeout(timer);
  }
}

describe('nats security', () => {
  let binary: string;
  let dir: string;
  let config: GeneratedNatsConfig;
  let server: SecuredServer;
  const open: NatsConnection[] = [];

  const identity = (name: string): Identity => {
    const found = config.identities.find((i) => i.name === name);
    if (!found) throw new Error(`no identity ${name} in ${config.identities.map((i) => i.name).join(', ')}`);
    return found;
  };
  const security = (name: string): NatsSecurity => ({ nkeyFile: identity(name).seedFile, caFile: config.caFile });
  const connectAs = async (name: string): Promise<NatsConnection> => {
    const nc = await connectNats(server.url, `test-${name}`, security(name));
    open.push(nc);
    return nc;
  };

  beforeAll(async () => {
    binary = requireTools();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-nats-security-'));
    config = await generateNatsConfig({ outDir: path.join(dir, 'conf'), hosts: ['a', 'b'], dns: ['localhost'], ip: ['127.0.0.1'], storeDir: path.join(dir, 'store') });
    server = await startSecuredNats(binary, config.configFile);
    // The engine identity creates the streams, as `vigil engine` does on start.
    await ensureStreams(await connectAs('engine'));
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(open.map((nc) => nc.close()));
    await server?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('nats security - a collector gets JetStream acks for its own host and is refused for another host', async () => {
    const nc = await connectAs('collector-a');
    const own = createFactSink({ nc, source: { host: 'a', collector: 'test', version: '0' } });
    await own.publish(privileged('own'));
    await expect(own.flush()).resolves.toBeUndefined();

    const other = createFactSink({ nc, source: { host: 'b', collector: 'test', version: '0' }, backoffMs: { min: 50, max: 200 }, closeTimeoutMs: 100 });
    await other.publish(privileged('forged'));
    const refused = await other.flush(2_000).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    // Retried and never stored: the flush gives up naming the server's permission violation.
    expect(refused?.message).toMatch(/^VIGIL_ERR_OUTBOX_FLUSH_TIMEOUT: .*Permissions Violation for Publish to "vigil\.facts\.container\.b"/);
    expect(other.stats()).toMatchObject({ published: 0, queuedBatches: 1 });
    expect(other.stats().retries).toBeGreaterThan(0);
    await other.close();

    const jsm = await jetstreamManager(await connectAs('engine'));
    const info = await jsm.streams.info('VIGIL_FACTS', { subjects_filter: '>' });
    expect(Object.keys(info.state.subjects ?? {})).toEqual(['vigil.facts.container.a']);
  });

  it('nats security - a collector can neither read facts nor touch streams', async () => {
    const nc = await connectAs('collector-b');
    const sub = nc.subscribe(subjects.allFacts);
    expect(await sub.closed).toBeInstanceOf(errors.PermissionViolationError);
    const inboxes = nc.subscribe('_INBOX.>');
    expect(await inboxes.closed).toBeInstanceOf(errors.PermissionViolationError);

    const engineInbox = nc.subscribe(`${identity('engine').inboxPrefix}.>`);
    expect(await engineInbox.closed).toBeInstanceOf(errors.PermissionViolationError);

    const jsm = await jetstreamManager(nc, { checkAPI: false });
    await expect(jsm.streams.delete('VIGIL_FACTS')).rejects.toThrow(/permission/i);
    await expect(jsm.consumers.add('VIGIL_FACTS', { durable_name: 'thief' })).rejects.toThrow(/permission/i);
  });

  it('nats security - the alert subscriber may read alerts only and publish no message', async () => {
    const nc = await connectAs('alerts');
    const received: string[] = [];
    nc.subscribe(subjects.allAlerts, {
      callback: (_e, m) => {
        received.push(m.subject);
      },
    });
    await nc.flush();

    const violation = nextStatusError(nc);
    nc.publish('vigil.alerts.critical.container.a', new Uint8Array([1]));
    await nc.flush();
    const error = await violation;
    expect(error).toBeInstanceOf(errors.PermissionViolationError);
    expect((error as InstanceType<typeof errors.PermissionViolationError>).operation).toBe('publish');
    await new Promise((r) => setTimeout(r, 200));
    expect(received).toEqual([]);

    const facts = nc.subscribe(subjects.allFacts);
    expect(await facts.closed).toBeInstanceOf(errors.PermissionViolationError);
  });

  it('nats security - no TLS, an untrusted CA or no identity is refused', async () => {
    const { authenticator, inboxPrefix } = natsConnectionOptions(security('collector-a'));
    // tls: null asks nats.js for a plain-text connection; the server requires TLS.
    await expect(connect({ servers: server.url, authenticator, inboxPrefix, tls: null, reconnect: false })).rejects.toThrow(/tls/i);
    // Without our CA the server certificate does not verify against the system's roots.
    await expect(connect({ servers: server.url, authenticator, reconnect: false })).rejects.toThrow(/certificate/i);
    // TLS without an identity: the server wants an nkey.
    await expect(connectNats(server.url, 'anonymous', { caFile: config.caFile })).rejects.toThrow(/authorization/i);
    // A seed the server does not know.
    const stranger = path.join(dir, 'stranger.nk');
    await fs.writeFile(stranger, `${new TextDecoder().decode(nkeys.createUser().getSeed())}\n`);
    await expect(connectNats(server.url, 'stranger', { nkeyFile: stranger, caFile: config.caFile })).rejects.toThrow(/authorization/i);
  });

  it('nats security - engine, collector and subscriber identities carry a fact to an alert end to end', async () => {
    const evaluator = await PolicyEvaluator.load(await readBundleFile(defaultBundlePath()));
    const subscriber = await connectAs('alerts');
    const alerts = collectMessages(subscriber, subjects.allAlerts, decodeAlert);
    await subscriber.flush();
    const engine = await startEngine({ nc: await connectAs('engine'), evaluator, logger });
    try {
      const sink = createFactSink({ nc: await connectAs('collector-b'), source: { host: 'b', collector: 'test', version: '0' } });
      await sink.publish(privileged('e2e'));
      await sink.flush();
      const got = await alerts.until((all) => all.some((a) => a.finding?.subject?.name === 'e2e' && a.finding?.rule_id === 'VGL-CTR-001'));
      const alert = got.find((a) => a.finding?.subject?.name === 'e2e' && a.finding?.rule_id === 'VGL-CTR-001');
      expect(alert?.source?.host).toBe('b');
      expect(engine.stats().alerts).toBeGreaterThan(0);
    } finally {
      await engine.stop();
      alerts.stop();
    }
  }, 30_000);

  it('nats security - the console and forward identities serve the console and deliver alerts, and publish no fact', async () => {
    const evaluator = await PolicyEvaluator.load(await readBundleFile(defaultBundlePath()));
    const engine = await startEngine({ nc: await connectAs('engine'), evaluator, logger });
    const consoleNc = await connectAs('console');
    const server = await startConsole({ nc: consoleNc, port: 0, token: 'secret', logger });
    const out = path.join(dir, 'forwarded.ndjson');
    const forwarder = await startForwarder({ nc: await connectAs('forward'), targets: [parseOutputSpec(`file=${out}`)], logger });
    try {
      const collectorNc = await connectAs('collector-b');
      const sink = createFactSink({ nc: collectorNc, source: { host: 'b', collector: 'test', version: '0' } });
      await sink.publish(privileged('console-seen'));
      await sink.flush();
      // The collector's heartbeat crosses from COLLECTORS into VIGIL, where the console hears it.
      const beat = startAgentStatus({ nc: collectorNc, host: 'b', version: '0', collectors: () => [{ name: 'test', outbox: () => sink.stats() }], intervalMs: 200 });
      const get = async (p: string): Promise<Record<string, unknown>> => (await fetch(new URL(p, server.url))).json() as Promise<Record<string, unknown>>;
      // Alerts from the stream, the collector from the facts it publishes, read with the console identity alone.
      await eventually('the alert in the console', async () => ((await get('/api/alerts?q=console-seen')) as { total: number }).total > 0, 20_000);
      const page = (await get('/api/alerts?q=console-seen')) as { items: Array<{ alert: { alert_id: string } }> };
      type Fleet = { hosts: Array<{ host: string; collectors: Array<{ collector: string; counters: { published: number } }> }>; engine: { consumer?: string } };
      await eventually('the collector’s heartbeat in the fleet view', async () => ((await get('/api/fleet')) as Fleet).hosts.some((h) => h.host === 'b'), 10_000);
      beat.stop();
      const fleet = (await get('/api/fleet')) as Fleet;
      expect(fleet.hosts.find((h) => h.host === 'b')!.collectors).toEqual([expect.objectContaining({ collector: 'test', counters: expect.objectContaining({ published: 1 }) })]);
      expect(fleet.engine.consumer).toBe(ENGINE_CONSUMER);
      // Its actions write what they change.
      const post = (p: string, body?: unknown) => fetch(new URL(p, server.url), { method: 'POST', headers: { authorization: 'Bearer secret' }, ...(body ? { body: JSON.stringify(body) } : {}) });
      const id = page.items[0]!.alert.alert_id;
      expect((await post(`/api/alerts/${encodeURIComponent(id)}/ack`)).status).toBe(200);
      expect((await post('/api/exceptions', { alert_id: id, scope: 'container', justification: 'security test', expires: '2099-12-31' })).status).toBe(201);
      // The forwarder delivered it with its own identity.
      await eventually('the alert forwarded to the file', async () => (await fs.readFile(out, 'utf8').catch(() => '')).includes('console-seen'), 20_000);
      for (const nc of [consoleNc, await connectAs('forward')]) {
        await expect(jetstream(nc).publish('vigil.facts.container.b', encodeFactBatch({ facts: [privileged('forged')] }), { timeout: 2_000 })).rejects.toThrow(/permission|timeout|no responders/i);
      }
    } finally {
      await forwarder.stop();
      await server.stop();
      await engine.stop();
    }
  }, 60_000);

  it('nats security - the policy identity pushes bundles and data the engine identity follows; others cannot push', async () => {
    const bytes = new Uint8Array(await fs.readFile(defaultBundlePath()));
    const admin = await connectAs('policy');
    const head = await (await BundleStore.open({ nc: admin })).push(bytes);
    await (await DataStore.open({ nc: admin })).put('exceptions', '[]');

    const engine = await connectAs('engine');
    const bundles = watchBundles({ nc: engine, eventsSubject: false });
    const data = watchData({ nc: engine, eventsSubject: false });
    try {
      const first = (await bundles[Symbol.asyncIterator]().next()).value;
      expect(first).toMatchObject({ type: 'loaded', digest: head.digest });
      const overlay = (await data[Symbol.asyncIterator]().next()).value;
      expect(overlay).toMatchObject({ type: 'loaded', changed: ['exceptions'] });
    } finally {
      await bundles.stop();
      await data.stop();
    }
    await expect((await BundleStore.open({ nc: engine })).push(bytes, { name: 'engine-push' })).rejects.toThrow(/permission/i);
    await expect(BundleStore.open({ nc: await connectAs('collector-a') })).rejects.toThrow(/permission/i);
  });

  it('nats security - vigil engine and vigil alerts processes connect with flags and environment', async () => {
    const vigil = (args: string[], env: NodeJS.ProcessEnv = {}) => {
      const child = spawn(process.execPath, [path.resolve('bin', 'vigil.js'), ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, VIGIL_LOG_LEVEL: 'info', ...env },
      });
      const output = { stdout: '', stderr: '' };
      child.stdout?.on('data', (c: Buffer) => (output.stdout += c.toString()));
      child.stderr?.on('data', (c: Buffer) => (output.stderr += c.toString()));
      const stop = async (): Promise<number | null> => {
        if (child.exitCode !== null) return child.exitCode;
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      };
      return { child, output, stop };
    };
    const engine = vigil(['engine', '--nats', server.url, '--nats-nkey', identity('engine').seedFile, '--nats-ca', config.caFile]);
    const alerts = vigil(['alerts', '--nats', server.url, '--format', 'json'], {
      VIGIL_NATS_NKEY: identity('alerts').seedFile,
      VIGIL_NATS_CA: config.caFile,
    });
    try {
      const sink = createFactSink({ nc: await connectAs('collector-a'), source: { host: 'a', collector: 'test', version: '0' } });
      // The alerts process has no ready signal: send a new fact until one alert line arrives.
      const deadline = Date.now() + 20_000;
      for (let i = 0; !alerts.output.stdout.includes('"VGL-CTR-001"'); i++) {
        for (const p of [engine, alerts]) {
          if (p.child.exitCode !== null) throw new Error(`vigil exited with ${p.child.exitCode}:\n${p.output.stderr}`);
        }
        if (Date.now() > deadline) throw new Error(`no alert from vigil alerts:\n${alerts.output.stderr}\n${engine.output.stderr.slice(-2000)}`);
        await sink.publish(privileged(`cli-${i}`));
        await sink.flush();
        await new Promise((r) => setTimeout(r, 300));
      }
      const line = JSON.parse(alerts.output.stdout.split('\n').find((l) => l.includes('"VGL-CTR-001"'))!) as { host: string };
      expect(line.host).toBe('a');
    } finally {
      expect(await engine.stop()).toBe(0);
      expect(await alerts.stop()).toBe(0);
    }
  }, 40_000);

  it('nats security - a collector that sets an alert subject as its reply gets no ack published there: accounts keep the ack out', async () => {
    const engine = await connectAs('engine');
    const jsm = await jetstreamManager(engine);
    const subscriber = await connectAs('alerts');
    const seen = collectMessages(subscriber, subjects.allAlerts, (data) => data);
    await subscriber.flush();
    const alertsBefore = (await jsm.streams.info('VIGIL_ALERTS')).state.messages;
    const subject = 'vigil.facts.process_exec.b';
    const factsOnB = async (): Promise<number> => (await jsm.streams.info('VIGIL_FACTS', { subjects_filter: subject })).state.subjects?.[subject] ?? 0;
    const factsBefore = await factsOnB();

    const nc = await connectAs('collector-b');
    nc.publish(subject, encodeFactBatch({ id: 'aimed-ack', facts: [] }), { reply: 'vigil.alerts.critical.container.b' });
    await nc.flush();
    // The fact is stored (JetStream answered it), but its ack went back to the collectors' account.
    await eventually('the aimed fact stored', async () => (await factsOnB()) === factsBefore + 1, 5_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.all()).toEqual([]);
    expect((await jsm.streams.info('VIGIL_ALERTS')).state.messages).toBe(alertsBefore);
  });

  it('nats security - a collector cannot turn the ack of its own publish into an ack or stream admin request', async () => {
    const engine = await connectAs('engine');
    const jsm = await jetstreamManager(engine);
    // The durable consumer the engine test left behind (stopped, so nothing else pulls).
    const nc = await connectAs('collector-b');
    await jetstream(nc).publish('vigil.facts.host.b', encodeFactBatch({ id: 'pending', facts: [] }));
    const consumer = await jetstream(engine).consumers.get('VIGIL_FACTS', ENGINE_CONSUMER);
    const pending = await consumer.next({ expires: 5_000 });
    const ackSubject = (pending as unknown as { reply: string } | null)?.reply ?? '';
    expect(ackSubject).toMatch(/^\$JS\.ACK\.VIGIL_FACTS\.vigil-engine\./);

    // JetStream answers a publish on its reply subject; the server refuses $JS.ACK replies outright.
    const violation = nextStatusError(nc);
    nc.publish('vigil.facts.host.b', encodeFactBatch({ id: 'forged-ack', facts: [] }), { reply: ackSubject });
    expect(await violation).toBeInstanceOf(errors.PermissionViolationError);
    // API subjects as reply get the ack JSON as a request body, which no admin request accepts.
    nc.publish('vigil.facts.host.b', encodeFactBatch({ id: 'forged-purge', facts: [] }), { reply: '$JS.API.STREAM.PURGE.VIGIL_FACTS' });
    nc.publish('vigil.facts.host.b', encodeFactBatch({ id: 'forged-delete', facts: [] }), { reply: '$JS.API.STREAM.DELETE.VIGIL_DLQ' });
    await nc.flush();
    await new Promise((r) => setTimeout(r, 300));

    expect((await consumer.info()).num_ack_pending).toBe(1);
    expect((await jsm.streams.info('VIGIL_DLQ')).config.name).toBe('VIGIL_DLQ');
    const facts = await jsm.streams.info('VIGIL_FACTS', { subjects_filter: 'vigil.facts.host.b' });
    expect(facts.state.subjects?.['vigil.facts.host.b']).toBe(3);
    pending!.ack();
  });

  it('nats security - vigil up against the secured server with one flag: engine, collector and alert printer each as its own identity', async () => {
    const up = spawnVigilUp(['--nats', server.url, '--nats-identities', path.dirname(config.configFile), '--collectors', 'host', '--host', 'a']);
    try {
      await up.waitFor((alerts) => alerts.some((a) => a.subject.kind === 'host' && a.host === 'a'), 30_000);
      expect(up.stderr()).not.toMatch(/permission/i);
    } finally {
      expect(await up.stop()).toBe(0);
    }
  }, 60_000);

  it('nats security - regenerating keeps keys; after a reload a rotated key and a dropped host are refused', async () => {
    const before = new Map(config.identities.map((i) => [i.name, i.publicKey]));
    const oldSeedA = path.join(dir, 'old-collector-a.nk');
    await fs.copyFile(identity('collector-a').seedFile, oldSeedA);
    const seedB = path.join(dir, 'old-collector-b.nk');
    await fs.copyFile(identity('collector-b').seedFile, seedB);
    const again = await generateNatsConfig({ outDir: path.join(dir, 'conf'), hosts: ['a'], rotate: ['collector-a'], storeDir: path.join(dir, 'store') });
    const after = new Map(again.identities.map((i) => [i.name, i.publicKey]));
    expect(after.get('engine')).toBe(before.get('engine'));
    expect(after.get('alerts')).toBe(before.get('alerts'));
    expect(after.get('collector-a')).not.toBe(before.get('collector-a'));
    expect(after.has('collector-b')).toBe(false);
    expect(again.removed.map((f) => path.basename(f))).toEqual(['collector-b.nk']);
    expect(again.written).not.toContain(again.caFile);
    const text = await fs.readFile(again.configFile, 'utf8');
    expect(text).toContain(after.get('collector-a'));
    expect(text).not.toContain(before.get('collector-a'));
    expect(text).not.toContain(before.get('collector-b'));

    await server.reload();
    const refused = (nkeyFile: string) => connectNats(server.url, 'revoked', { nkeyFile, caFile: config.caFile });
    await expect(refused(oldSeedA)).rejects.toThrow(/authorization/i);
    await expect(refused(seedB)).rejects.toThrow(/authorization/i);
    const rotated = await connectNats(server.url, 'rotated', { nkeyFile: again.identities.find((i) => i.name === 'collector-a')!.seedFile, caFile: config.caFile });
    open.push(rotated);
    const sink = createFactSink({ nc: rotated, source: { host: 'a', collector: 'test', version: '0' } });
    await sink.publish(privileged('rotated'));
    await expect(sink.flush()).resolves.toBeUndefined();
  });
});

describe('nats security options', () => {
  let dir: string;
  let config: GeneratedNatsConfig;

  beforeAll(async () => {
    requireTools();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-nats-options-'));
  });

  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('nats security - vigil nats-config writes a config nats-server accepts, keys private', async () => {
    const out = path.join(dir, 'cli');
    let printed = '';
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => (printed += chunk, true)) as typeof process.stdout.write;
    let code: number;
    try {
      code = await runCli(['nats-config', '--hosts', 'node-1,db.example', '--out', out, '--server-name', 'nats.internal', '--ip', '10.0.0.5']);
    } finally {
      process.stdout.write = write;
    }
    expect(code).toBe(0);
    expect(printed).toMatch(/collector-db_example +U[A-Z2-7]{55} +--nats-nkey .*collector-db_example\.nk \(new key\)/);
    const check = spawnSync(requireTools(), ['-c', path.join(out, 'nats-server.conf'), '-t'], { encoding: 'utf8' });
    expect(check.stderr + check.stdout).toContain('is valid');
    expect(check.status).toBe(0);
    const files = (await fs.readdir(path.join(out, 'identities'))).sort();
    expect(files).toEqual(['alerts.nk', 'collector-db_example.nk', 'collector-node-1.nk', 'console.nk', 'engine.nk', 'forward.nk', 'policy.nk']);
    for (const secret of ['ca-key.pem', 'server-key.pem', 'identities/engine.nk']) {
      expect(((await fs.stat(path.join(out, secret))).mode & 0o077).toString(8)).toBe('0');
    }
    const san = spawnSync('openssl', ['x509', '-in', path.join(out, 'server-cert.pem'), '-noout', '-ext', 'subjectAltName'], { encoding: 'utf8' });
    expect(san.stdout).toMatch(/DNS:nats\.internal, DNS:localhost, IP Address:10\.0\.0\.5/);
    const conf = await fs.readFile(path.join(out, 'nats-server.conf'), 'utf8');
    expect(conf).toContain('"vigil.facts.*.db_example"');
    expect(conf).not.toMatch(/allow: \[[^\]]*("_INBOX\.>"|"\$JS\.API\.>"|"vigil\.facts\.>")/);
    // Facts cross from the collectors' account as a service, alerts to the subscribers' as a stream.
    expect(conf).toContain('{ service: "vigil.facts.>", accounts: [COLLECTORS] }');
    expect(conf).toContain('{ stream: "vigil.alerts.>", accounts: [SUBSCRIBERS] }');
  });

  it('nats security - options come from flags before environment, and bad files are usage errors', async () => {
    const seed = path.join(dir, 'seed.nk');
    await fs.writeFile(seed, `${new TextDecoder().decode(nkeys.createUser().getSeed())}\n`);
    expect(natsSecurity({}, new Config({ VIGIL_NATS_NKEY: seed, VIGIL_NATS_CA: seed }))).toEqual({ nkeyFile: seed, caFile: seed });
    expect(natsSecurity({ 'nats-ca': seed }, new Config({ VIGIL_NATS_CA: '/nonexistent/ca.pem' }))).toEqual({ caFile: seed });
    expect(() => natsSecurity({}, new Config({ VIGIL_NATS_CA: '/nonexistent/ca.pem' }))).toThrow(/--nats-ca \/nonexistent\/ca\.pem: expected a readable file \(from VIGIL_NATS_CA\)/);
    expect(() => natsSecurity({ 'nats-nkey': seed, 'nats-creds': seed }, new Config({}))).toThrow(/exclusive/);
    expect(() => natsSecurity({ 'nats-tls-cert': seed }, new Config({}))).toThrow(/go together/);
    expect(natsSecurity({}, new Config({}))).toEqual({});
    const options = natsConnectionOptions({ nkeyFile: seed });
    expect(options.inboxPrefix).toBe(`_INBOX.${readSeed(await fs.readFile(seed, 'utf8'), seed).getPublicKey()}`);
    await fs.writeFile(path.join(dir, 'not-a-seed'), 'hello\n');
    expect(() => natsConnectionOptions({ nkeyFile: path.join(dir, 'not-a-seed') })).toThrow(/holds no user nkey seed/);
  });

  it('nats security - with --mtls a client needs its certificate as well as its key', async () => {
    config = await generateNatsConfig({ outDir: path.join(dir, 'mtls'), hosts: ['m'], mtls: true, storeDir: path.join(dir, 'mtls-store') });
    const server = await startSecuredNats(requireTools(), config.configFile);
    try {
      const alerts = config.identities.find((i) => i.name === 'alerts')!;
      const base = { nkeyFile: alerts.seedFile, caFile: config.caFile };
      const withoutCert = connect({ servers: server.url, ...natsConnectionOptions(base), timeout: 3_000, reconnect: false });
      await expect(withoutCert).rejects.toThrow();
      expect(server.log()).toMatch(/TLS handshake error: .*certificate/);
      const nc = await connectNats(server.url, 'with-cert', { ...base, certFile: alerts.tls!.certFile, keyFile: alerts.tls!.keyFile });
      await nc.flush();
      await nc.close();
    } finally {
      await server.stop();
    }
  });
});
