import type { AlertJSON } from '../../../proto/src/index.js';
import { postJson, redact, type AlertOutput } from './output.js';

const EMOJI: Record<string, string> = { CRITICAL: ':red_circle:', HIGH: ':large_orange_circle:', MEDIUM: ':large_yellow_circle:', LOW: ':large_blue_circle:', INFO: ':white_circle:' };

/**
 * Slack incoming webhooks and the services that take their shape (Mattermost,
 * Rocket.Chat, Discord's /slack endpoint): one message per alert, `text` for
 * notifications and a block with the fields.
 */
export function slackOutput(options: { url: string; timeoutMs?: number }): AlertOutput {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    describe: `slack ${redact(options.url)}`,
    async deliver(alerts) {
      for (const alert of alerts) await postJson(options.url, JSON.stringify(slackMessage(alert)), {}, timeoutMs);
    },
    async close() {},
  };
}

export function slackMessage(alert: AlertJSON): Record<string, unknown> {
  const where = alert.subject.kind === 'host' ? `host ${alert.host}` : `${alert.subject.kind} ${alert.subject.name} on ${alert.host}`;
  const count = alert.count > 1 ? ` (×${alert.count})` : '';
  const text = `${EMOJI[alert.severity] ?? ''} *${alert.severity}* ${alert.rule_id} ${where}${count}: ${alert.message}`.trim();
  const controls = Object.entries(alert.frameworks)
    .filter(([, ids]) => ids.length > 0)
    .map(([name, ids]) => `${name} ${ids.join(', ')}`)
    .join(' · ');
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: [alert.title, controls, alert.recommended_action && `Fix: ${alert.recommended_action}`, `alert ${alert.alert_id}`].filter(Boolean).join('\n') }],
      },
    ],
  };
}
