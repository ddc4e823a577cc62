import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { engineMetrics, type EngineMetrics } from '../../src/metrics/engine-metrics.js';
import { PROMETHEUS_CONTENT_TYPE } from '../../src/metrics/exposition.js';
import { Readiness, startOpsServer, type OpsServer } from '../../src/metrics/ops-server.js';
import { parseExposition, valueOf } from './parse.js';

interface Reply {
  status: number;
  type: string | undefined;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** A plain HTTP request with a keep-alive agent, as a scraper would make it. */
function request(port: number, path: string, method = 'GET', agent?: http.Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('ops server', () => {
  let server: OpsServer;
  let metrics: EngineMetrics;
  const readiness = new Readiness(['nats', 'bundle', 'consumer'] as const);

  beforeAll(async () => {
    metrics = engineMetrics();
    server = await startOpsServer({ port: 0, registry: metrics.registry, ready: () => readiness.check() });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('ops server - GET /metrics serves the registry in the Prometheus text format', async () => {
    expect(server.port).toBeGreaterThan(0);
    metrics.facts.inc({ kind: 'image' }, 3);
    metrics.setBundles([{ name: 'default', revision: 'abc123' }]);
    const reply = await request(server.port, '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.type).toBe(PROMETHEUS_CONTENT_TYPE);
    const parsed = parseExposition(reply.body);
    expect(valueOf(parsed, 'vigil_engine_facts_total', { kind: 'image' })).toBe(3);
    expect(valueOf(parsed, 'vigil_engine_bundle_info', { name: 'default', revision: 'abc123' })).toBe(1);
    metrics.facts.inc({ kind: 'image' });
    const again = parseExposition((await request(server.port, '/metrics?x=1')).body);
    expect(valueOf(again, 'vigil_engine_facts_total', { kind: 'image' })).toBe(4);
  });

  it('ops server - /healthz is 200 while the process answers', async () => {
    const reply = await request(server.port, '/healthz');
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('ok\n');
  });

  it('ops server - /readyz is 503 with what is missing until every condition holds, then 200', async () => {
    let reply = await request(server.port, '/readyz');
    expect(reply.status).toBe(503);
    expect(reply.body).toBe('not ready: nats not ready; bundle not ready; consumer not ready\n');
    readiness.set('nats', true);
    readiness.set('bundle', true);
    readiness.set('consumer', false, 'stream VIGIL_FACTS not found');
    reply = await request(server.port, '/readyz');
    expect(reply.status).toBe(503);
    expect(reply.body).toBe('not ready: consumer: stream VIGIL_FACTS not found\n');
    readiness.set('consumer', true);
    reply = await request(server.port, '/readyz');
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('ready\n');
    readiness.set('nats', false, 'disconnected');
    expect((await request(server.port, '/readyz')).status).toBe(503);
  });

  it('ops server - unknown paths are 404, other methods 405, HEAD has no body', async () => {
    expect((await request(server.port, '/')).status).toBe(404);
    expect((await request(server.port, '/metricsx')).status).toBe(404);
    const post = await request(server.port, '/metrics', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const head = await request(server.port, '/healthz', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('ops server - a plain boolean ready() works, and a throwing one is not ready', async () => {
    let ready = false;
    const plain = await startOpsServer({ port: 0, registry: metrics.registry, ready: () => ready });
    const throwing = await startOpsServer({ port: 0, registry: metrics.registry, ready: () => { throw new Error('boom'); } });
    try {
      expect((await request(plain.port, '/readyz')).body).toBe('not ready: unknown reason\n');
      ready = true;
      expect((await request(plain.port, '/readyz')).status).toBe(200);
      const reply = await request(throwing.port, '/readyz');
      expect(reply.status).toBe(503);
      expect(reply.body).toContain('boom');
    } finally {
      await plain.close();
      await throwing.close();
    }
  });

  it('ops server - close() returns with a keep-alive connection open and frees the port', async () => {
    const other = await startOpsServer({ port: 0, registry: metrics.registry, ready: () => true });
    const agent = new http.Agent({ keepAlive: true });
    try {
      expect((await request(other.port, '/healthz', 'GET', agent)).status).toBe(200);
      const closed = await Promise.race([
        other.close().then(() => 'closed'),
        new Promise((resolve) => setTimeout(resolve, 2_000, 'hung')),
      ]);
      expect(closed).toBe('closed');
      await expect(request(other.port, '/healthz')).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      agent.destroy();
    }
  });

  it('ops server - a port already in use is an error, not a hang', async () => {
    await expect(startOpsServer({ port: server.port, registry: metrics.registry, ready: () => true })).rejects.toThrow(/EADDRINUSE/);
  });
});
