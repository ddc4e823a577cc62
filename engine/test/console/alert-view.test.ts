import { describe, expect, it } from '@jest/globals';
import type { AlertJSON } from '../../../proto/src/index.js';
import { AlertView } from '../../src/console/alert-view.js';

const alert = (i: number, over: Partial<AlertJSON> = {}): AlertJSON => ({
  alert_id: `a${i}`,
  fact_id: `f${i}`,
  host: i % 2 === 0 ? 'node-a' : 'node-b',
  observed_at: new Date(1_800_000_000_000 + i * 1000).toISOString(),
  raised_at: new Date(1_800_000_000_000 + i * 1000).toISOString(),
  count: 1,
  rule_id: i % 3 === 0 ? 'VGL-CTR-001' : 'VGL-RUN-007',
  severity: i % 3 === 0 ? 'CRITICAL' : 'HIGH',
  title: 't',
  message: `container "web-${i % 4}" did something`,
  recommended_action: '',
  frameworks: i % 3 === 0 ? { 'cis-docker': ['5.4'] } : { mitre: ['T1059'] },
  subject: { kind: 'container', name: `web-${i % 4}`, id: `c${i % 4}`, source: '', image: 'nginx' },
  ...over,
});

describe('console alert view', () => {
  const view = new AlertView();
  for (let i = 0; i < 120; i++) view.add(i + 1, 'vigil.alerts.high.container.node-a', alert(i));

  it('filters by severity, rule, control (with or without its framework), host, workload and words, newest first', () => {
    const critical = view.query({ severity: ['critical'] });
    expect(critical.total).toBe(40);
    expect(critical.items[0]!.alert.alert_id).toBe('a117');
    expect(view.query({ control: ['cis-docker:5.4'] }).total).toBe(40);
    expect(view.query({ control: ['T1059'] }).total).toBe(80);
    expect(view.query({ host: ['node-b'], rule: ['VGL-RUN-007'] }).total).toBe(40);
    expect(view.query({ workload: ['container/web-1'] }).total).toBe(30);
    expect(view.query({ text: 'WEB-2 did' }).total).toBe(30);
    expect(view.query({ text: 'nothing-like-this' }).total).toBe(0);
  });

  it('pages with a cursor, facets and the timeline count every match, aggregates carry first seen and occurrences', () => {
    const first = view.query({ limit: 50 });
    expect(first.items).toHaveLength(50);
    const second = view.query({ limit: 50, before: first.next });
    expect(second.items[0]!.seq).toBeLessThan(first.items.at(-1)!.seq);
    const third = view.query({ limit: 50, before: second.next });
    expect(third.items).toHaveLength(20);
    expect(third.next).toBeUndefined();
    expect(first.facets.severity).toEqual([{ key: 'CRITICAL', count: 40 }, { key: 'HIGH', count: 80 }]);
    expect(first.timeline.reduce((n, b) => n + b.count, 0)).toBe(120);
    const item = view.query({ workload: ['container/web-0'], rule: ['VGL-CTR-001'] }).items[0]!;
    expect(item.first_seen).toBe(alert(0).raised_at);
    expect(item.occurrences).toBe(10);
  });

  it('an acknowledged alert is hidden by the open filter', () => {
    expect(view.ack('a117', 'console', '2026-12-04T00:00:00Z')).toBe(true);
    expect(view.query({ open: true, severity: ['CRITICAL'] }).total).toBe(39);
    expect(view.ack('missing', 'console', '')).toBe(false);
  });

  it('holds at most its capacity, dropping the oldest', () => {
    const small = new AlertView(10);
    for (let i = 0; i < 25; i++) small.add(i + 1, 's', alert(i));
    expect(small.size).toBe(10);
    expect(small.get('a0')).toBeUndefined();
    expect(small.get('a24')).toBeDefined();
  });
});
