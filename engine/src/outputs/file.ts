import fs from 'node:fs/promises';
import path from 'node:path';
import type { AlertOutput } from './output.js';

export interface FileOutputOptions {
  path: string;
  /** Rotate when the file would grow past this many bytes. Default 100 MiB. */
  maxBytes?: number;
  /** Rotated files kept: FILE.1 (newest) … FILE.N. Default 5. */
  keep?: number;
}

/**
 * NDJSON, one alert per line, appended and synced per batch. Rotation renames
 * FILE to FILE.1 (FILE.1 to FILE.2, …), dropping the oldest past `keep`.
 */
export function fileOutput(options: FileOutputOptions): AlertOutput {
  const maxBytes = options.maxBytes ?? 100 * 1024 * 1024;
  const keep = options.keep ?? 5;
  let handle: fs.FileHandle | undefined;
  let size = 0;

  const open = async (): Promise<fs.FileHandle> => {
    if (handle) return handle;
    await fs.mkdir(path.dirname(options.path), { recursive: true });
    handle = await fs.open(options.path, 'a', 0o640);
    size = (await handle.stat()).size;
    return handle;
  };

  const rotate = async (): Promise<void> => {
    await handle?.close();
    handle = undefined;
    await fs.rm(`${options.path}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) await fs.rename(`${options.path}.${i}`, `${options.path}.${i + 1}`).catch(() => undefined);
    if (keep > 0) await fs.rename(options.path, `${options.path}.1`).catch(() => undefined);
    else await fs.rm(options.path, { force: true });
  };

  return {
    describe: `file ${options.path}`,
    async deliver(alerts) {
      if (alerts.length === 0) return;
      const data = Buffer.from(alerts.map((a) => `${JSON.stringify(a)}\n`).join(''));
      await open();
      if (size > 0 && size + data.length > maxBytes) await rotate();
      const file = await open();
      await file.appendFile(data);
      await file.datasync();
      size += data.length;
    },
    async close() {
      await handle?.close();
      handle = undefined;
    },
  };
}
