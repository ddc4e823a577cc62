#!/usr/bin/env node
// Entry point of the `vigil` command. Vigil needs Node.js >= 22.22; on an older
// machine node it re-runs itself with the Node 24 that `npm run setup` installs.
import { spawnSync } from 'node:child_process';
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
  const child = spawnSync(node24, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

const main = path.join(root, 'dist', 'cli', 'src', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('vigil: not built yet; run `npm run setup` (or `npm run build`)\n');
  process.exit(2);
}
const { runCli } = await import(pathToFileURL(main).href);
process.exitCode = await runCli(process.argv.slice(2));
