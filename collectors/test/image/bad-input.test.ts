import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { scanImage } from '../../src/image/index.js';
import { dockerSaveTar, END_OF_ARCHIVE, gzip, imageConfig, layerTar, padded, rawHeader, sha256, tempDir, writeOciLayout } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(async () => cleanup());

/** A base layer with one setuid file, so a fact that survives a broken layer can be recognised. */
async function baseLayer(): Promise<Buffer> {
  return layerTar([
    { name: 'bin/', type: 'directory' },
    { name: 'bin/su', content: 'ELF', mode: 0o4755 },
  ]);
}

async function saveWith(name: string, layers: Buffer[], diffIds?: string[], config?: Buffer): Promise<string> {
  const file = path.join(dir, name);
  const cfg = config ?? imageConfig({ diffIds: diffIds ?? layers.map((l) => `sha256:${sha256(l)}`) });
  await writeFile(file, await dockerSaveTar({ config: cfg, layers, repoTags: [`bad/${name}:1`] }));
  return file;
}

describe('image scan of hostile and broken input', () => {
  it('bad input - a truncated gzip layer is reported; the layers before it still count', async () => {
    const base = await baseLayer();
    const second = gzip(await layerTar([{ name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n'.repeat(200) }]));
    const file = await saveWith('truncated-gzip.tar', [base, second.subarray(0, Math.floor(second.length / 2))], [`sha256:${sha256(base)}`, 'sha256:x']);
    const { fact, errors } = await scanImage({ kind: 'archive', path: file });
    expect(errors.map((e) => [e.code, e.layer])).toEqual([['VIGIL_ERR_IMAGE_LAYER_TRUNCATED', 1]]);
    expect(errors[0]!.message).toMatch(/^VIGIL_ERR_IMAGE_LAYER_TRUNCATED: layer 1 \(.+\/layer\.tar\) ends early: compressed stream ends early \(.*unexpected end of file\)/);
    expect(fact?.files?.map((f) => f.path)).toEqual(['/bin/su']);
    expect(fact?.scan_errors).toEqual([errors[0]!.message]);
  });

  it('bad input - a gzip bomb (200 MB of zeros in ~200 KB) stops at the ratio limit', async () => {
    const blob = path.join(dir, 'bomb.gz');
    const out = createWriteStream(blob);
    const gzipper = zlib.createGzip({ level: 9 });
    gzipper.pipe(out);
    gzipper.write(rawHeader({ name: 'zeros', size: 200 * 1024 * 1024 }));
    const zeros = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < 200; i++) if (!gzipper.write(zeros)) await once(gzipper, 'drain');
    gzipper.end(END_OF_ARCHIVE);
    await once(out, 'close');
    const bomb = await readFile(blob);
    expect(bomb.length).toBeLessThan(400 * 1024);

    const base = await baseLayer();
    const file = await saveWith('bomb.tar', [base, bomb], [`sha256:${sha256(base)}`, 'sha256:y']);
    const started = Date.now();
    const { fact, errors } = await scanImage(
      { kind: 'archive', path: file },
      { limits: { maxCompressionRatio: 100, ratioCheckAfterBytes: 8 * 1024 * 1024 } },
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(errors.map((e) => [e.code, e.layer])).toEqual([['VIGIL_ERR_IMAGE_LAYER_BOMB', 1]]);
    expect(errors[0]!.message).toMatch(
      /^VIGIL_ERR_IMAGE_LAYER_BOMB: layer 1 \(.+\) stopped after \d+ decompressed bytes from \d+ compressed: compression ratio \d+:1 exceeds 100:1 \(possible decompression bomb; raise limits\.maxCompressionRatio if the image is trusted\)$/,
    );
    const decompressed = Number(/stopped after (\d+)/.exec(errors[0]!.message)![1]);
    expect(decompressed).toBeLessThan(32 * 1024 * 1024);
    expect(fact?.files?.map((f) => f.path)).toEqual(['/bin/su']);

    // The total limit applies to plain layers too.
    const plain = await saveWith('big-plain.tar', [base, padded(Buffer.concat([rawHeader({ name: 'f', size: 3 * 1024 * 1024 }), Buffer.alloc(3 * 1024 * 1024)]))]);
    const limited = await scanImage({ kind: 'archive', path: plain }, { limits: { maxLayerBytes: 1024 * 1024 } });
    expect(limited.errors.map((e) => e.code)).toEqual(['VIGIL_ERR_IMAGE_LAYER_BOMB']);
    expect(limited.errors[0]!.message).toContain('more than 1048576 bytes');
  });

  it('bad input - an entry claiming 10 GB without the bytes: skipped unread, the truncation reported', async () => {
    const layer = Buffer.concat([
      await layerTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/app.key', content: '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n' }]).then((t) => t.subarray(0, t.length - 1024)),
      rawHeader({ name: 'data/huge.key', size: 10 * 1024 ** 3 }),
      Buffer.alloc(64 * 1024, 0x42),
    ]);
    const file = await saveWith('huge.tar', [layer]);
    const before = process.memoryUsage().rss;
    const started = Date.now();
    const { fact, errors } = await scanImage({ kind: 'archive', path: file });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    expect(errors.map((e) => e.code)).toEqual(['VIGIL_ERR_IMAGE_LAYER_TRUNCATED']);
    expect(errors[0]!.message).toContain('unexpected end of archive inside "data/huge.key" (10737418240 bytes declared, 65536 present)');
    expect(fact?.secrets).toEqual([
      { rule: 'private-key', location: 'file', path: '/etc/app.key', layer: 0, deleted_later: false, redacted: '-----BEGIN EC PRIVATE KEY-----' },
    ]);
  });

  it('bad input - path traversal, absolute paths and symlinks stay inside the image and touch nothing on disk', async () => {
    const layer = await layerTar([
      { name: '../../../../tmp/vigil-escape-test', content: 'x', mode: 0o4755 },
      { name: '/etc/cron.d/job', content: 'x', mode: 0o666 },
      { name: 'etc/passwd', type: 'symlink', linkname: '/etc/shadow' },
      { name: 'etc/os-release', type: 'symlink', linkname: '../../../../../etc/os-release' },
    ]);
    const file = await saveWith('traversal.tar', [layer]);
    const { fact, errors } = await scanImage({ kind: 'archive', path: file });
    expect(errors.map((e) => e.code)).toEqual(['VIGIL_ERR_IMAGE_PATH_ESCAPE']);
    expect(fact?.files?.map((f) => [f.path, f.setuid, f.world_writable])).toEqual([
      ['/etc/cron.d/job', false, true],
      ['/tmp/vigil-escape-test', true, false],
    ]);
    // The os-release symlink points (after clamping) at itself: no OS, no loop.
    expect(fact?.os_release).toBe('');
    await expect(readFile('/tmp/vigil-escape-test')).rejects.toThrow('ENOENT');
  });

  it('bad input - a malformed config is an error for that image, never a crash', async () => {
    const layer = await baseLayer();
    for (const [config, reason] of [
      [Buffer.from('{"config": {"User": "x"'), /not JSON/],
      [Buffer.from('[1,2]'), /expected a JSON object \(actual: array\)/],
      [Buffer.from('{"rootfs": {"diff_ids": "nope"}}'), /"rootfs\.diff_ids" must be an array of strings \(actual: string\)/],
    ] as const) {
      const file = await saveWith(`malformed-${sha256(config).slice(0, 8)}.tar`, [layer], undefined, config);
      const result = await scanImage({ kind: 'archive', path: file });
      expect(result.fact).toBeUndefined();
      expect(result.errors.map((e) => e.code)).toEqual(['VIGIL_ERR_IMAGE_CONFIG']);
      expect(result.errors[0]!.message).toMatch(reason);
      expect(result.errors[0]!.message).toMatch(/config, history and ENV secrets are unknown$/);
    }
  });

  it('bad input - not an image, a missing layer, a corrupt layer and a missing file are clear errors', async () => {
    const junk = path.join(dir, 'junk.bin');
    await writeFile(junk, Buffer.alloc(4096, 0x61));
    const notTar = await scanImage({ kind: 'archive', path: junk });
    expect(notTar.errors.map((e) => e.code)).toEqual(['VIGIL_ERR_IMAGE_NOT_AN_IMAGE']);
    expect(notTar.fact).toBeUndefined();

    const emptyTar = path.join(dir, 'empty.tar');
    await writeFile(emptyTar, await layerTar([{ name: 'hello.txt', content: 'hi' }]));
    expect((await scanImage({ kind: 'archive', path: emptyTar })).errors[0]!.message).toBe(
      `VIGIL_ERR_IMAGE_NOT_AN_IMAGE: ${emptyTar} is neither a docker save archive (manifest.json) nor an OCI image layout (index.json): no manifest.json or index.json found`,
    );

    const layer = await baseLayer();
    const layout = path.join(dir, 'oci-missing');
    await writeOciLayout(layout, { config: imageConfig({ diffIds: ['sha256:a', 'sha256:b'] }), layers: [{ blob: layer, mediaType: 'x' }, { blob: Buffer.from('{}'), mediaType: 'x' }] });
    const { rm } = await import('node:fs/promises');
    await rm(path.join(layout, 'blobs/sha256', sha256(Buffer.from('{}'))));
    const missing = await scanImage({ kind: 'oci-layout', path: layout });
    expect(missing.errors.map((e) => e.code)).toEqual(['VIGIL_ERR_IMAGE_LAYER_MISSING']);
    expect(missing.fact?.files?.map((f) => f.path)).toEqual(['/bin/su']);

    const corrupt = Buffer.from(layer);
    corrupt[0] = corrupt[0]! ^ 0xff;
    const corruptFile = await saveWith('corrupt.tar', [corrupt]);
    const corrupted = await scanImage({ kind: 'archive', path: corruptFile });
    expect(corrupted.errors.map((e) => e.code)).toEqual(['VIGIL_ERR_IMAGE_LAYER_FORMAT']);
    expect(corrupted.errors[0]!.message).toContain('invalid tar header at byte 0 (checksum mismatch)');

    const absent = await scanImage({ kind: 'archive', path: path.join(dir, 'does-not-exist.tar') });
    expect(absent.errors[0]!.code).toBe('VIGIL_ERR_IMAGE_SOURCE_READ');
    expect(absent.errors[0]!.message).toContain('ENOENT');
  });

  it('bad input - a truncated docker save stream keeps what arrived and says where it ended', async () => {
    const layer = await baseLayer();
    const whole = await dockerSaveTar({ config: imageConfig({ diffIds: [`sha256:${sha256(layer)}`] }), layers: [layer], repoTags: ['t:1'], manifestFirst: true });
    async function* cut(): AsyncGenerator<Buffer> {
      // The archive's end marker, the layer's end marker and part of the last padding are gone.
      yield whole.subarray(0, whole.length - 1024 - 1024 - 100);
    }
    const result = await scanImage({ kind: 'stream', stream: cut(), label: 'cut' });
    expect(result.errors.map((e) => e.message)).toEqual([
      `VIGIL_ERR_IMAGE_ARCHIVE_TRUNCATED: archive cut ends early: unexpected end of archive inside "${sha256(layer)}/layer.tar" (${layer.length} bytes declared, ${layer.length - 1124} present)`,
    ]);
    expect(result.fact?.files?.map((f) => f.path)).toEqual(['/bin/su']);

    async function* cutDeeper(): AsyncGenerator<Buffer> {
      yield whole.subarray(0, whole.length - 1024 - 1024 - 600); // into bin/su's data block
    }
    const deeper = await scanImage({ kind: 'stream', stream: cutDeeper(), label: 'cut' });
    expect(deeper.errors.map((e) => e.code)).toEqual(['VIGIL_ERR_IMAGE_ARCHIVE_TRUNCATED', 'VIGIL_ERR_IMAGE_LAYER_TRUNCATED']);
  });
});
