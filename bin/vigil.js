#!/usr/bin/env node
// Entry point of the `vigil` command. Vigil needs Node.js >= 22.22; on an older
// machine node it re-runs itself with the Node 24 that `npm run setup` installs.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 22)) {
  const cache = process.env.VIGIL_CACHE ?? path.join(os.homedir(), '.cache', 'vigil');
  const node24 = path.join(cache, 'node24', 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(node24)) {
    process.stderr.write(`vigil: Node.js ${process.versions.node} is too old (need >= 22.22); run \`npm run setup\`\n`);
    process.exit(2);
  }
  // The real process is this one's stand-in: signals sent to the wrapper (a supervisor's SIGTERM,
  // `timeout`) are passed on, the wrapper exits as it does, and an IPC channel tells it when the
  // wrapper is gone (killed outright), so it never runs on orphaned.
  const child = spawn(node24, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, VIGIL_WRAPPED: '1' },
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      try {
        child.kill(signal);
      } catch {
        // Exited already.
      }
    });
  }
  child.once('error', (error) => {
    process.stderr.write(`vigil: cannot start ${node24}: ${error.message}\n`);
    process.exit(2);
  });
  child.once('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    process.exit(code ?? 1);
  });
} else {
  if (process.env.VIGIL_WRAPPED === '1' && process.channel) {
    delete process.env.VIGIL_WRAPPED;
    process.channel.unref();
    process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  }
  await runVigil();
}

async function runVigil() {
  const main = path.join(root, 'dist', 'cli', 'src', 'main.js');
  if (!existsSync(main)) {
    process.stderr.write('vigil: not built yet; run `npm run setup` (or `npm run build`)\n');
    process.exit(2);
  }
  const { runCli } = await import(pathToFileURL(main).href);
  process.exitCode = await runCli(process.argv.slice(2));
}
