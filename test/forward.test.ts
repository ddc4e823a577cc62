import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createCa, issueServerCert } from '../cli/src/security/pki.js';
import { verifyWebhookSignature } from '../engine/src/index.js';
import { encodeAlert, severityValue, subjects, type SeverityName } from '../proto/src/index.js';
import { freePort } from './harness/index.js';
import { useLocalNats } from './support/local-nats.js';
import { spawnVigil, type VigilProcess } from './support/vigil-process.js';

/**
 * `vigil forward` against real receivers: an HTTP server taking the generic
 * webhook (HMAC-signed) and the Slack shape, Debian's Alertmanager (API v2),
 * Debian's rsyslog (RFC 5424 over UDP, TCP and TLS) and rotated NDJSON files.
 * The forwarder is killed outright mid-stream and started again: every
 * receiver still gets every alert, with no more repeats than one batch.
 */

const SECRET = 'forward-test-secret';
const TOTAL = 300;
const UDP_ALERTS = 20;
/** The documented at-least-once window: one batch per output can be delivered again after a crash. */
const BATCH = 100;
const SEVERITIES: SeverityName[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

interface Receivers {
  webhook: string[];
  slack: Array<{ text?: string; blocks?: unknown[] }>;
  critical: string[];
  badSignatures: number;
}

const until = async (what: string, test: () => Promise<boolean> | boolean, timeoutMs: number, detail: () => string = () => ''): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms: ${detail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** A receiver bound to a port picked a moment before: another port when it lost the race. */
async function startOnFreePorts(count: number, start: (ports: number[]) => Promise<ChildProcess>, ready: (ports: number[]) => Promise<boolean>): Promise<{ child: ChildProcess; ports: number[] }> {
  let last = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
    const child = await start(ports);
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const deadline = Date.now() + 15_000;
    while (child.exitCode === null && Date.now() < deadline) {
      if (await ready(ports).catch(() => false)) return { child, ports };
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    last = output;
  }
  throw new Error(`receiver did not start on free ports:\n${last.slice(-2000)}`);
}

const tcpOpen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

describe('forward - alerts to real receivers, at least once across a crash', () => {
  const local = useLocalNats({ streams: true });
  let dir: string;
  let server: http.Server;
  let httpPort: number;
  const got: Receivers = { webhook: [], slack: [], critical: [], badSignatures: 0 };
  let alertmanager: { child: ChildProcess; ports: number[] };
  let rsyslog: { child: ChildProcess; ports: number[] };
  let forwarder: VigilProcess | undefined;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-forward-'));
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.url === '/webhook') {
          if (!verifyWebhookSignature(body, String(req.headers['x-vigil-timestamp']), String(req.headers['x-vigil-signature']), SECRET)) got.badSignatures++;
          got.webhook.push((JSON.parse(body) as { alert_id: string }).alert_id);
        } else if (req.url === '/slack') got.slack.push(JSON.parse(body) as Receivers['slack'][number]);
        else if (req.url === '/critical') got.critical.push((JSON.parse(body) as { severity: string }).severity);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    httpPort = (server.address() as { port: number }).port;

    await fs.writeFile(path.join(dir, 'alertmanager.yml'), 'route:\n  receiver: "null"\n  group_wait: 1h\nreceivers:\n  - name: "null"\n');
    alertmanager = await startOnFreePorts(
      1,
      async ([port]) =>
        spawn('prometheus-alertmanager', [
          `--config.file=${path.join(dir, 'alertmanager.yml')}`,
          `--storage.path=${path.join(dir, 'am-data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--cluster.listen-address=',
        ], { stdio: ['ignore', 'pipe', 'pipe'] }),
      async ([port]) => (await fetch(`http://127.0.0.1:${port}/-/ready`)).ok,
    );

    const ca = { certFile: path.join(dir, 'ca.pem'), keyFile: path.join(dir, 'ca.key') };
    const cert = { certFile: path.join(dir, 'syslog.pem'), keyFile: path.join(dir, 'syslog.key') };
    await createCa(ca, { commonName: 'vigil forward test CA' });
    await issueServerCert(ca, cert, { commonName: 'localhost', dns: ['localhost'], ip: ['127.0.0.1'] });
    rsyslog = await startOnFreePorts(
      3,
      async ([udp, tcp, tlsPort]) => {
        await fs.writeFile(
          path.join(dir, 'rsyslog.conf'),
          [
            `global(workDirectory="${dir}" DefaultNetstreamDriverCAFile="${ca.certFile}" DefaultNetstreamDriverCertFile="${cert.certFile}" DefaultNetstreamDriverKeyFile="${cert.keyFile}")`,
            'module(load="imudp")',
            'module(load="imtcp")',
            'template(name="raw" type="string" string="%inputname% %msgid% %structured-data% %msg%\\n")',
            `ruleset(name="udp") { action(type="omfile" file="${dir}/syslog-udp.log" template="raw") }`,
            `ruleset(name="tcp") { action(type="omfile" file="${dir}/syslog-tcp.log" template="raw") }`,
            `ruleset(name="tls") { action(type="omfile" file="${dir}/syslog-tls.log" template="raw") }`,
            `input(type="imudp" address="127.0.0.1" port="${udp}" ruleset="udp")`,
            `input(type="imtcp" address="127.0.0.1" port="${tcp}" ruleset="tcp")`,
            `input(type="imtcp" address="127.0.0.1" port="${tlsPort}" ruleset="tls" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")`,
          ].join('\n'),
        );
        return spawn('rsyslogd', ['-n', '-f', path.join(dir, 'rsyslog.conf'), '-i', path.join(dir, `rsyslog-${udp}.pid`)], { stdio: ['ignore', 'pipe', 'pipe'] });
      },
      async ([, tcp, tlsPort]) => (await tcpOpen(tcp!)) && (await tcpOpen(tlsPort!)),
    );
  }, 120_000);

  afterAll(async () => {
    await forwarder?.stop();
    alertmanager?.child.kill('SIGTERM');
    rsyslog?.child.kill('SIGTERM');
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await fs.rm(dir, { recursive: true, force: true });
  });

  const outputs = (): string[] => {
    const [udp, tcp, tlsPort] = rsyslog.ports;
    return [
      `webhook=http://127.0.0.1:${httpPort}/webhook;secret-env=FORWARD_SECRET;name=hook`,
      `webhook=http://127.0.0.1:${httpPort}/critical;min-severity=critical;name=critical`,
      `slack=http://127.0.0.1:${httpPort}/slack;name=slack`,
      `alertmanager=http://127.0.0.1:${alertmanager.ports[0]};name=am`,
      `syslog=udp://127.0.0.1:${udp};rule=VGL-UDP-*;name=syslog-udp`,
      `syslog=tcp://127.0.0.1:${tcp};rule=VGL-FWD-*;name=syslog-tcp`,
      `syslog=tls://127.0.0.1:${tlsPort};ca=${path.join(dir, 'ca.pem')};rule=VGL-FWD-*;name=syslog-tls`,
      `file=${path.join(dir, 'alerts.ndjson')};max-size=64K;keep=50;rule=VGL-FWD-*;name=file`,
    ];
  };
  const startForwarder = (): VigilProcess => {
    process.env.FORWARD_SECRET = SECRET;
    return spawnVigil(['forward', '--nats', local.nats.url, ...outputs().flatMap((o) => ['--output', o])]);
  };

  const publish = async (from: number, to: number, rule: (i: number) => string): Promise<string[]> => {
    const js = jetstream(local.nc);
    const ids: string[] = [];
    for (let i = from; i < to; i++) {
      const id = `alert-${rule(i)}-${i}`;
      const severity = SEVERITIES[i % SEVERITIES.length]!;
      const data = encodeAlert({
        id,
        fact_id: `fact-${i}`,
        source: { host: 'node-a', collector: 'container' },
        observed_at_ms: Date.now(),
        raised_at_ms: Date.now(),
        count: 1,
        finding: { rule_id: rule(i), severity: severityValue(severity), title: 'Test rule', message: `container "app-${i}" did thing ${i}`, subject: { kind: 'container', name: `app-${i}`, id: `c${i}` }, frameworks: { 'cis-docker': { ids: ['5.4'] } } },
      });
      await js.publish(subjects.alerts(severity, 'container', 'node-a'), data, { msgID: id });
      ids.push(id);
    }
    return ids;
  };

  const slackIds = (): string[] =>
    got.slack.map((m) => {
      const context = (m.blocks as Array<{ type: string; elements?: Array<{ text: string }> }>).find((b) => b.type === 'context');
      return /alert (\S+)$/.exec(context?.elements?.[0]?.text ?? '')?.[1] ?? '';
    });
  const amIds = async (): Promise<string[]> => {
    const alerts = (await (await fetch(`http://127.0.0.1:${alertmanager.ports[0]}/api/v2/alerts`)).json()) as Array<{ annotations: { alert_id: string } }>;
    return alerts.map((a) => a.annotations.alert_id);
  };
  const fileLines = async (): Promise<string[]> => {
    const files = (await fs.readdir(dir)).filter((f) => f.startsWith('alerts.ndjson'));
    const lines = await Promise.all(files.map(async (f) => (await fs.readFile(path.join(dir, f), 'utf8')).split('\n').filter(Boolean)));
    return lines.flat().map((l) => (JSON.parse(l) as { alert_id: string }).alert_id);
  };
  const syslogIds = async (transport: string): Promise<string[]> => {
    const text = await fs.readFile(path.join(dir, `syslog-${transport}.log`), 'utf8').catch(() => '');
    return [...text.matchAll(/alert_id="([^"]+)"/g)].map((m) => m[1]!);
  };

  it('forward - every alert reaches every receiver at least once when the forwarder is killed mid-stream', async () => {
    forwarder = startForwarder();
    const jsm = await jetstreamManager(local.nc);
    const names = ['hook', 'critical', 'slack', 'am', 'syslog-udp', 'syslog-tcp', 'syslog-tls', 'file'];
    await until('the outputs’ durable consumers', async () => (await Promise.all(names.map((n) => jsm.consumers.info('VIGIL_ALERTS', `vigil-forward-${n}`).then(() => true, () => false)))).every(Boolean), 30_000, () => forwarder!.stderr());

    const first = await publish(0, TOTAL / 2, () => 'VGL-FWD-001');
    await until('some alerts delivered before the crash', () => got.webhook.length > 20, 30_000, () => forwarder!.stderr());
    forwarder.crash();
    await new Promise((r) => setTimeout(r, 300));
    const second = await publish(TOTAL / 2, TOTAL, () => 'VGL-FWD-002');
    const udp = await publish(TOTAL, TOTAL + UDP_ALERTS, () => 'VGL-UDP-001');
    forwarder = startForwarder();
    const all = [...first, ...second, ...udp];
    const fwd = [...first, ...second];

    const missing = (received: string[], expected: string[]): string[] => expected.filter((id) => !received.includes(id));
    await until(
      'every receiver has every alert',
      async () =>
        missing(got.webhook, all).length === 0 &&
        missing(slackIds(), all).length === 0 &&
        missing(await amIds(), all).length === 0 &&
        missing(await syslogIds('tcp'), fwd).length === 0 &&
        missing(await syslogIds('tls'), fwd).length === 0 &&
        missing(await syslogIds('udp'), udp).length === 0 &&
        missing(await fileLines(), fwd).length === 0,
      90_000,
      () => `webhook ${got.webhook.length}, slack ${got.slack.length}\n${forwarder!.stderr().slice(-3000)}`,
    );

    const repeats = (received: string[]): number => received.length - new Set(received).size;
    const report = {
      webhook: repeats(got.webhook),
      slack: repeats(slackIds()),
      tcp: repeats(await syslogIds('tcp')),
      tls: repeats(await syslogIds('tls')),
      udp: repeats(await syslogIds('udp')),
      file: repeats(await fileLines()),
    };
    process.stdout.write(`forward: ${all.length} alerts; repeats after the crash per output: ${JSON.stringify(report)}\n`);
    for (const n of Object.values(report)) expect(n).toBeLessThanOrEqual(BATCH);
    expect(got.badSignatures).toBe(0);
    // Only what each output's filter takes.
    expect((await syslogIds('tcp')).filter((id) => id.includes('UDP'))).toEqual([]);
    expect(new Set(await syslogIds('udp'))).toEqual(new Set(udp));
    expect(new Set(got.critical)).toEqual(new Set(['CRITICAL']));
    expect(got.critical.length).toBeGreaterThanOrEqual(all.filter((_, i) => i % SEVERITIES.length === 3).length);
    // The Slack shape: a notification text and blocks.
    expect(got.slack[0]).toEqual({ text: expect.stringMatching(/^:\w+: \*(LOW|MEDIUM|HIGH|CRITICAL)\* VGL-/), blocks: expect.any(Array) });
    // The file rotated at 64 KiB and lost nothing (checked above).
    expect((await fs.readdir(dir)).filter((f) => /^alerts\.ndjson\.\d+$/.test(f)).length).toBeGreaterThan(0);
  }, 240_000);

  it('forward - a restart neither loses nor floods: only alerts published while it was down are delivered again', async () => {
    await forwarder!.stop();
    const before = got.webhook.length;
    const downtime = await publish(1000, 1010, () => 'VGL-FWD-003');
    forwarder = startForwarder();
    await until('the alerts published while it was down', () => downtime.every((id) => got.webhook.includes(id)), 30_000, () => forwarder!.stderr());
    await new Promise((r) => setTimeout(r, 2000));
    // A clean stop acknowledged everything it had delivered: nothing older comes again.
    expect(got.webhook.slice(before).sort()).toEqual([...downtime].sort());
  }, 60_000);

  it('forward - a bad output is refused with what was expected', async () => {
    const bad = spawnVigil(['forward', '--nats', local.nats.url, '--output', 'pager=http://x']);
    await until('vigil forward exits', () => bad.child.exitCode !== null, 20_000);
    expect(bad.child.exitCode).toBe(2);
    expect(bad.stderr()).toMatch(/expected KIND=TARGET with KIND one of webhook, slack, alertmanager, syslog, file \(actual: "pager=http:\/\/x"\)/);
  }, 30_000);
});
