import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import fs from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { profileKey } from '../engine/src/index.js';
import { decodeVerdict, type AlertJSON, type Verdict } from '../proto/src/index.js';
import { BUSYBOX_IMAGE, docker, removeContainersByPrefix } from './harness/index.js';
import { useLocalNats } from './support/local-nats.js';
import { spawnVigilUp, untilRuntimeCollector, type VigilUp } from './support/vigil-process.js';

/**
 * The console in a real browser (Debian's chromium through playwright-core)
 * against a real `vigil up`, real containers and the real kernel: alerts live,
 * filtering by a CIS control, an exception made in the console silencing the
 * next occurrence, the fleet's collectors with live counters and the engine
 * replicas from their heartbeats, a workload's posture, profile and drift, a
 * drift item approved into the profile, and dark mode's contrast. Each view's
 * screenshot goes to docs/console/.
 */

/** WCAG relative luminance of a CSS rgb()/rgba() colour. */
function luminance(css: string): number {
  const [r, g, b] = (css.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
const contrast = (a: string, b: string): number => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
};

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.resolve('docs', 'console');
const PREFIX = `vigil-console-${process.pid}-`;
const WORKLOAD = `console-demo-${process.pid}`;

describe('console - in a real browser against vigil up', () => {
  const local = useLocalNats({ streams: true });
  let up: VigilUp;
  let browser: Browser;
  let page: Page;
  let base: string;
  let token: string;

  const until = async (what: string | (() => string), test: () => Promise<boolean>, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await test().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`${typeof what === 'string' ? what : what()} within ${timeoutMs} ms\n${up.stderr().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const api = async (p: string): Promise<Record<string, unknown>> => (await fetch(new URL(p, base), { headers: { authorization: `Bearer ${token}` } })).json() as Promise<Record<string, unknown>>;
  const shot = async (name: string): Promise<void> => {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
  };

  beforeAll(async () => {
    await fs.access(CHROMIUM).catch(() => {
      throw new Error(`${CHROMIUM} is missing: the console test needs Debian's chromium (scripts/setup.sh --test installs it)`);
    });
    await fs.mkdir(SHOTS, { recursive: true });
    await removeContainersByPrefix(PREFIX);
    up = spawnVigilUp(['--nats', local.nats.url, '--collectors', 'container,runtime', '--learn-window', '15s', '--console', '127.0.0.1:0', '--host', 'console-host']);
    await untilRuntimeCollector(up, 90_000);
    const line = /console at (http:\/\/\S+)\?token=(\S+)/.exec(up.stderr());
    if (!line) throw new Error(`vigil up did not print its console address:\n${up.stderr().slice(-2000)}`);
    base = line[1]!;
    token = line[2]!;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}?token=${token}#/alerts`);
    await page.waitForSelector('table[aria-label="alerts"]');
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await up?.stop();
    await removeContainersByPrefix(PREFIX);
  }, 60_000);

  it('alerts - a risky container’s alert appears live within 2 s of its fact, without a reload', async () => {
    const name = `${PREFIX}capadd`;
    await docker(['run', '-d', '--name', name, '--cap-add', 'SYS_ADMIN', BUSYBOX_IMAGE, 'sleep', '3600']);
    // The engine's alert is the start: from it to the row in the page is the console's part.
    await until('the engine alerting on the container', async () => up.alerts.some((a) => a.subject.name.includes(name) && a.rule_id === 'VGL-CTR-002'), 30_000);
    const alerted = Date.now();
    const row = page.locator('#alert-rows tr', { hasText: name }).filter({ hasText: 'VGL-CTR-002' });
    await row.first().waitFor({ timeout: 2_000 });
    const took = Date.now() - alerted;
    process.stdout.write(`console: alert row ${took} ms after the engine published it\n`);
    expect(took).toBeLessThan(2_000);
    await shot('alerts');
  }, 60_000);

  it('alerts - filtering by a CIS control narrows the list to alerts of that control, and the URL reproduces it', async () => {
    const all = (await api('/api/alerts')) as { total: number };
    await page.fill('input[name="control"]', 'cis-docker:5.4');
    await page.press('input[name="control"]', 'Enter');
    await page.waitForURL(/control=cis-docker/);
    await page.waitForSelector('.chip:has-text("control: cis-docker:5.4")');
    const filtered = (await api('/api/alerts?control=cis-docker:5.4')) as { total: number; items: Array<{ alert: { frameworks: Record<string, string[]> } }> };
    expect(filtered.total).toBeGreaterThan(0);
    expect(filtered.total).toBeLessThan(all.total);
    for (const item of filtered.items) expect(item.alert.frameworks['cis-docker']).toContain('5.4');
    // Every row the page shows is an alert of that control (alerts may keep arriving: the count is not fixed).
    const shown = async (p: Page): Promise<string[]> => p.locator('#alert-rows tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-alert-id') ?? ''));
    const ids = await shown(page);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(((await api(`/api/alerts/${encodeURIComponent(id)}`)) as { alert: { frameworks: Record<string, string[]> } }).alert.frameworks['cis-docker']).toContain('5.4');
    // A fresh page at the same URL shows the same list.
    const again = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await again.goto(page.url());
    await again.waitForSelector('.chip:has-text("control: cis-docker:5.4")');
    expect(await shown(again)).toEqual(expect.arrayContaining(ids.slice(0, 5)));
    await again.close();
    await shot('alerts-filtered');
  }, 60_000);

  it('actions - an exception created from an alert silences its next occurrence, and is listed and audited', async () => {
    const audits: string[] = [];
    local.nc.subscribe('vigil.audit.console.>', { callback: (_e, m) => void audits.push(m.subject) });
    await page.goto(`${base}?token=${token}#/alerts?rule=VGL-CTR-002`);
    const row = page.locator('#alert-rows tr', { hasText: `${PREFIX}capadd` }).first();
    await row.waitFor();
    await row.focus();
    await page.keyboard.press('Enter');
    // The fact behind the alert, from the fact archive.
    await page.waitForSelector(`pre[aria-label="the fact behind the alert"]:has-text("${PREFIX}capadd")`, { timeout: 10_000 });
    await page.selectOption('select[name="scope"]', 'container');
    await page.fill('input[name="justification"]', 'the console test accepts SYS_ADMIN on this one container');
    await shot('alert-detail');
    await page.click('button:has-text("Create exception")');
    await page.waitForSelector('p[role="status"]:has-text("exception created")');
    // The engine follows the data documents: the same container made again raises its other alerts, not this one.
    await new Promise((r) => setTimeout(r, 1_500));
    const name = `${PREFIX}capadd`;
    await docker(['rm', '-f', name]);
    const before = up.alerts.length;
    await docker(['run', '-d', '--name', name, '--cap-add', 'SYS_ADMIN', BUSYBOX_IMAGE, 'sleep', '3600']);
    await until('the new container judged', async () => up.alerts.slice(before).some((a) => a.subject.name.includes(name)), 30_000);
    await new Promise((r) => setTimeout(r, 2_000));
    const again = up.alerts.slice(before).filter((a) => a.subject.name.includes(name));
    expect(again.map((a) => a.rule_id)).not.toContain('VGL-CTR-002');
    expect(again.length).toBeGreaterThan(0);
    await page.goto(`${base}?token=${token}#/exceptions`);
    await page.waitForSelector(`td:has-text("VGL-CTR-002")`);
    await shot('exceptions');
    await until('the audit event', async () => audits.includes('vigil.audit.console.exception'), 5_000);
    // Without the token an action is refused.
    const refused = await fetch(new URL('/api/exceptions', base), { method: 'POST', body: '{}' });
    expect(refused.status).toBe(401);
  }, 90_000);

  it('fleet - this host’s collectors with live counters, the engine consumer and the bundles', async () => {
    await page.goto(`${base}?token=${token}#/fleet`);
    await page.waitForSelector('section[aria-label="host console-host"] tr[data-collector="runtime"]');
    const host = page.locator('section[aria-label="host console-host"]');
    const facts = async (): Promise<number> => Number(await host.locator('tr[data-collector="container"] td:nth-child(5)').innerText());
    // From the agent's heartbeat: what the outbox had acknowledged when it was sent.
    const published = async (collector: string): Promise<number> => Number(await host.locator(`tr[data-collector="${collector}"] td[data-counter="published"]`).innerText());
    await until('the runtime collector’s heartbeat counters in the page', async () => (await published('runtime')) > 0, 15_000);
    const first = await facts();
    const firstPublished = await published('container');
    await docker(['run', '-d', '--name', `${PREFIX}tick`, BUSYBOX_IMAGE, 'sleep', '3600']);
    await until('the container collector’s counters grow in the page (it refreshes itself)', async () => (await facts()) > first && (await published('container')) > firstPublished, 20_000);
    for (const counter of ['dropped', 'rate_limited', 'source_lost']) expect(await host.locator(`tr[data-collector="runtime"] td[data-counter="${counter}"]`).innerText()).toMatch(/^\d+$/);
    expect(await host.locator('tr[data-collector="runtime"] td[data-counter="outbox"]').innerText()).toMatch(/^\d+ batches, /);
    // The engine replica of this vigil up, from its heartbeat.
    const fleet = (await api('/api/fleet')) as { replicas: Array<{ replica: string; facts: number; workers: number }> };
    expect(fleet.replicas).toHaveLength(1);
    expect(fleet.replicas[0]!.facts).toBeGreaterThan(0);
    await page.waitForSelector(`tr[data-replica="${fleet.replicas[0]!.replica}"]`);
    expect(await page.locator('text=consumer vigil-engine').count()).toBe(1);
    await shot('fleet');
  }, 60_000);

  it('workloads - a learned profile enforcing, and its drift', async () => {
    const name = `${PREFIX}web`;
    await docker(['run', '-d', '--name', name, '--label', `vigil.dev/workload=${WORKLOAD}`, BUSYBOX_IMAGE, 'sh', '-c', 'while true; do cat /etc/hostname > /dev/null; sleep 1; done']);
    await until('the profile enforcing', async () => ((await api('/api/workloads')).workloads as Array<{ workload: string; profile: { state: string } | null }>).some((w) => w.workload === WORKLOAD && w.profile?.state === 'enforcing'), 90_000);
    await new Promise((r) => setTimeout(r, 2_000));
    await docker(['exec', name, 'wget', '-q', '-T', '1', '-O', '/dev/null', 'http://127.0.0.1:1/']).catch(() => undefined);
    await until('a drift alert naming the workload', async () => up.alerts.some((a) => a.message.includes(`(workload ${WORKLOAD})`)), 30_000);
    await page.goto(`${base}?token=${token}#/workloads`);
    const card = page.locator(`section[aria-label="workload ${WORKLOAD}"]`);
    await card.waitFor();
    expect(await card.innerText()).toMatch(/profile enforcing/);
    await shot('workloads');

    // The workload's posture: its container judged now, the CIS and PSS controls passed and failed.
    type Posture = { posture: { configuration: Array<{ rule_id: string }>; controls: Record<string, { passed: string[]; failed: string[] }> }; drift_alerts: Array<{ alert_id: string; message: string }> };
    const posture = (await api(`/api/workloads/${encodeURIComponent(WORKLOAD)}`)) as unknown as Posture;
    const cis = posture.posture.controls['cis-docker']!;
    expect(cis.failed.length).toBeGreaterThan(0);
    expect(cis.passed.length).toBeGreaterThan(0);
    expect(posture.posture.configuration.length).toBeGreaterThan(0);
    expect(await card.locator('[data-framework="cis-docker"]').innerText()).toBe(`cis-docker: ${cis.passed.length} passed, ${cis.failed.length} failed`);
    await card.locator('h2 a').click();
    await page.waitForSelector(`h3:has-text("cis-docker: ${cis.passed.length} passed, ${cis.failed.length} failed")`);
    await page.waitForSelector(`section[aria-label="Configuration"] li:has-text("${posture.posture.configuration[0]!.rule_id}")`);

    // Approve the drifting executable from the console: the engines judge with the new profile version.
    const exec = (): AlertJSON | undefined => up.alerts.find((a) => a.rule_id === 'VGL-RUN-047' && a.message.includes(`(workload ${WORKLOAD}) executed /bin/wget `));
    await until(() => `the executable drift alert (alerts on the workload: ${JSON.stringify(up.alerts.filter((a) => a.message.includes(WORKLOAD)).map((a) => a.message))})`, async () => exec() !== undefined, 20_000);
    await page.reload();
    const drift = page.locator(`section[aria-label="drift"] li[data-drift="${exec()!.alert_id}"]`);
    await drift.waitFor({ timeout: 10_000 });
    await drift.locator('button:has-text("Items to approve")').click();
    const approve = drift.locator('button[data-approve="executables:/bin/wget"]');
    await approve.waitFor({ timeout: 10_000 });
    await shot('workload');
    const applied = (): number => up.stderr().split('data documents updated').length;
    const appliedBefore = applied();
    await approve.click();
    await page.waitForSelector('section[aria-label="drift"] p[role="status"]:has-text("approved executables /bin/wget")');
    const kv = await new Kvm(local.nc).open('vigil-profiles');
    const stored = JSON.parse(new TextDecoder().decode((await kv.get(profileKey(WORKLOAD)))!.value)) as { items: { executables: Record<string, { replicas: string[] }> } };
    expect(stored.items.executables['/bin/wget']?.replicas).toEqual(['approved']);
    await drift.locator('.chip:has-text("executables: /bin/wget (in the profile)")').waitFor({ timeout: 5_000 });
    await until('the engine judging with the approved profile', async () => applied() > appliedBefore, 10_000);
    // Verdicts are not throttled: the approved executable gives no drift finding, an unapproved one still does.
    const verdicts: Verdict[] = [];
    const sub = local.nc.subscribe('vigil.verdicts.process_exec.console-host', { callback: (_e, m) => void verdicts.push(decodeVerdict(m.data)) });
    await local.nc.flush();
    await docker(['exec', name, 'wget', '-q', '-T', '1', '-O', '/dev/null', 'http://127.0.0.1:1/']).catch(() => undefined);
    await docker(['exec', name, 'uname']);
    const driftOn = (exe: string) => verdicts.flatMap((v) => v.findings).filter((f) => f.rule_id === 'VGL-RUN-047' && (f.message ?? '').includes(`executed ${exe} `));
    await until('a drift finding on the unapproved executable', async () => driftOn('/bin/uname').length > 0, 15_000);
    sub.unsubscribe();
    expect(driftOn('/bin/wget')).toEqual([]);
    // Usable at phone width.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}?token=${token}#/alerts`);
    await page.waitForSelector('#alert-rows tr');
    await shot('alerts-phone');

    // Dark mode: the page follows the system's scheme, and its text keeps WCAG AA contrast (4.5:1).
    const dark = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
    await dark.goto(`${base}?token=${token}#/alerts`);
    await dark.waitForSelector('#alert-rows tr .sev');
    const colours = await paletteOf(dark);
    expect(luminance(colours.bg)).toBeLessThan(0.05);
    expectReadable(colours);
    // And the light scheme the same.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${base}?token=${token}#/alerts`);
    await page.waitForSelector('#alert-rows tr .sev');
    const light = await paletteOf(page);
    expect(luminance(light.bg)).toBeGreaterThan(0.8);
    expectReadable(light);
    await dark.screenshot({ path: path.join(SHOTS, 'alerts-dark.png') });
    await dark.close();
    const jsm = await jetstreamManager(local.nc);
    expect((await jsm.streams.info('VIGIL_ALERTS')).state.messages).toBeGreaterThan(0);
  }, 150_000);
});

interface Palette {
  bg: string;
  panel: string;
  text: string[];
  muted: string[];
  severities: string[];
}

/** The computed colours of the page's background, cards, text and severity labels. */
async function paletteOf(p: Page): Promise<Palette> {
  // Run in the page (a string: this package's TypeScript has no DOM types).
  return (await p.evaluate(`(() => {
    const bg = getComputedStyle(document.body).backgroundColor;
    const panel = getComputedStyle(document.querySelector('.card')).backgroundColor;
    const sample = (selector) => [...document.querySelectorAll(selector)].slice(0, 20).map((e) => getComputedStyle(e).color);
    return { bg, panel, text: sample('td, h1, h2, h3, nav a, label, button'), muted: sample('.muted'), severities: sample('.sev') };
  })()`)) as Palette;
}

/** WCAG AA: text at 4.5:1 against the page and against its cards. */
function expectReadable(p: Palette): void {
  expect(p.severities.length).toBeGreaterThan(0);
  for (const colour of [...p.text, ...p.muted, ...p.severities]) {
    expect(contrast(colour, p.bg)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(colour, p.panel)).toBeGreaterThanOrEqual(4.5);
  }
}
