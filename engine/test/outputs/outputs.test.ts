import { describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AlertJSON } from '../../../proto/src/index.js';
import { alertmanagerAlert } from '../../src/outputs/alertmanager.js';
import { fileOutput } from '../../src/outputs/file.js';
import { compileFilter } from '../../src/outputs/filter.js';
import { redact } from '../../src/outputs/output.js';
import { syslogMessage } from '../../src/outputs/syslog.js';
import { verifyWebhookSignature } from '../../src/outputs/webhook.js';

const alert = (over: Partial<AlertJSON> = {}): AlertJSON => ({
  alert_id: 'a1',
  fact_id: 'f1',
  host: 'node-a',
  observed_at: '2026-12-04T00:00:00.000Z',
  raised_at: '2026-12-04T00:00:01.000Z',
  count: 3,
  rule_id: 'VGL-CTR-001',
  severity: 'HIGH',
  title: 'Privileged container',
  message: 'container "web" runs privileged',
  recommended_action: 'Drop --privileged',
  frameworks: { 'cis-docker': ['5.4'], pss: [] },
  subject: { kind: 'container', name: 'web', id: 'abc', source: '', image: 'nginx' },
  ...over,
});

describe('outputs', () => {
  it('filter - severity floor, rule globs and subject patterns all hold', () => {
    const take = compileFilter({ minSeverity: 'HIGH', rules: ['VGL-CTR-*'], subjects: ['vigil.alerts.*.container.>'] });
    expect(take(alert(), 'vigil.alerts.high.container.node-a')).toBe(true);
    expect(take(alert({ severity: 'MEDIUM' }), 'vigil.alerts.medium.container.node-a')).toBe(false);
    expect(take(alert({ rule_id: 'VGL-RUN-001' }), 'vigil.alerts.high.container.node-a')).toBe(false);
    expect(take(alert(), 'vigil.alerts.high.host.node-a')).toBe(false);
    expect(compileFilter({})(alert({ severity: 'INFO' }), 'x')).toBe(true);
  });

  it('syslog - an RFC 5424 message: PRI from facility and severity, MSGID the rule, escaped structured data, the JSON as MSG', () => {
    const text = syslogMessage(alert({ subject: { kind: 'container', name: 'we"b]', id: 'abc', source: '', image: '' } })).toString();
    // facility 10 × 8 + err (3)
    expect(text.startsWith('<83>1 2026-12-04T00:00:01.000Z node-a vigil - VGL-CTR-001 [vigil@32473 alert_id="a1" rule="VGL-CTR-001" severity="HIGH" kind="container" subject="we\\"b\\]" count="3"] \ufeff{')).toBe(true);
    expect(JSON.parse(text.slice(text.indexOf('\ufeff') + 1))).toMatchObject({ alert_id: 'a1' });
    expect(syslogMessage(alert({ severity: 'CRITICAL' }), 16).toString()).toMatch(/^<130>1 /);
    const long = syslogMessage(alert({ message: 'x'.repeat(20_000) }), 10, 8_192);
    expect(long.length).toBeLessThanOrEqual(8_192);
  });

  it('alertmanager - labels identify the alert, the rest are annotations', () => {
    expect(alertmanagerAlert(alert())).toEqual({
      labels: { alertname: 'VGL-CTR-001', severity: 'high', host: 'node-a', subject_kind: 'container', subject: 'web', source: 'vigil' },
      annotations: { summary: 'Privileged container', description: 'container "web" runs privileged', alert_id: 'a1', count: '3', recommended_action: 'Drop --privileged', cis_docker: '5.4' },
      startsAt: '2026-12-04T00:00:01.000Z',
    });
  });

  it('file - NDJSON appended, rotated past the size, the oldest dropped past keep', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-file-output-'));
    try {
      const file = path.join(dir, 'alerts.ndjson');
      const out = fileOutput({ path: file, maxBytes: 2_000, keep: 2 });
      for (let i = 0; i < 12; i++) await out.deliver([alert({ alert_id: `a${i}` }), alert({ alert_id: `b${i}` })]);
      await out.close();
      expect((await fs.readdir(dir)).sort()).toEqual(['alerts.ndjson', 'alerts.ndjson.1', 'alerts.ndjson.2']);
      const lines = (await fs.readFile(file, 'utf8')).trim().split('\n');
      expect(JSON.parse(lines.at(-1)!).alert_id).toBe('b11');
      for (const f of await fs.readdir(dir)) expect((await fs.stat(path.join(dir, f))).size).toBeLessThanOrEqual(2_000);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('webhook - the signature covers timestamp and body; logs never show credentials or a Slack path', () => {
    expect(verifyWebhookSignature('{}', '1', 'sha256=00', 's')).toBe(false);
    expect(redact('https://user:pw@hooks.slack.com/services/T0/B0/XXXX?x=1')).toBe('https://hooks.slack.com/services/…?…');
  });
});
