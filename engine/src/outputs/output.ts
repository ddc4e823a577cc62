import type { AlertJSON } from '../../../proto/src/index.js';

/** A destination alerts are delivered to. `deliver` resolves once the receiver has taken every alert given, and rejects otherwise. */
export interface AlertOutput {
  /** What it delivers to, for logs ("webhook https://…", "syslog tcp://…"). Never a secret. */
  readonly describe: string;
  deliver(alerts: readonly AlertJSON[]): Promise<void>;
  close(): Promise<void>;
}

/** An HTTP answer that is not a 2xx, or a receiver that could not be reached. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    /** Whether trying again can help (a 5xx, a timeout, a refused connection; not a 4xx other than 408 and 429). */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** POSTs a JSON body; a non-2xx answer is a {@link DeliveryError}. */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new DeliveryError(`POST ${redact(url)}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`, true);
  }
  if (response.ok) {
    await response.body?.cancel();
    return;
  }
  const text = (await response.text().catch(() => '')).slice(0, 300);
  const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
  throw new DeliveryError(`POST ${redact(url)}: HTTP ${response.status}${text ? ` ${text}` : ''}`, retryable);
}

/** A URL as logs show it: without credentials, and without the path of a webhook whose path is its secret (Slack's). */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    const secretPath = u.hostname.endsWith('slack.com') || u.pathname.startsWith('/services/');
    return `${u.protocol}//${u.host}${secretPath ? '/services/…' : u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}
