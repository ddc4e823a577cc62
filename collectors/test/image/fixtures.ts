/**
 * Image fixtures built in the tests: layer tars (with tar-stream, an
 * independent tar writer, plus a raw writer for what tar-stream cannot
 * express: binary PAX values, truncated and lying headers), docker save
 * archives in both member orders, and OCI image layouts.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import tar from 'tar-stream';

export interface FixtureEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device';
  mode?: number;
  uid?: number;
  gid?: number;
  content?: string | Buffer;
  linkname?: string;
  pax?: Record<string, string>;
}

/** A layer tar written by tar-stream. */
export async function layerTar(entries: FixtureEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => void chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const content = entry.content === undefined ? undefined : Buffer.from(entry.content);
    await new Promise<void>((resolve, reject) => {
      const header: tar.Header extends infer H ? Partial<H> & { name: string } : never = {
        name: entry.name,
        type,
        mode: entry.mode ?? (type === 'directory' ? 0o755 : 0o644),
        uid: entry.uid ?? 0,
        gid: entry.gid ?? 0,
        mtime: new Date(0),
      };
      if (entry.linkname !== undefined) header.linkname = entry.linkname;
      if (entry.pax) header.pax = entry.pax;
      if (type === 'file') header.size = content?.length ?? 0;
      const callback = (error?: Error | null): void => (error ? reject(error) : resolve());
      if (type === 'file') pack.entry(header, content ?? Buffer.alloc(0), callback);
      else pack.entry(header, callback);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** One raw ustar header block (what tar-stream cannot write: binary PAX, lying sizes). */
export function rawHeader(options: { name: string; size: number; typeflag?: string; mode?: number }): Buffer {
  const block = Buffer.alloc(512);
  block.write(options.name, 0, 100, 'utf8');
  block.write(`${(options.mode ?? 0o644).toString(8).padStart(7, '0')}\0`, 100, 'latin1');
  block.write('0000000\0', 108, 'latin1');
  block.write('0000000\0', 116, 'latin1');
  if (options.size > 0o77777777777) {
    // GNU base-256: high bit set, big-endian value in the remaining bytes
    block[124] = 0x80;
    let value = BigInt(options.size);
    for (let i = 135; i > 124; i--) {
      block[i] = Number(value & 0xffn);
      value >>= 8n;
    }
  } else {
    block.write(`${options.size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  }
  block.write('00000000000\0', 136, 'latin1');
  block.write(options.typeflag ?? '0', 156, 'latin1');
  block.write('ustar\0', 257, 'latin1');
  block.write('00', 263, 'latin1');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

export function padded(data: Buffer): Buffer {
  const padding = (512 - (data.length % 512)) % 512;
  return Buffer.concat([data, Buffer.alloc(padding)]);
}

/** A PAX 'x' header plus the entry it describes, values as raw bytes. */
export function paxEntry(name: string, records: Record<string, Buffer>, content: Buffer, mode = 0o755): Buffer {
  const body = Buffer.concat(
    Object.entries(records).map(([key, value]) => {
      const tail = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
      let length = tail.length + 1;
      while (String(length).length + tail.length !== length) length = String(length).length + tail.length;
      return Buffer.concat([Buffer.from(String(length)), tail]);
    }),
  );
  return Buffer.concat([
    rawHeader({ name: `PaxHeaders/${name}`.slice(0, 99), size: body.length, typeflag: 'x' }),
    padded(body),
    rawHeader({ name, size: content.length, mode }),
    padded(content),
  ]);
}

export const END_OF_ARCHIVE = Buffer.alloc(1024);

/** vfs_cap_data revision 2 with the given capability bits, effective flag set. */
export function capabilityXattr(bits: number[]): Buffer {
  const value = Buffer.alloc(20);
  value.writeUInt32LE(0x02000001, 0);
  let low = 0;
  let high = 0;
  for (const bit of bits) {
    if (bit < 32) low |= 1 << bit;
    else high |= 1 << (bit - 32);
  }
  value.writeUInt32LE(low >>> 0, 4);
  value.writeUInt32LE(high >>> 0, 12);
  return value;
}

export function gzip(data: Buffer): Buffer {
  return zlib.gzipSync(data, { level: 1 });
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface ImageConfigFixture {
  config?: Record<string, unknown>;
  history?: Array<Record<string, unknown>>;
  diffIds: string[];
}

export function imageConfig(fixture: ImageConfigFixture): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-05-01T10:00:00Z',
      config: fixture.config ?? {},
      history: fixture.history ?? [],
      rootfs: { type: 'layers', diff_ids: fixture.diffIds },
    }),
  );
}

export interface SaveFixture {
  config: Buffer;
  /** Layer blobs as stored (possibly gzip). */
  layers: Buffer[];
  repoTags: string[];
  /** docker save writes manifest.json last; some tools write it first. */
  manifestFirst?: boolean;
}

/** A docker save archive (legacy layout: <id>.json, <layer>/layer.tar, manifest.json). */
export async function dockerSaveTar(fixture: SaveFixture): Promise<Buffer> {
  const configHex = sha256(fixture.config);
  const layerNames = fixture.layers.map((layer) => `${sha256(layer)}/layer.tar`);
  const manifest = JSON.stringify([{ Config: `${configHex}.json`, RepoTags: fixture.repoTags, Layers: layerNames }]);
  const entries: FixtureEntry[] = [];
  const manifestEntry: FixtureEntry = { name: 'manifest.json', content: manifest };
  if (fixture.manifestFirst) entries.push(manifestEntry);
  entries.push({ name: `${configHex}.json`, content: fixture.config });
  fixture.layers.forEach((layer, index) => {
    entries.push({ name: `${sha256(layer)}/`, type: 'directory' });
    entries.push({ name: layerNames[index]!, content: layer });
  });
  if (!fixture.manifestFirst) entries.push(manifestEntry);
  return layerTar(entries);
}

export interface OciFixture {
  config: Buffer;
  layers: Array<{ blob: Buffer; mediaType: string }>;
  refName?: string;
}

/** Writes an OCI image layout directory. */
export async function writeOciLayout(dir: string, fixture: OciFixture): Promise<void> {
  await mkdir(path.join(dir, 'blobs/sha256'), { recursive: true });
  const blob = async (data: Buffer): Promise<string> => {
    const hex = sha256(data);
    await writeFile(path.join(dir, 'blobs/sha256', hex), data);
    return `sha256:${hex}`;
  };
  const configDigest = await blob(fixture.config);
  const layers = [];
  for (const layer of fixture.layers) {
    layers.push({ mediaType: layer.mediaType, digest: await blob(layer.blob), size: layer.blob.length });
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: fixture.config.length },
      layers,
    }),
  );
  const manifestDigest = await blob(manifest);
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: manifestDigest,
        size: manifest.length,
        annotations: fixture.refName ? { 'org.opencontainers.image.ref.name': fixture.refName } : {},
      },
    ],
  };
  await writeFile(path.join(dir, 'index.json'), JSON.stringify(index));
  await writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
}

/** A tar of a directory's files (for an OCI layout packed in a tar). */
export async function tarOfFiles(files: Array<{ name: string; content: Buffer }>): Promise<Buffer> {
  return layerTar(files.map((file) => ({ name: file.name, content: file.content })));
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-image-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
