// Each package has one door: code outside engine/, collectors/ or proto/
// imports them through src/index.js only (or src/internal.js, the names their
// tests, the test harness and the benches share), and nothing imports another
// package's tests. The CLI is the wiring: anything may import it. Run by
// scripts/test.sh, so .ci/run fails on a deep import.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const PACKAGES = ['engine', 'collectors', 'proto'];
const DOORS = new Set(PACKAGES.flatMap((p) => [`${p}/src/index.ts`, `${p}/src/internal.ts`]));
const SCANNED = ['cli', 'collectors', 'engine', 'proto', 'test', 'bench'];
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

const packageOf = (file) => file.split('/')[0];
const problems = [];
for (const top of SCANNED) {
  for (const entry of fs.readdirSync(path.join(root, top), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(ts|mjs)$/.test(entry.name) || entry.parentPath.includes('node_modules')) continue;
    const file = path.relative(root, path.join(entry.parentPath, entry.name));
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const spec = match[1] ?? match[2];
      if (!spec?.startsWith('.')) continue;
      const target = path.relative(root, path.resolve(path.dirname(path.join(root, file)), spec)).replace(/\.js$/, '.ts');
      const from = packageOf(file);
      const to = packageOf(target);
      if (from === to || !PACKAGES.includes(to)) continue;
      if (target.startsWith(`${to}/test/`)) problems.push(`${file}: imports ${to}'s tests (${spec}); shared test code belongs in test/harness`);
      else if (!DOORS.has(target)) problems.push(`${file}: imports ${spec}, past ${to}'s door (${to}/src/index.js)`);
    }
  }
}
if (problems.length > 0) {
  process.stderr.write(`${problems.length} import(s) past a package's door:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('doors: every import across packages goes through its door\n');
