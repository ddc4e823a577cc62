import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnOwned } from '../../collectors/src/index.js';
import { resolveTool } from '../../engine/src/index.js';

export interface EmbeddedNats {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a private nats-server with JetStream for `vigil up` when no --nats is
 * given: loopback only, a free port, its store in a temporary directory that
 * is removed on stop. It is not in the terminal's process group: a Ctrl-C
 * reaches Vigil, which drains into it before stopping it.
 */
export async function startEmbeddedNats(options: { storeDir?: string } = {}): Promise<EmbeddedNats> {
  const binary = resolveTool('nats-server');
  const port = await freePort();
  const storeDir = options.storeDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-nats-')));
  const child = spawnOwned(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await waitReady(child);
  return {
    url: `nats://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (!options.storeDir) await fs.rm(storeDir, { recursive: true, force: true });
    },
  };
}

function waitReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => fail(new Error(`nats-server did not become ready in 10 s:\n${log}`)), 10_000);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.once('error', (error) => fail(new Error(`cannot start nats-server: ${error.message}`)));
    child.once('exit', (code) => fail(new Error(`nats-server exited with code ${code}:\n${log}`)));
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stderr?.removeAllListeners('data');
        child.stderr?.resume();
        resolve();
      }
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
