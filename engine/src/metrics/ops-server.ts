import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROMETHEUS_CONTENT_TYPE } from './exposition.js';
import type { Registry } from './registry.js';

/** Ready or not, and why not. */
export interface ReadyState {
  ready: boolean;
  reason?: string;
}

export interface OpsServerOptions {
  /** TCP port; 0 picks a free one (read it back from the result). */
  port: number;
  /** Interface to bind (default 127.0.0.1: metrics are not for the whole network unless asked). */
  host?: string;
  registry: Registry;
  /** Whether the engine can take work: connected to NATS, bundle loaded, consumer bound. */
  ready(): boolean | ReadyState;
}

export interface OpsServer {
  readonly port: number;
  /** Stops listening and drops open connections (scrapers keep them alive). */
  close(): Promise<void>;
}

const TEXT = 'text/plain; charset=utf-8';

/**
 * The engine's operations endpoint:
 * - `GET /metrics`: the registry in the Prometheus text format;
 * - `GET /healthz`: 200 while the process answers at all (liveness);
 * - `GET /readyz`: 200 when `ready()` says so, else 503 with the reason (readiness);
 * - anything else: 404 (405 for another method on those paths).
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const { registry, ready } = options;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const send = (status: number, type: string, body: string, extra: http.OutgoingHttpHeaders = {}): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...extra });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const route = ROUTES[path ?? ''];
    if (route === undefined) {
      send(404, TEXT, 'not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(405, TEXT, 'method not allowed\n', { allow: 'GET, HEAD' });
      return;
    }
    switch (route) {
      case 'metrics': {
        let body: string;
        try {
          body = registry.render();
        } catch (error) {
          send(500, TEXT, `metrics failed: ${String((error as Error)?.message ?? error)}\n`);
          return;
        }
        send(200, PROMETHEUS_CONTENT_TYPE, body);
        return;
      }
      case 'healthz':
        send(200, TEXT, 'ok\n');
        return;
      case 'readyz': {
        const state = readiness(ready);
        if (state.ready) send(200, TEXT, 'ready\n');
        else send(503, TEXT, `not ready: ${state.reason || 'unknown reason'}\n`);
        return;
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

const ROUTES: Record<string, 'metrics' | 'healthz' | 'readyz'> = {
  '/metrics': 'metrics',
  '/healthz': 'healthz',
  '/readyz': 'readyz',
};

function readiness(ready: () => boolean | ReadyState): ReadyState {
  try {
    const state = ready();
    return typeof state === 'boolean' ? { ready: state } : state;
  } catch (error) {
    return { ready: false, reason: `readiness check failed: ${String((error as Error)?.message ?? error)}` };
  }
}

/**
 * Named conditions that must all hold for readiness, e.g.
 * `new Readiness(['nats', 'bundle', 'consumer'])`; pass `() => readiness.check()`
 * as `ready`. The reason lists what is missing, in the order given.
 */
export class Readiness<C extends string> {
  readonly #conditions: readonly C[];
  readonly #state = new Map<C, { ok: boolean; reason: string }>();

  constructor(conditions: readonly C[]) {
    this.#conditions = conditions;
  }

  /** Sets one condition; `reason` says what is wrong when it does not hold. */
  set(condition: C, ok: boolean, reason?: string): void {
    this.#state.set(condition, { ok, reason: reason ?? '' });
  }

  check(): ReadyState {
    const missing = this.#conditions.flatMap((condition) => {
      const state = this.#state.get(condition);
      if (state?.ok) return [];
      return [state === undefined || state.reason === '' ? `${condition} not ready` : `${condition}: ${state.reason}`];
    });
    return missing.length === 0 ? { ready: true } : { ready: false, reason: missing.join('; ') };
  }
}
