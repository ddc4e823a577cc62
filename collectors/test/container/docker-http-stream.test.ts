import { afterEach, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DockerHttpClient } from '../../src/container/index.js';
import type { CollectorError } from '../../src/errors.js';
import { STREAM_BUFFER_BYTES } from '../../src/container/docker-http.js';

/**
 * `streamGet` reads an export into one reused buffer: what a real engine
 * will not do on demand (a stall, a 404 on the export) comes from a scripted
 * Engine API on a unix socket.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function fakeApi(route: (res: http.ServerResponse) => void): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vigil-ctest-stream-'));
  const socketPath = path.join(dir, 'docker.sock');
  const server = http.createServer((req, res) => {
    if ((req.url ?? '') === '/version') res.end(JSON.stringify({ ApiVersion: '1.41', MinAPIVersion: '1.12' }));
    else route(res);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });
  return socketPath;
}

describe('collector - Docker API streamed GET', () => {
  it('docker http - a body of many buffers arrives whole, however slowly it is read', async () => {
    const body = randomBytes(12 * STREAM_BUFFER_BYTES + 12_345);
    const socketPath = await fakeApi((res) => {
      res.writeHead(200, { 'Content-Type': 'application/x-tar' });
      let sent = 0;
      const pump = (): void => {
        while (sent < body.length) {
          const part = body.subarray(sent, sent + 100_000);
          sent += part.length;
          if (!res.write(part)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const client = new DockerHttpClient({ socketPath });
    const hash = createHash('sha256');
    let chunks = 0;
    for await (const chunk of client.streamGet('/images/x/get')) {
      if (chunks++ % 3 === 0) await new Promise((resolve) => setTimeout(resolve, 2)); // a slow consumer
      hash.update(chunk);
    }
    await client.close();
    expect(hash.digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
    expect(chunks).toBeGreaterThan(12);
  });

  it('docker http - a 404 on a streamed GET is an HTTP error from the first read', async () => {
    const socketPath = await fakeApi((res) => {
      res.statusCode = 404;
      res.end(JSON.stringify({ message: 'reference does not exist' }));
    });
    const client = new DockerHttpClient({ socketPath });
    const body = client.streamGet('/images/absent/get');
    const error = (await body.next().catch((e: unknown) => e)) as CollectorError;
    await client.close();
    expect(error.code).toBe('VIGIL_ERR_CONTAINER_DOCKER_HTTP');
    expect(error.message).toContain('reference does not exist');
  });

  it('docker http - a streamed body that stalls is cut after the timeout', async () => {
    const socketPath = await fakeApi((res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(1000));
    });
    const client = new DockerHttpClient({ socketPath, timeoutMs: 300 });
    const started = Date.now();
    let received = 0;
    const error = await (async () => {
      for await (const chunk of client.streamGet('/images/x/get')) received += chunk.length;
    })().catch((e: unknown) => e as CollectorError);
    await client.close();
    expect(received).toBe(1000);
    expect(error?.code).toBe('VIGIL_ERR_CONTAINER_DOCKER_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
