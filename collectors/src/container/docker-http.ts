import http from 'node:http';
import net from 'node:net';
import { CollectorError, reason } from '../errors.js';

/** Newest Engine API this collector asks for; it reads nothing added later. */
export const DOCKER_API_MAX = '1.43';
/** Oldest Engine API whose inspect answer has every field the normaliser reads. */
export const DOCKER_API_MIN = '1.24';
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
export const DEFAULT_DOCKER_TIMEOUT_MS = 10_000;
/** The one buffer a `streamGet` body is read into. */
export const STREAM_BUFFER_BYTES = 256 * 1024;
const MAX_HEAD_BYTES = 64 * 1024;

export interface DockerHttpOptions {
  socketPath?: string;
  /** Per request, headers and body together. */
  timeoutMs?: number;
}

/**
 * Minimal Docker Engine API client over the unix socket with `node:http`:
 * negotiates the API version once from `/version`, puts a deadline on every
 * request and turns transport failures into catalogue errors.
 */
export class DockerHttpClient {
  readonly socketPath: string;
  readonly timeoutMs: number;
  private readonly agent: http.Agent;
  private version: Promise<string> | undefined;

  constructor(options: DockerHttpOptions = {}) {
    this.socketPath = options.socketPath ?? DEFAULT_DOCKER_SOCKET;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_DOCKER_TIMEOUT_MS;
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs <= 0) {
      throw new CollectorError('VIGIL_ERR_CONTAINER_CONFIG', ['timeoutMs > 0', String(options.timeoutMs)]);
    }
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  /** The API version both sides speak, e.g. "1.41"; asked once, again after `resetVersion`. */
  apiVersion(): Promise<string> {
    this.version ??= this.negotiate().catch((error: unknown) => {
      this.version = undefined;
      throw error;
    });
    return this.version;
  }

  resetVersion(): void {
    this.version = undefined;
  }

  /** GET a versioned path as JSON; `undefined` on 404 when `allowNotFound`. */
  async getJson<T>(path: string, options: { allowNotFound?: boolean } = {}): Promise<T | undefined> {
    const version = await this.apiVersion();
    return this.rawJson<T>(`/v${version}${path}`, options.allowNotFound === true);
  }

  /**
   * Opens a streaming GET (events). Resolves with the response once headers
   * arrive with 200; only that wait is bounded by the timeout.
   */
  async openStream(path: string): Promise<{ response: http.IncomingMessage; abort: () => void }> {
    const version = await this.apiVersion();
    const fullPath = `/v${version}${path}`;
    return new Promise((resolve, reject) => {
      const request = http.request({ socketPath: this.socketPath, path: fullPath, method: 'GET', agent: false });
      const timer = setTimeout(() => {
        request.destroy(this.timeoutError(fullPath));
      }, this.timeoutMs);
      request.once('error', (error) => {
        clearTimeout(timer);
        reject(this.transportError(error));
      });
      request.once('response', (response) => {
        clearTimeout(timer);
        if (response.statusCode !== 200) {
          readBody(response)
            .then((body) => reject(this.httpError('GET', fullPath, response.statusCode ?? 0, body)))
            .catch((error: unknown) => reject(this.transportError(error)));
          return;
        }
        resolve({ response, abort: () => request.destroy() });
      });
      request.end();
    });
  }

  /**
   * Streams a GET's body (an image export: hundreds of MB) into one reused
   * buffer: a chunk is valid only until the next one is asked for. Through
   * `node:http` every read allocates a new 64 KiB buffer; the ~100 MB of them
   * that wait for the garbage collector during an image export stayed in the
   * collector's RSS afterwards (glibc keeps the freed heap). Reading the same
   * 340 MB export this way: peak ArrayBuffers 0.4 MB instead of 100 MB, anonymous
   * RSS 10 MB instead of 121 MB afterwards (bench/scenarios/collector-footprint.ts,
   * rss_mb_after_new_image). HTTP/1.0, so the body is not chunked: it ends when
   * the engine closes the connection. The timeout bounds each wait for data, not
   * the consumer's work. Errors (HTTP status, transport, timeout) are thrown by
   * the first `next()`, or later by the one that meets them.
   */
  async *streamGet(path: string): AsyncGenerator<Buffer, void, undefined> {
    const version = await this.apiVersion();
    const fullPath = `/v${version}${path}`;
    const buffer = Buffer.allocUnsafe(STREAM_BUFFER_BYTES);
    let chunk: Buffer | undefined;
    let ended = false;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const socket = net.connect({
      path: this.socketPath,
      onread: {
        buffer,
        callback: (bytes: number, into: Uint8Array): boolean => {
          chunk = Buffer.from(into.buffer, into.byteOffset, bytes);
          wake?.();
          return false; // paused until this chunk is consumed
        },
      },
    });
    const done = (): void => {
      ended = true;
      wake?.();
    };
    socket.once('end', done);
    socket.once('close', done);
    socket.once('error', (error) => {
      failure ??= this.transportError(error);
      wake?.();
    });
    const next = async (): Promise<Buffer | undefined> => {
      if (chunk === undefined && !ended && failure === undefined) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            failure ??= this.timeoutError(fullPath);
            wake?.();
          }, this.timeoutMs);
          wake = () => {
            clearTimeout(timer);
            wake = undefined;
            resolve();
          };
        });
      }
      if (failure !== undefined) throw failure;
      const out = chunk;
      chunk = undefined;
      return out;
    };
    try {
      socket.write(`GET ${fullPath} HTTP/1.0\r\nHost: docker\r\n\r\n`);
      let head = Buffer.alloc(0);
      let end = -1;
      while (end < 0) {
        const part = await next();
        if (part === undefined) throw this.responseError(fullPath, 'connection closed before the response headers');
        head = Buffer.concat([head, part]); // a copy: the socket's buffer is reused
        socket.resume();
        end = head.indexOf('\r\n\r\n');
        if (end < 0 && head.length > MAX_HEAD_BYTES) throw this.responseError(fullPath, `no end of headers in ${head.length} bytes`);
      }
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head.toString('latin1', 0, Math.min(end, 64)))?.[1] ?? 0);
      let body = head.subarray(end + 4);
      if (status !== 200) {
        const parts = [body];
        let length = body.length;
        for (let part = await next(); part !== undefined && length < MAX_HEAD_BYTES; part = await next()) {
          parts.push(Buffer.from(part));
          length += part.length;
          socket.resume();
        }
        throw this.httpError('GET', fullPath, status, Buffer.concat(parts).toString('utf8'));
      }
      if (body.length > 0) yield body;
      body = Buffer.alloc(0);
      for (;;) {
        const part = await next();
        if (part === undefined) return;
        yield part;
        socket.resume();
      }
    } finally {
      socket.destroy();
    }
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  private responseError(path: string, why: string): CollectorError {
    return new CollectorError('VIGIL_ERR_CONTAINER_DOCKER_RESPONSE', [this.socketPath, `GET ${path}`, why]);
  }

  private async negotiate(): Promise<string> {
    const info = await this.rawJson<{ ApiVersion?: string; MinAPIVersion?: string }>('/version', false);
    const server = info?.ApiVersion;
    if (typeof server !== 'string' || !/^\d+\.\d+$/.test(server)) {
      throw new CollectorError('VIGIL_ERR_CONTAINER_DOCKER_RESPONSE', [
        this.socketPath,
        'GET /version',
        `ApiVersion ${JSON.stringify(server)}`,
      ]);
    }
    if (compareVersions(server, DOCKER_API_MIN) < 0) {
      throw new CollectorError('VIGIL_ERR_CONTAINER_DOCKER_API_VERSION', [this.socketPath, server, DOCKER_API_MIN]);
    }
    return compareVersions(server, DOCKER_API_MAX) < 0 ? server : DOCKER_API_MAX;
  }

  private rawJson<T>(path: string, allowNotFound: boolean): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      const request = http.request({ socketPath: this.socketPath, path, method: 'GET', agent: this.agent });
      let settled = false;
      const finish = (error: Error | undefined, value?: T): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(value);
      };
      const timer = setTimeout(() => {
        const error = this.timeoutError(path);
        request.destroy(error);
        finish(error);
      }, this.timeoutMs);
      request.once('error', (error) => finish(this.transportError(error)));
      request.once('response', (response) => {
        readBody(response).then(
          (body) => {
            const status = response.statusCode ?? 0;
            if (status === 404 && allowNotFound) return finish(undefined, undefined);
            if (status < 200 || status >= 300) return finish(this.httpError('GET', path, status, body));
            try {
              finish(undefined, JSON.parse(body) as T);
            } catch (error) {
              finish(
                new CollectorError(
                  'VIGIL_ERR_CONTAINER_DOCKER_RESPONSE',
                  [this.socketPath, `GET ${path}`, reason(error)],
                  { cause: error },
                ),
              );
            }
          },
          (error: unknown) => finish(this.transportError(error)),
        );
      });
      request.end();
    });
  }

  private timeoutError(path: string): CollectorError {
    return new CollectorError('VIGIL_ERR_CONTAINER_DOCKER_TIMEOUT', [
      this.socketPath,
      `GET ${path}`,
      String(this.timeoutMs),
    ]);
  }

  private transportError(error: unknown): CollectorError {
    if (error instanceof CollectorError) return error;
    return new CollectorError('VIGIL_ERR_CONTAINER_DOCKER_UNREACHABLE', [this.socketPath, reason(error)], {
      cause: error,
    });
  }

  private httpError(method: string, path: string, status: number, body: string): CollectorError {
    let message = body.trim();
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') message = parsed.message;
    } catch {
      // not JSON: keep the text
    }
    return new CollectorError('VIGIL_ERR_CONTAINER_DOCKER_HTTP', [
      this.socketPath,
      method,
      path,
      String(status),
      message.slice(0, 300),
    ]);
  }
}

function readBody(response: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.once('error', reject);
    response.once('aborted', () => reject(new Error('response aborted')));
  });
}

/** "1.9" < "1.41": numeric per component. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
