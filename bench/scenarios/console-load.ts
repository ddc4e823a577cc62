import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { chromium } from 'playwright-core';
import { startLocalNats } from '../../test/harness/index.js';
import { startConsole } from '../../engine/src/index.js';
import { encodeAlert, ensureStreams, severityValue, subjects, type SeverityName } from '../../proto/src/index.js';
import type { ScenarioResult } from '../report.js';

const SEVERITIES: SeverityName[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const RULES = ['VGL-CTR-001', 'VGL-CTR-002', 'VGL-CTR-004', 'VGL-RUN-007', 'VGL-RUN-012', 'VGL-IMG-003', 'VGL-HST-014'];

/**
 * Issue #20's console with a full stream: N alerts (varied rules, hosts,
 * containers and CIS ids) in VIGIL_ALERTS, then the console started cold.
 * Reports how long it takes to read the stream, a filtered query's server
 * time, and the first load of the alerts view in Debian's chromium (navigation
 * to the table drawn, facets and timeline included).
 */
export async function consoleLoad(options: { alerts: number }): Promise<ScenarioResult> {
  const nats = await startLocalNats();
  const nc = await connect({ servers: nats.url });
  try {
    await ensureStreams(nc);
    const js = jetstream(nc);
    const now = Date.now();
    let pending: Promise<unknown>[] = [];
    for (let i = 0; i < options.alerts; i++) {
      const severity = SEVERITIES[i % SEVERITIES.length]!;
      const rule = RULES[i % RULES.length]!;
      const host = `node-${i % 10}`;
      pending.push(
        js.publish(
          subjects.alerts(severity, 'container', host),
          encodeAlert({
            id: `bench-${i}`,
            fact_id: `fact-${i}`,
            source: { host, collector: 'container' },
            observed_at_ms: now - (options.alerts - i) * 500,
            raised_at_ms: now - (options.alerts - i) * 500,
            count: 1 + (i % 3),
            finding: { rule_id: rule, severity: severityValue(severity), title: `rule ${rule}`, message: `container "app-${i % 500}" breaks ${rule}`, subject: { kind: 'container', name: `app-${i % 500}`, id: `c${i % 500}`, image: `registry/app:${i % 20}` }, frameworks: { 'cis-docker': { ids: [`5.${i % 30}`] } } },
          }),
        ),
      );
      if (pending.length >= 1_000) {
        await Promise.all(pending);
        pending = [];
      }
    }
    await Promise.all(pending);

    const started = performance.now();
    const server = await startConsole({ nc, port: 0, logger: { info: () => undefined, warn: () => undefined, debug: () => undefined } });
    while (server.alerts.size < options.alerts) await new Promise((r) => setTimeout(r, 20));
    const readS = (performance.now() - started) / 1000;

    const queryStart = performance.now();
    const filtered = (await (await fetch(new URL('/api/alerts?control=cis-docker:5.3&severity=CRITICAL', server.url))).json()) as { total: number };
    const queryMs = performance.now() - queryStart;

    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`${server.url}#/alerts`);
      await page.waitForSelector('#alert-rows tr');
      const firstLoad = await page.evaluate(() => performance.now());
      const filterStart = performance.now();
      await page.goto(`${server.url}#/alerts?q=app-42%20VGL-RUN-007`);
      await page.waitForSelector('.chip');
      await page.waitForSelector('#alert-rows tr');
      const filterMs = performance.now() - filterStart;
      return {
        scenario: 'console with a full alert stream (server-side paging and aggregation, chromium)',
        metrics: {
          alerts_in_stream: options.alerts,
          stream_read_s: Number(readS.toFixed(2)),
          stream_read_alerts_per_s: Math.round(options.alerts / readS),
          filtered_query_ms: Number(queryMs.toFixed(1)),
          filtered_matches: filtered.total,
          first_load_ms: Math.round(firstLoad),
          text_filter_in_browser_ms: Math.round(filterMs),
        },
        notes: [
          'stream_read: the console started cold reads every alert of VIGIL_ALERTS (ordered consumer) into its in-memory view; it serves queries meanwhile.',
          'filtered_query: GET /api/alerts?control=cis-docker:5.3&severity=CRITICAL over all of them (facets, timeline and the first page of 50 included).',
          'first_load: chromium navigation start to the alerts table drawn (performance.now() in the page); text_filter: a search for two words, navigation to the filtered table.',
        ],
      };
    } finally {
      await browser.close();
      await server.stop();
    }
  } finally {
    await nc.close();
    await nats.stop();
  }
}
