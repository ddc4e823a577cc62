import type { AlertJSON } from '../../../proto/src/index.js';
import { postJson, redact, type AlertOutput } from './output.js';

/**
 * Prometheus Alertmanager, API v2: each batch in one POST to /api/v2/alerts.
 * Labels identify an alert to Alertmanager (it groups and deduplicates on
 * them): the rule, severity, host and subject; the rest are annotations.
 * Without endsAt, Alertmanager resolves an alert after its resolve_timeout.
 */
export function alertmanagerOutput(options: { url: string; timeoutMs?: number; generatorUrl?: string }): AlertOutput {
  const endpoint = `${options.url.replace(/\/+$/, '')}/api/v2/alerts`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    describe: `alertmanager ${redact(options.url)}`,
    async deliver(alerts) {
      if (alerts.length > 0) await postJson(endpoint, JSON.stringify(alerts.map((a) => alertmanagerAlert(a, options.generatorUrl))), {}, timeoutMs);
    },
    async close() {},
  };
}

export function alertmanagerAlert(alert: AlertJSON, generatorUrl?: string): Record<string, unknown> {
  const labels: Record<string, string> = {
    alertname: alert.rule_id,
    severity: alert.severity.toLowerCase(),
    host: alert.host,
    subject_kind: alert.subject.kind,
    subject: alert.subject.name || alert.subject.id,
    source: 'vigil',
  };
  const annotations: Record<string, string> = {
    summary: alert.title,
    description: alert.message,
    alert_id: alert.alert_id,
    count: String(alert.count),
  };
  if (alert.recommended_action) annotations.recommended_action = alert.recommended_action;
  for (const [name, ids] of Object.entries(alert.frameworks)) if (ids.length > 0) annotations[labelName(name)] = ids.join(',');
  return { labels, annotations, startsAt: alert.raised_at, ...(generatorUrl ? { generatorURL: generatorUrl } : {}) };
}

/** Alertmanager's label and annotation names: [a-zA-Z_][a-zA-Z0-9_]* (cis-docker → cis_docker). */
const labelName = (name: string): string => name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=\d)/, '_');
