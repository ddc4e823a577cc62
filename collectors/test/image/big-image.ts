/**
 * A ~200 MB docker save archive written straight to disk (never held in
 * memory): one layer with 192 × 1 MiB binary files, 40 × 200 KiB config
 * files that get the content scan, and a dpkg status of 5000 packages.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { END_OF_ARCHIVE, imageConfig, padded, rawHeader } from './fixtures.js';

export const BIG_PACKAGES = 5000;

function layerEntries(): Array<{ name: string; size: number; fill: (out: (chunk: Buffer) => Promise<void>) => Promise<void> }> {
  const blob = randomBytes(1024 * 1024);
  const conf = Buffer.from('option.name = some value that is not a secret\n'.repeat(4459).slice(0, 200 * 1024));
  const status = Buffer.from(
    Array.from({ length: BIG_PACKAGES }, (_, i) => `Package: pkg${i}\nStatus: install ok installed\nVersion: 1.${i}-1\nDescription: package ${i}\n long description line\n`).join('\n'),
  );
  const entries = [];
  for (let i = 0; i < 192; i++) entries.push({ name: `usr/share/blob/file${i}.bin`, size: blob.length, fill: async (out: (c: Buffer) => Promise<void>) => out(blob) });
  for (let i = 0; i < 40; i++) entries.push({ name: `etc/conf/app${i}.conf`, size: conf.length, fill: async (out: (c: Buffer) => Promise<void>) => out(conf) });
  entries.push({ name: 'var/lib/dpkg/status', size: status.length, fill: async (out: (c: Buffer) => Promise<void>) => out(status) });
  return entries;
}

function layerSize(entries: ReturnType<typeof layerEntries>): number {
  return entries.reduce((sum, e) => sum + 512 + Math.ceil(e.size / 512) * 512, 0) + 1024;
}

async function write(stream: WriteStream, chunk: Buffer): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

/** Writes the archive; resolves with its layer size in bytes. */
export async function writeBigDockerSave(file: string): Promise<number> {
  const out = createWriteStream(file);
  const entries = layerEntries();
  const size = layerSize(entries);
  const hash = createHash('sha256');
  const layerHex = 'a'.repeat(64);
  await write(out, rawHeader({ name: `${layerHex}/layer.tar`, size }));
  const emit = async (chunk: Buffer): Promise<void> => {
    hash.update(chunk);
    await write(out, chunk);
  };
  for (const entry of entries) {
    await emit(rawHeader({ name: entry.name, size: entry.size }));
    await entry.fill(emit);
    const padding = (512 - (entry.size % 512)) % 512;
    if (padding > 0) await emit(Buffer.alloc(padding));
  }
  await emit(END_OF_ARCHIVE);
  const config = imageConfig({ diffIds: [`sha256:${hash.digest('hex')}`], config: { Cmd: ['/bin/true'] } });
  const configHex = createHash('sha256').update(config).digest('hex');
  await write(out, rawHeader({ name: `${configHex}.json`, size: config.length }));
  await write(out, padded(config));
  const manifest = Buffer.from(JSON.stringify([{ Config: `${configHex}.json`, RepoTags: ['big/image:1'], Layers: [`${layerHex}/layer.tar`] }]));
  await write(out, rawHeader({ name: 'manifest.json', size: manifest.length }));
  await write(out, padded(manifest));
  await write(out, END_OF_ARCHIVE);
  out.end();
  await once(out, 'close');
  return size;
}
