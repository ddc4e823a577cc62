/**
 * The ceiling of an image scan: read every layer of an image archive and
 * decompress it, nothing else. The archive's own tar headers are read with
 * positioned reads; each layer is streamed from its offset (1 MiB reads), through
 * `zlib.createGunzip({ chunkSize: 64 KiB })` when it is gzip (faster than the
 * 16 KiB default), and its bytes are counted.
 */
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const exec = promisify(execFile);
/** As fast as Node gunzips: 64 KiB output chunks measured faster than 16 KiB (the default) and 256 KiB. */
const GUNZIP_CHUNK_BYTES = 64 * 1024;

export interface ArchiveLayer {
  name: string;
  offset: number;
  size: number;
  gzip: boolean;
}

export interface LayerReadFigures {
  layers: number;
  compressedBytes: number;
  /** Decompressed layer bytes (the tar streams the scan reads). */
  layerBytes: number;
  seconds: number;
}

/** The layers of a docker save or OCI layout tar: `*\/layer.tar` members, and blobs that are a tar or gzip. */
export async function archiveLayers(archive: string): Promise<ArchiveLayer[]> {
  const handle = await open(archive, 'r');
  try {
    const layers: ArchiveLayer[] = [];
    const header = Buffer.alloc(512);
    const head = Buffer.alloc(512);
    let offset = 0;
    let longName: string | undefined;
    for (;;) {
      const { bytesRead } = await handle.read(header, 0, 512, offset);
      if (bytesRead < 512 || header.every((b) => b === 0)) break;
      const size = octal(header.subarray(124, 136));
      const type = String.fromCharCode(header[156] ?? 0);
      const prefix = cString(header.subarray(345, 500));
      const name = longName ?? (prefix ? `${prefix}/` : '') + cString(header.subarray(0, 100));
      longName = undefined;
      const data = offset + 512;
      if (type === 'L') {
        const bytes = Buffer.alloc(size);
        await handle.read(bytes, 0, size, data);
        longName = cString(bytes);
      } else if ((type === '0' || type === '\0') && size > 0) {
        await handle.read(head, 0, Math.min(512, size), data);
        const gzip = head[0] === 0x1f && head[1] === 0x8b;
        const tar = size >= 512 && head.toString('latin1', 257, 262) === 'ustar';
        if (name.endsWith('/layer.tar') || (name.startsWith('blobs/') && (gzip || tar))) layers.push({ name, offset: data, size, gzip });
      }
      offset = data + Math.ceil(size / 512) * 512;
    }
    return layers;
  } finally {
    await handle.close();
  }
}

/** Reads and decompresses every layer, one after another, as a scan would. */
export async function readLayers(archive: string, layers: readonly ArchiveLayer[]): Promise<LayerReadFigures> {
  const started = process.hrtime.bigint();
  let layerBytes = 0;
  let compressedBytes = 0;
  for (const layer of layers) {
    compressedBytes += layer.size;
    const raw = createReadStream(archive, { start: layer.offset, end: layer.offset + layer.size - 1, highWaterMark: 1024 * 1024 });
    const source: AsyncIterable<Buffer> = layer.gzip ? raw.pipe(zlib.createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES })) : raw;
    for await (const chunk of source) layerBytes += chunk.length;
  }
  return { layers: layers.length, compressedBytes, layerBytes, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** The same with the shell's tools: `tar -xOf ARCHIVE MEMBER [| gzip -dc] | wc -c`, layer by layer. */
export async function readLayersWithShell(archive: string, layers: readonly ArchiveLayer[]): Promise<LayerReadFigures> {
  const started = process.hrtime.bigint();
  let layerBytes = 0;
  for (const layer of layers) {
    const command = `tar -xOf "$1" "$2"${layer.gzip ? ' | gzip -dc' : ''} | wc -c`;
    const { stdout } = await exec('bash', ['-o', 'pipefail', '-c', command, 'bash', archive, layer.name]);
    layerBytes += Number(stdout.trim());
  }
  return {
    layers: layers.length,
    compressedBytes: layers.reduce((sum, l) => sum + l.size, 0),
    layerBytes,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

function octal(field: Buffer): number {
  if ((field[0] ?? 0) & 0x80) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const text = cString(field).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.toString('utf8', 0, end === -1 ? bytes.length : end);
}
