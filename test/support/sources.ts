import fs from 'node:fs/promises';
import path from 'node:path';

/** Every TypeScript file under `dir` (from the repository root), by its path from the root, with its text. */
export async function sourceFiles(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await fs.readdir(path.resolve(dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    out.set(path.relative(path.resolve('.'), file), await fs.readFile(file, 'utf8'));
  }
  return out;
}
