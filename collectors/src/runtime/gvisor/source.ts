import { execFile, type ChildProcessByStdio } from 'node:child_process';
import { spawnOwned } from '../../linux/owned-child.js';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { reason, CollectorError } from '../../errors.js';
import type { RuntimeEventHandler } from '../events.js';
import { silentLogger, type RuntimeLogger, type RuntimeSource } from '../source.js';
import { execveToEvent, seccheckHeader } from './decode.js';
import { RELAY_SOURCE } from './relay.js';

const run = promisify(execFile);

export interface GvisorSourceOptions {
  runsc?: string;
  /** runsc's state root for the containers to watch (Docker: /var/run/docker/runtime-runc/moby). */
  root?: string;
  python?: string;
  /** The relay's socket (default: a file in the OS temp directory). */
  socketPath?: string;
  /** How often new runsc containers are looked for (`runsc list`); 0: only {@link GvisorSource.attach}. Default 1000. */
  pollMs?: number;
  logger?: RuntimeLogger;
}

/** Where Debian installs runsc and the Python that runs the socket relay. */
export const DEFAULT_RUNSC = '/usr/bin/runsc';
export const DEFAULT_PYTHON = '/usr/bin/python3';

/**
 * Exec events from inside gVisor sandboxes, through gVisor's own runtime
 * monitoring: a `sentry/execve` trace session per sandbox (`runsc trace
 * create`) sends each exec to a relay (relay.ts), decoded by decode.ts.
 * What the host kernel (eBPF) cannot see. Processes that `runsc exec` (docker
 * exec) starts are not reported by runsc 0.0~20221219, only what they exec.
 */
export class GvisorSource implements RuntimeSource {
  readonly name = 'gvisor';
  private relay: ChildProcessByStdio<null, Readable, Readable> | undefined;
  private readonly attached = new Set<string>();
  private readonly dropped = new Map<string, number>();
  private malformed = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly runsc: string;
  private readonly root: string;
  private readonly socketPath: string;
  private readonly sessionFile: string;

  constructor(private readonly options: GvisorSourceOptions = {}) {
    this.runsc = options.runsc ?? DEFAULT_RUNSC;
    this.root = options.root ?? '/var/run/docker/runtime-runc/moby';
    this.socketPath = options.socketPath ?? path.join(os.tmpdir(), `vigil-gvisor-${process.pid}.sock`);
    this.sessionFile = `${this.socketPath}.session.json`;
  }

  lost(): number {
    let dropped = 0;
    for (const n of this.dropped.values()) dropped += n;
    return dropped + this.malformed;
  }

  async start(onEvent: RuntimeEventHandler): Promise<void> {
    const logger = this.options.logger ?? silentLogger;
    await writeFile(
      this.sessionFile,
      JSON.stringify({
        trace_session: {
          name: 'Default',
          points: [{ name: 'sentry/execve', context_fields: ['time', 'thread_id', 'group_id', 'container_id', 'credentials', 'cwd', 'process_name'] }],
          sinks: [{ name: 'remote', config: { endpoint: this.socketPath } }],
        },
      }),
    );
    const relay = spawnOwned(this.options.python ?? DEFAULT_PYTHON, ['-c', RELAY_SOURCE, this.socketPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.relay = relay;
    const stderr: string[] = [];
    createInterface({ input: relay.stderr }).on('line', (line) => stderr.push(line));
    await new Promise<void>((resolve, reject) => {
      let ready = false;
      createInterface({ input: relay.stdout }).on('line', (line) => {
        if (!ready) {
          ready = line === 'ready';
          if (ready) resolve();
          return;
        }
        const space = line.indexOf(' ');
        const connection = line.slice(0, space);
        const payload = line.slice(space + 1);
        if (payload === 'closed') return;
        const packet = Buffer.from(payload, 'hex');
        const header = seccheckHeader(packet);
        if (!header) {
          this.malformed++;
          return;
        }
        this.dropped.set(connection, header.dropped);
        const event = execveToEvent(header);
        if (event) onEvent(event);
      });
      relay.once('error', (error) => reject(new CollectorError('VIGIL_ERR_RUNTIME_GVISOR_RELAY', [reason(error)], { cause: error })));
      relay.once('exit', (code) => {
        if (!ready) reject(new CollectorError('VIGIL_ERR_RUNTIME_GVISOR_RELAY', [`exit ${code}: ${stderr.join(' | ')}`]));
      });
    });
    const poll = this.options.pollMs ?? 1000;
    if (poll > 0) {
      await this.attachNew();
      this.timer = setInterval(() => void this.attachNew(), poll);
      this.timer.unref();
    }
    logger.info('runtime: gVisor source listening', { socket: this.socketPath, root: this.root });
  }

  /** Starts a trace session in one runsc container's sandbox; false when runsc refused (gone, not runsc). */
  async attach(containerId: string): Promise<boolean> {
    if (this.attached.has(containerId)) return true;
    try {
      await run(this.runsc, [`--root=${this.root}`, 'trace', 'create', '--config', this.sessionFile, containerId], { timeout: 10_000 });
      this.attached.add(containerId);
      return true;
    } catch (error) {
      (this.options.logger ?? silentLogger).debug('runtime: gVisor trace session not created', { containerId, error: reason(error) });
      return false;
    }
  }

  private async attachNew(): Promise<void> {
    let ids: string[];
    try {
      const { stdout } = await run(this.runsc, [`--root=${this.root}`, 'list', '-quiet'], { timeout: 10_000 });
      ids = stdout.split('\n').filter((id) => /^[0-9a-f]{64}$/.test(id));
    } catch {
      return; // no runsc or no root: nothing to watch
    }
    for (const id of ids) if (!this.attached.has(id)) await this.attach(id);
    for (const id of this.attached) if (!ids.includes(id)) this.attached.delete(id);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    const relay = this.relay;
    if (relay && relay.exitCode === null && relay.signalCode === null) {
      const exited = new Promise((resolve) => relay.once('exit', resolve));
      relay.kill('SIGTERM');
      await exited;
    }
    await rm(this.socketPath, { force: true });
    await rm(this.sessionFile, { force: true });
  }
}
