import { describe, expect, it } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { alertLine } from '../cli/src/format.js';
import { collectHostFact } from '../collectors/src/index.js';
import type { AlertJSON } from '../proto/src/index.js';
import { startLocalNats } from './harness/index.js';
import { spawnVigilUp } from './support/vigil-process.js';

/**
 * What a new user meets first: `vigil up` started from a terminal and stopped
 * with Ctrl-C, or by a supervisor's SIGTERM; a host without Docker; the
 * shipped examples fed to `vigil policy eval`.
 */

const run = promisify(execFile);
const VIGIL = path.resolve('bin', 'vigil.js');
/** The Node a user's `npx vigil` runs with: the machine's own (older than 22.22 here, so the re-exec wrapper is in play) when there is one. */
const MACHINE_NODE = existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath;
const STOP_WITHIN_MS = 5_000;

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
}

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      if (fields[0] === 'Z') continue;
      out.push({ pid: Number(entry), ppid: Number(fields[1]), comm: stat.slice(stat.indexOf('(') + 1, close) });
    } catch {
      // Exited meanwhile.
    }
  }
  return out;
}

/** Every live process below `root`. */
function descendants(root: number): Proc[] {
  const all = processes();
  const found: Proc[] = [];
  const parents = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (parents.has(p.ppid) && !parents.has(p.pid)) {
        parents.add(p.pid);
        found.push(p);
        grew = true;
      }
    }
  }
  return found;
}

const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

async function until(what: string, test: () => boolean, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms:\n${log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `vigil up` with every collector, as a user starts it: the machine's Node, the embedded NATS. */
function startUp(underPty: boolean): { child: ChildProcess; output: () => string } {
  const command = [MACHINE_NODE, VIGIL, 'up', '--collectors', 'runtime,container,host', '--learn-window', '10m'];
  const env = { ...process.env, VIGIL_LOG_LEVEL: 'info' };
  // script(1) gives it a terminal: its stdin bytes go to the pty, so "\x03" is a Ctrl-C for the terminal's foreground process group.
  const child = underPty
    ? spawn('script', ['-qfec', command.map((c) => `'${c}'`).join(' '), '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env })
    : spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-200_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-200_000)));
  return { child, output: () => output };
}

async function stopsEverything(underPty: boolean, interrupt: (child: ChildProcess) => void): Promise<void> {
  const { child, output } = startUp(underPty);
  try {
    await until('vigil up started its runtime collector', () => /runtime: collector started/.test(output()), 90_000, output);
    const tree = descendants(child.pid!);
    const names = tree.map((p) => p.comm);
    expect(names).toEqual(expect.arrayContaining(['nats-server', 'bpftrace']));
    const started = Date.now();
    interrupt(child);
    await until('every process of vigil up gone', () => tree.every((p) => !alive(p.pid)), STOP_WITHIN_MS, () => `${output()}\nstill running: ${JSON.stringify(tree.filter((p) => alive(p.pid)))}`);
    const took = Date.now() - started;
    expect(output()).toMatch(/shutting down/);
    expect(output()).not.toMatch(/did not stop in time/);
    process.stdout.write(`${underPty ? 'Ctrl-C' : 'SIGTERM'}: ${tree.length} processes (${[...new Set(names)].join(', ')}) gone in ${took} ms\n`);
  } finally {
    for (const p of descendants(child.pid!)) process.kill(p.pid, 'SIGKILL');
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

describe('first run - as a new user meets vigil', () => {
  it(`signals - Ctrl-C in a terminal ends vigil up, its nats-server and bpftrace within ${STOP_WITHIN_MS / 1000} s (Node ${MACHINE_NODE})`, async () => {
    await stopsEverything(true, (child) => child.stdin!.write('\x03'));
  }, 150_000);

  it(`signals - SIGTERM to the vigil command (the re-exec wrapper on an old Node) ends everything within ${STOP_WITHIN_MS / 1000} s`, async () => {
    await stopsEverything(false, (child) => child.kill('SIGTERM'));
  }, 150_000);

  it('signals - with its NATS server gone first, vigil up still ends on SIGINT within the deadline', async () => {
    const nats = await startLocalNats();
    const up = spawnVigilUp(['--nats', nats.url, '--collectors', 'container,host']);
    try {
      await up.waitFor(() => /collector/.test(up.stderr()) && up.alerts.length > 0, 30_000);
      await nats.stop();
      await new Promise((r) => setTimeout(r, 500));
      const started = Date.now();
      up.child.kill('SIGINT');
      await until('vigil up exited', () => up.child.exitCode !== null || up.child.signalCode !== null, STOP_WITHIN_MS, up.stderr);
      process.stdout.write(`NATS gone first: exited ${up.child.exitCode} in ${Date.now() - started} ms\n`);
    } finally {
      if (up.child.exitCode === null) up.child.kill('SIGKILL');
      await nats.stop().catch(() => undefined);
    }
  }, 60_000);

  it('no Docker - a host without Docker is judged without a Docker daemon, and says so once', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-nodocker-'));
    try {
      await fs.mkdir(path.join(root, 'etc'), { recursive: true });
      await fs.mkdir(path.join(root, 'proc'), { recursive: true });
      await fs.writeFile(path.join(root, 'etc', 'hostname'), 'plain-vm\n');
      await fs.writeFile(path.join(root, 'etc', 'os-release'), 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n');
      const { fact, errors } = await collectHostFact({ hostRoot: root });
      expect(errors).toEqual([expect.stringMatching(/^VIGIL_ERR_HOST_DOCKER_ABSENT: Docker is not installed/)]);
      expect(fact.daemon).toBeUndefined();
      expect(fact.runtimes ?? []).toEqual([]);
      // Judged by the shipped rules: nothing about a daemon (CIS section 2) or Docker's files (3.x).
      const file = path.join(root, 'host-fact.json');
      await fs.writeFile(file, JSON.stringify({ id: 'no-docker', source: { host: 'plain-vm', collector: 'host' }, host: fact }));
      const result = await run(process.execPath, [VIGIL, 'policy', 'eval', '--input', file]).catch((e: { stdout: string }) => e);
      const findings = (JSON.parse(result.stdout) as { findings: Array<{ rule_id: string; message: string; frameworks?: Record<string, string[]> }> }).findings;
      // Nothing of the CIS Docker Benchmark applies to a host without Docker: no daemon settings, files, audit watches or client settings.
      expect(findings.map((f) => `${f.rule_id}: ${f.message}`)).toEqual([]);
      expect(fact.docker_absent).toBe(true);
      // And on the real host, with Docker installed, the daemon is there.
      expect((await collectHostFact()).fact.daemon).toBeDefined();
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  }, 60_000);

  it('policy eval - the shipped examples are accepted as they are, wrapped in "input", context joined', async () => {
    const evaluated = async (file: string): Promise<string[]> => {
      const result = await run(process.execPath, [VIGIL, 'policy', 'eval', '--input', file]).catch((e: { stdout: string }) => e);
      return [...new Set((JSON.parse(result.stdout) as { findings: Array<{ rule_id: string }> }).findings.map((f) => f.rule_id))].sort();
    };
    // One whose rule reads input.context (the container's configuration): found only with its context joined.
    const shell = path.resolve('policies', 'examples', 'runtime', 'exposed_container_shell.json');
    expect(await evaluated(shell)).toEqual([...new Set((JSON.parse(await fs.readFile(shell, 'utf8')) as { expect: string[] }).expect)].sort());
    const example = path.resolve('policies', 'examples', 'container', 'docker_run_defaults.json');
    const wrapped = JSON.parse(await fs.readFile(example, 'utf8')) as { input: unknown; expect: string[] };
    const ids = await evaluated(example);
    expect(ids).toEqual([...new Set(wrapped.expect)].sort());
    // The bare fact gives the same.
    const bare = path.join(os.tmpdir(), `vigil-bare-${process.pid}.json`);
    await fs.writeFile(bare, JSON.stringify(wrapped.input));
    try {
      expect(await evaluated(bare)).toEqual(ids);
    } finally {
      await fs.rm(bare, { force: true });
    }
    // Something that is neither says what it expected.
    const wrong = await run(process.execPath, [VIGIL, 'policy', 'eval', '--input', path.resolve('package.json')]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/is not a fact: .*wrap the fact in "input"/);
  }, 60_000);

  it('pretty output - each thing once: the host of a host alert, a process by name and pid, a container by name', () => {
    const alert = (kind: string, name: string, id: string): AlertJSON => ({
      alert_id: 'a', fact_id: 'f', host: 'vm', observed_at: '', raised_at: '2026-12-04T00:00:00.000Z', count: 1,
      rule_id: 'VGL-X', severity: 'HIGH', title: '', message: 'm', recommended_action: '', frameworks: {},
      subject: { kind, name, id, source: '', image: '' },
    });
    expect(alertLine(alert('host', 'vm', 'vm'), false)).toBe('2026-12-04T00:00:00.000Z HIGH     VGL-X host/vm: m');
    expect(alertLine(alert('container', 'web', 'abcdef0123456789'), false)).toBe('2026-12-04T00:00:00.000Z HIGH     VGL-X vm container/web: m');
    expect(alertLine(alert('image', 'nginx:1', 'sha256:0123456789abcdef'), false)).toBe('2026-12-04T00:00:00.000Z HIGH     VGL-X vm image/nginx:1 (sha256:01234): m');
  });
});
