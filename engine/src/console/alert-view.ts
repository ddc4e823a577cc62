import type { AlertJSON } from '../../../proto/src/index.js';

/** An alert as the console holds it: its JSON, its stream sequence and subject, and whether an operator acknowledged it. */
export interface HeldAlert {
  seq: number;
  subject: string;
  alert: AlertJSON;
  /** Lower-cased text searched by the free-text filter. */
  text: string;
  workload: string;
  acked?: { by: string; at: string };
}

export interface AlertQuery {
  severity?: string[];
  rule?: string[];
  /** A framework control: "cis-docker:5.4", "pss:privileged", "mitre:T1059", or the id alone. */
  control?: string[];
  host?: string[];
  workload?: string[];
  text?: string;
  /** Hide acknowledged alerts. */
  open?: boolean;
  /** Page of newest-first results: items before this stream sequence. */
  before?: number;
  limit?: number;
}

export interface Breakdown {
  key: string;
  count: number;
}

export interface AlertPage {
  total: number;
  items: Array<HeldAlert & { first_seen: string; last_seen: string; occurrences: number }>;
  /** Counts of the alerts matching the query (every page), by facet. */
  facets: { severity: Breakdown[]; rule: Breakdown[]; control: Breakdown[]; host: Breakdown[]; workload: Breakdown[]; tag: Breakdown[] };
  /** Matching alerts per time bucket, oldest first. */
  timeline: Array<{ start: string; count: number }>;
  /** Sequence to ask `before` for the next page, when there is one. */
  next?: number;
}

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'];
const TIMELINE_BUCKETS = 48;
const FACET_TOP = 12;

/** The workload an alert is about: a container's name, an image's, the host's otherwise. */
export function workloadOf(alert: AlertJSON): string {
  return alert.subject.kind === 'host' ? `host/${alert.host}` : `${alert.subject.kind}/${alert.subject.name || alert.subject.id}`;
}

const controlsOf = (alert: AlertJSON): string[] => Object.entries(alert.frameworks).flatMap(([framework, ids]) => ids.map((id) => `${framework}:${id}`));

/**
 * Alerts of the VIGIL_ALERTS stream held in memory, newest last, for the
 * console's queries: filtered, paged, aggregated and bucketed on the server,
 * so a browser never holds more than a page. The stream stays the record; this
 * is rebuilt from it at start.
 */
export class AlertView {
  private readonly alerts: HeldAlert[] = [];
  private readonly byId = new Map<string, HeldAlert>();
  /** Rule, subject and host of an alert: the identity under which repeats aggregate. */
  private readonly firstSeen = new Map<string, { first: string; occurrences: number }>();

  constructor(private readonly capacity = 200_000) {}

  get size(): number {
    return this.alerts.length;
  }

  add(seq: number, subject: string, alert: AlertJSON): HeldAlert {
    const workload = workloadOf(alert);
    const held: HeldAlert = {
      seq,
      subject,
      alert,
      workload,
      text: `${alert.rule_id} ${alert.title} ${alert.message} ${alert.host} ${workload} ${alert.subject.image} ${(alert.tags ?? []).join(' ')}`.toLowerCase(),
    };
    const key = identity(alert);
    const seen = this.firstSeen.get(key);
    this.firstSeen.set(key, { first: seen?.first ?? alert.raised_at, occurrences: (seen?.occurrences ?? 0) + alert.count });
    this.alerts.push(held);
    this.byId.set(alert.alert_id, held);
    if (this.alerts.length > this.capacity) {
      const dropped = this.alerts.shift()!;
      if (this.byId.get(dropped.alert.alert_id) === dropped) this.byId.delete(dropped.alert.alert_id);
    }
    return held;
  }

  /** Every alert held, oldest first. */
  *all(): Iterable<AlertJSON> {
    for (const held of this.alerts) yield held.alert;
  }

  get(id: string): HeldAlert | undefined {
    return this.byId.get(id);
  }

  ack(id: string, by: string, at: string): boolean {
    const held = this.byId.get(id);
    if (!held) return false;
    held.acked = { by, at };
    return true;
  }

  matcher(query: AlertQuery): (held: HeldAlert) => boolean {
    const inSet = (values: string[] | undefined) => (values && values.length > 0 ? new Set(values.map((v) => v.toLowerCase())) : undefined);
    const severity = inSet(query.severity);
    const rule = inSet(query.rule);
    const host = inSet(query.host);
    const workload = inSet(query.workload);
    const control = inSet(query.control);
    const text = query.text?.trim().toLowerCase();
    return (held) => {
      const a = held.alert;
      if (severity && !severity.has(a.severity.toLowerCase())) return false;
      if (rule && !rule.has(a.rule_id.toLowerCase())) return false;
      if (host && !host.has(a.host.toLowerCase())) return false;
      if (workload && !workload.has(held.workload.toLowerCase())) return false;
      if (query.open && held.acked) return false;
      if (control) {
        const own = controlsOf(a).map((c) => c.toLowerCase());
        if (!own.some((c) => control.has(c) || control.has(c.slice(c.indexOf(':') + 1)))) return false;
      }
      if (text && !text.split(/\s+/).every((word) => held.text.includes(word))) return false;
      return true;
    };
  }

  query(query: AlertQuery): AlertPage {
    const matches = this.matcher(query);
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
    const counters = { severity: new Map<string, number>(), rule: new Map<string, number>(), control: new Map<string, number>(), host: new Map<string, number>(), workload: new Map<string, number>(), tag: new Map<string, number>() };
    const bump = (map: Map<string, number>, key: string): void => {
      map.set(key, (map.get(key) ?? 0) + 1);
    };
    const items: HeldAlert[] = [];
    const times: number[] = [];
    let total = 0;
    let next: number | undefined;
    for (let i = this.alerts.length - 1; i >= 0; i--) {
      const held = this.alerts[i]!;
      if (!matches(held)) continue;
      total++;
      const a = held.alert;
      bump(counters.severity, a.severity);
      bump(counters.rule, a.rule_id);
      bump(counters.host, a.host);
      bump(counters.workload, held.workload);
      for (const c of controlsOf(a)) bump(counters.control, c);
      for (const t of a.tags ?? []) bump(counters.tag, t);
      times.push(Date.parse(a.raised_at));
      if (query.before === undefined || held.seq < query.before) {
        if (items.length < limit) items.push(held);
        else if (next === undefined) next = items[items.length - 1]!.seq;
      }
    }
    const top = (map: Map<string, number>, order?: string[]): Breakdown[] =>
      [...map]
        .map(([key, count]) => ({ key, count }))
        .sort((x, y) => (order ? order.indexOf(x.key) - order.indexOf(y.key) : y.count - x.count || x.key.localeCompare(y.key)))
        .slice(0, FACET_TOP);
    return {
      total,
      items: items.map((held) => {
        const seen = this.firstSeen.get(identity(held.alert));
        return { ...held, first_seen: seen?.first ?? held.alert.raised_at, last_seen: held.alert.raised_at, occurrences: seen?.occurrences ?? held.alert.count };
      }),
      facets: {
        severity: top(counters.severity, SEVERITIES),
        rule: top(counters.rule),
        control: top(counters.control),
        host: top(counters.host),
        workload: top(counters.workload),
        tag: top(counters.tag),
      },
      timeline: timeline(times),
      ...(next !== undefined ? { next } : {}),
    };
  }
}

const identity = (a: AlertJSON): string => `${a.rule_id}\u0000${a.host}\u0000${a.subject.kind}\u0000${a.subject.id || a.subject.name}`;

function timeline(times: number[]): Array<{ start: string; count: number }> {
  const valid = times.filter(Number.isFinite);
  if (valid.length === 0) return [];
  let min = Infinity;
  let max = -Infinity;
  for (const t of valid) {
    if (t < min) min = t;
    if (t > max) max = t;
  }
  const width = Math.max(1_000, Math.ceil((max - min + 1) / TIMELINE_BUCKETS));
  const buckets = Array.from({ length: Math.min(TIMELINE_BUCKETS, Math.ceil((max - min + 1) / width)) }, (_, i) => ({ start: new Date(min + i * width).toISOString(), count: 0 }));
  for (const t of valid) buckets[Math.min(buckets.length - 1, Math.floor((t - min) / width))]!.count++;
  return buckets;
}
