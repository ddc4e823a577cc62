import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import type { AlertJSON } from '../../proto/src/index.js';

export interface VigilUp {
  alerts: AlertJSON[];
  stderr(): string;
  waitFor(done: (alerts: AlertJSON[]) => boolean, timeoutMs: number): Promise<void>;
  /** Sends SIGINT and resolves with the exit code. */
  stop(): Promise<number | null>;
  child: ChildProcess;
}

/** Runs `vigil up --format json …` as a real process and collects the alert lines it prints. */
export function spawnVigilUp(args: string[]): VigilUp {
  const child = spawn(process.execPath, [path.resolve('bin', 'vigil.js'), 'up', '--format', 'json', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VIGIL_LOG_LEVEL: 'info' },
  });
  const alerts: AlertJSON[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    alerts.push(JSON.parse(line) as AlertJSON);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    alerts,
    child,
    stderr: () => stderr,
    waitFor: async (done, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (!done(alerts)) {
        if (child.exitCode !== null) throw new Error(`vigil up exited with ${child.exitCode}:\n${stderr}`);
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms with ${alerts.length} alerts:\n${stderr.slice(-4000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Waits until `vigil up`'s runtime collector has attached (its probes take a few seconds to compile). */
export async function untilRuntimeCollector(up: VigilUp, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!/runtime: collector started/.test(up.stderr())) {
    if (up.child.exitCode !== null) throw new Error(`vigil up exited with ${up.child.exitCode}:\n${up.stderr()}`);
    if (Date.now() > deadline) throw new Error(`runtime collector not started within ${timeoutMs} ms:\n${up.stderr().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A `vigil` command (engine, collect, …) run as a real process, as an operator runs it. */
export interface VigilProcess {
  child: ChildProcess;
  /** What it logged (the last 200 000 characters). */
  stderr(): string;
  /** SIGKILL: no clean-up, no acks for what is in flight. */
  crash(): void;
  /** SIGTERM, then SIGKILL after 20 s. */
  stop(): Promise<void>;
}

export function spawnVigil(args: readonly string[], logLevel = 'info'): VigilProcess {
  const child = spawn(process.execPath, [path.resolve('bin', 'vigil.js'), ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, VIGIL_LOG_LEVEL: logLevel },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-200_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    stderr: () => stderr,
    crash: () => child.kill('SIGKILL'),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs one `vigil` command to its end: its exit code and what it printed. */
export function runVigil(args: readonly string[], timeoutMs = 180_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.resolve('bin', 'vigil.js'), ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr: error && code === -1 ? `${stderr}${error.message}` : stderr });
    });
  });
}
