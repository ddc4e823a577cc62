import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { scanImage, type ImageFactInit } from '../../src/image/index.js';
import { READ_BUFFER_BYTES } from '../../src/image/stores.js';
import { AWS_SECRET, RSA_KEY } from './image-fixture.js';
import { dockerSaveTar, gzip, imageConfig, layerTar, sha256, tempDir, type FixtureEntry } from './fixtures.js';

/**
 * Archives on disk are read into one reused buffer: a chunk is only valid
 * until the next read. A layer where every buffer boundary cuts a secret or a
 * package record must give the same fact as the same archive read as a
 * stream of fresh chunks, and the fact must hold everything planted.
 */
const BOUNDARIES = 8;
const BLOCK = 512;

/**
 * Entries placed so that each read-buffer boundary falls inside an
 * interesting file: a secret in a .env, a private key, a package record.
 */
function layerEntries(): { entries: FixtureEntry[]; secrets: string[]; packages: string[] } {
  const entries: FixtureEntry[] = [{ name: 'var/lib/dpkg/status.d/', type: 'directory' }];
  const secrets: string[] = [];
  const packages: string[] = [];
  let offset = BLOCK;
  const add = (entry: FixtureEntry & { content: Buffer }): void => {
    entries.push(entry);
    offset += BLOCK + Math.ceil(entry.content.length / BLOCK) * BLOCK;
  };
  for (let k = 1; k <= BOUNDARIES; k++) {
    // The file's content starts 1 KiB before the boundary: a filler (incompressible, so that the gzip variant spans buffers too) puts it there.
    const fillerBytes = k * READ_BUFFER_BYTES - 1024 - offset - 2 * BLOCK;
    add({ name: `usr/share/filler/${k}.bin`, content: randomBytes(fillerBytes) });
    const pad = '# padding line of a config file\n'.repeat(30).slice(0, 1000);
    if (k % 3 === 1) {
      add({ name: `app/${k}/.env`, content: Buffer.from(`${pad}\nAWS_SECRET_ACCESS_KEY=${AWS_SECRET}\n${pad}`) });
      secrets.push(`/app/${k}/.env`);
    } else if (k % 3 === 2) {
      add({ name: `app/${k}/server.pem`, content: Buffer.from(`${'\n'.repeat(990)}${RSA_KEY}`) });
      secrets.push(`/app/${k}/server.pem`);
    } else {
      const record = `Package: pkg${k}\nVersion: 1.${k}-1\nArchitecture: amd64\n`;
      add({ name: `var/lib/dpkg/status.d/pkg${k}`, content: Buffer.from(`${'Description: x\n'.repeat(62)}\n${record}\n${'Description: y\n'.repeat(60)}`) });
      packages.push(`pkg${k}`);
    }
  }
  return { entries, secrets, packages };
}

let dir: string;
let cleanup: () => Promise<void>;
let layer: Buffer;
let planted: { secrets: string[]; packages: string[] };

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const { entries, ...rest } = layerEntries();
  planted = rest;
  layer = await layerTar(entries);
});

afterAll(async () => {
  await cleanup();
});

async function bothWays(blob: Buffer, name: string): Promise<{ file: ImageFactInit; stream: ImageFactInit }> {
  const config = imageConfig({ diffIds: [`sha256:${sha256(layer)}`] });
  const archive = path.join(dir, name);
  await writeFile(archive, await dockerSaveTar({ config, layers: [blob], repoTags: ['reads/test:1'] }));
  const file = await scanImage({ kind: 'archive', path: archive });
  const stream = await scanImage({ kind: 'stream', stream: createReadStream(archive, { highWaterMark: 64 * 1024 }) });
  expect(file.errors).toEqual([]);
  expect(stream.errors).toEqual([]);
  return { file: file.fact!, stream: stream.fact! };
}

function content(fact: ImageFactInit): unknown {
  const { reference, source, ...rest } = fact;
  return rest;
}

describe('image store reads', () => {
  it('store - a plain layer of several read buffers gives the same fact from the file as from a stream', async () => {
    expect(layer.length).toBeGreaterThan(BOUNDARIES * READ_BUFFER_BYTES);
    const { file, stream } = await bothWays(layer, 'plain.tar');
    expect(file.packages?.map((p) => p.name)).toEqual(expect.arrayContaining(planted.packages));
    expect(new Set(file.secrets?.map((s) => s.path))).toEqual(new Set(planted.secrets));
    expect(content(file)).toEqual(content(stream));
  });

  it('store - a gzip layer of several read buffers gives the same fact from the file as from a stream', async () => {
    const compressed = gzip(layer);
    expect(compressed.length).toBeGreaterThan(2 * READ_BUFFER_BYTES);
    const { file, stream } = await bothWays(compressed, 'gzip.tar');
    expect(file.packages?.map((p) => p.name)).toEqual(expect.arrayContaining(planted.packages));
    expect(new Set(file.secrets?.map((s) => s.path))).toEqual(new Set(planted.secrets));
    expect(content(file)).toEqual(content(stream));
  });
});
