import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateMain, inspectRules, packageRoot, resolveTool } from '../../engine/src/index.js';

const run = promisify(execFile);

/**
 * The default policy pack as plain Rego for OPA's own evaluator: the same rules
 * and the same generated `vigil.main.<kind>` entrypoints the WASM bundle is
 * compiled from, with `data.vigil.today` fixed the way the engine sets it.
 */
export async function regoBundleDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const opa = resolveTool('opa');
  const source = path.join(packageRoot(), 'policies');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-bench-rego-'));
  await fs.cp(source, dir, {
    recursive: true,
    filter: (p) => p === source || !(path.basename(p) === 'examples' || path.basename(p).startsWith('.') || p.endsWith('_test.rego')),
  });
  const { rules, hasExceptions } = await inspectRules(opa, dir, source);
  await fs.mkdir(path.join(dir, '_vigil'));
  await fs.writeFile(path.join(dir, '_vigil', 'main.rego'), generateMain(rules.filter((r) => r.maturity === 'stable'), hasExceptions));
  const dataFile = path.join(dir, 'data.json');
  const data = JSON.parse(await fs.readFile(dataFile, 'utf8')) as { vigil?: Record<string, unknown> };
  data.vigil = { ...data.vigil, today: new Date().toISOString().slice(0, 10) };
  await fs.writeFile(dataFile, JSON.stringify(data));
  return { dir, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}

/**
 * `opa bench` on one query that evaluates every fact of `inputs` through its
 * kind's entrypoint, so the per-fact cost covers the same mix as the other runs.
 */
export async function opaBenchPerFact(dir: string, inputs: readonly Record<string, unknown>[]): Promise<{ nsPerFact: number; command: string }> {
  const opa = resolveTool('opa');
  const inputFile = path.join(dir, '..', `${path.basename(dir)}-input.json`);
  await fs.writeFile(inputFile, JSON.stringify({ facts: inputs }));
  const query = 'results := [r | some f in input.facts; r := data.vigil.main[f.kind] with input as f]';
  const args = ['bench', '--format', 'json', '--metrics=false', '--benchmem=false', '-b', dir, '-i', inputFile, query];
  try {
    const { stdout } = await run(opa, args, { maxBuffer: 64 * 1024 * 1024 });
    // Go's testing.BenchmarkResult: N iterations in T nanoseconds.
    const report = JSON.parse(stdout) as { N: number; T: number };
    return { nsPerFact: report.T / report.N / inputs.length, command: `opa ${args.slice(0, -1).join(' ')} '<query>'` };
  } finally {
    await fs.rm(inputFile, { force: true });
  }
}

export interface OpaServer {
  url: string;
  stop(): Promise<void>;
}

/** `opa run --server` on the Rego bundle, bound to a free loopback port; resolves when it answers /health. */
export async function startOpaServer(dir: string): Promise<OpaServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(resolveTool('opa'), ['run', '--server', '--addr', `127.0.0.1:${port}`, '--log-level', 'error', '-b', dir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`opa run --server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health?bundles`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('opa run --server did not become healthy within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
