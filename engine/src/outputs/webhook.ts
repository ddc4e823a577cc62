import { createHmac, timingSafeEqual } from 'node:crypto';
import { postJson, redact, type AlertOutput } from './output.js';

export interface WebhookOptions {
  url: string;
  /** Signs each body: `X-Vigil-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` with `X-Vigil-Timestamp`. */
  secret?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * A generic webhook: one POST per alert, its JSON as `vigil alerts --format
 * json` prints it. The receiver can drop a redelivered alert by its `alert_id`.
 */
export function webhookOutput(options: WebhookOptions): AlertOutput {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    describe: `webhook ${redact(options.url)}`,
    async deliver(alerts) {
      for (const alert of alerts) {
        const body = JSON.stringify(alert);
        await postJson(options.url, body, { ...options.headers, ...signature(body, options.secret) }, timeoutMs);
      }
    },
    async close() {},
  };
}

function signature(body: string, secret: string | undefined): Record<string, string> {
  if (!secret) return {};
  const timestamp = String(Math.floor(Date.now() / 1000));
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return { 'x-vigil-timestamp': timestamp, 'x-vigil-signature': `sha256=${mac}` };
}

/** Checks a body as a receiver would (for tests and receivers written in Node). */
export function verifyWebhookSignature(body: string, timestamp: string, header: string, secret: string): boolean {
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
  return expected.length === header.length && timingSafeEqual(Buffer.from(expected), Buffer.from(header));
}
