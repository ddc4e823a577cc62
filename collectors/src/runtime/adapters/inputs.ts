import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import http from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { CollectorError } from '../../errors.js';

/** Largest body one POST may carry: Falco sends one alert per request. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface LineInput {
  stream: Readable;
  /** Where it listens, for an HTTP input (port 0 picks one). */
  address?: { host: string; port: number };
  close(): Promise<void>;
}

/**
 * An HTTP endpoint for Falco's http_output (`http_output.url`): each POST body
 * (one JSON alert, or several on their own lines) becomes lines of the stream.
 * Answers 200 at once, 413 beyond 1 MiB, 405 to anything but POST.
 */
export async function httpLines(host: string, port: number): Promise<LineInput> {
  const stream = new PassThrough();
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413).end();
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return;
      const body = Buffer.concat(chunks).toString('utf8').trim();
      if (body !== '') stream.write(`${body}\n`);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new CollectorError('VIGIL_ERR_RUNTIME_CONFIG', ['--listen', 'a free HOST:PORT to serve Falco http_output', `${host}:${port} (${error.message})`])));
    server.listen(port, host, resolve);
  });
  const bound = server.address();
  return {
    stream,
    address: { host, port: typeof bound === 'object' && bound ? bound.port : port },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      stream.end();
    },
  };
}

/**
 * The lines appended to a file from now on, as `tail -F` gives them: polled,
 * reopened from the start when the file is replaced or truncated (rotation).
 * `-` reads standard input instead.
 */
export async function followLines(file: string, pollMs = 200): Promise<LineInput> {
  if (file === '-') return { stream: process.stdin, close: async () => undefined };
  const out = new PassThrough();
  const initial = await stat(file).catch(() => undefined);
  let position = initial?.size ?? 0;
  let inode = initial?.ino;
  let reading = false;
  let stopped = false;
  const poll = async (): Promise<void> => {
    if (reading || stopped) return;
    reading = true;
    try {
      const info = await stat(file).catch(() => undefined);
      if (!info) return;
      if (info.ino !== inode || info.size < position) {
        inode = info.ino;
        position = 0;
      }
      if (info.size === position) return;
      const end = info.size;
      await new Promise<void>((resolve, reject) => {
        const chunk = createReadStream(file, { start: position, end: end - 1 });
        chunk.on('data', (data) => out.write(data));
        chunk.on('end', resolve);
        chunk.on('error', reject);
      });
      position = end;
    } finally {
      reading = false;
    }
  };
  // Fail now, not silently later, when the file cannot be read at all.
  await (await open(file, 'r')).close().catch(() => undefined);
  const timer = setInterval(() => void poll().catch(() => undefined), pollMs);
  timer.unref();
  return {
    stream: out,
    close: async () => {
      stopped = true;
      clearInterval(timer);
      out.end();
    },
  };
}
