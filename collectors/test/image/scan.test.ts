import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { scanImage, ImageScanner, type ImageFactInit, type ImageScanResult } from '../../src/image/index.js';
import { dockerSaveTar, gzip, imageConfig, layerTar, sha256, tarOfFiles, tempDir, writeOciLayout } from './fixtures.js';
import { AWS_SECRET, GITHUB_TOKEN, RSA_KEY, buildTestImage, expectedContent, type TestImage } from './image-fixture.js';

let dir: string;
let cleanup: () => Promise<void>;
let image: TestImage;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  image = await buildTestImage();
});
afterAll(async () => cleanup());

const PATH_ESCAPE = /^VIGIL_ERR_IMAGE_PATH_ESCAPE: layer 2 \(.+\) has 1 entries whose path leaves the image root \(first: "\.\.\/\.\.\/etc\/evil"\)/;

function expectFact(result: ImageScanResult, extra: Partial<ImageFactInit>): void {
  expect(result.errors.map((e) => e.code)).toEqual(['VIGIL_ERR_IMAGE_PATH_ESCAPE']);
  expect(result.errors[0]!.layer).toBe(2);
  const fact = result.fact!;
  expect(fact.scan_errors).toHaveLength(1);
  expect(fact.scan_errors![0]).toMatch(PATH_ESCAPE);
  const { scan_errors: _ignored, ...rest } = fact;
  expect(rest).toEqual({ ...expectedContent(image), ...extra });
  const text = JSON.stringify(fact.secrets);
  for (const secret of [AWS_SECRET, GITHUB_TOKEN, 'AKIAIOSFODNN7EXAMPLE', 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun']) {
    expect(text.includes(secret)).toBe(false);
  }
  expect(RSA_KEY.length).toBeGreaterThan(0);
}

describe('image scan of built fixtures', () => {
  it('scan - docker save tarball with manifest.json last (as docker save writes it) gives the exact facts', async () => {
    const file = path.join(dir, 'save-last.tar');
    await writeFile(file, await dockerSaveTar({ config: image.config, layers: image.blobs, repoTags: ['fixture/app:1'] }));
    const progress: Array<[number, number]> = [];
    const result = await scanImage({ kind: 'archive', path: file }, { onProgress: (done, total) => progress.push([done, total]) });
    expectFact(result, { repo_tags: ['fixture/app:1'], repo_digests: [], reference: 'fixture/app:1', source: 'docker-save' });
    const size = (await readFile(file)).length;
    expect(progress.at(-1)).toEqual([size, size]);
    for (let i = 1; i < progress.length; i++) expect(progress[i]![0]).toBeGreaterThanOrEqual(progress[i - 1]![0]);
  });

  it('scan - docker save tarball with manifest.json first, from the file and as a one-pass stream', async () => {
    const file = path.join(dir, 'save-first.tar');
    await writeFile(file, await dockerSaveTar({ config: image.config, layers: image.blobs, repoTags: ['fixture/app:1'], manifestFirst: true }));
    const labels = { repo_tags: ['fixture/app:1'], repo_digests: [], reference: 'fixture/app:1', source: 'docker-save' };
    expectFact(await scanImage({ kind: 'archive', path: file }), labels);
    expectFact(await scanImage({ kind: 'stream', stream: createReadStream(file, { highWaterMark: 1000 }), label: 'piped' }), labels);
    const last = path.join(dir, 'save-last-stream.tar');
    await writeFile(last, await dockerSaveTar({ config: image.config, layers: image.blobs, repoTags: ['fixture/app:1'] }));
    expectFact(await scanImage({ kind: 'stream', stream: createReadStream(last, { highWaterMark: 777 }) }), labels);
  });

  it('scan - gzipped docker save tarball is streamed in one pass', async () => {
    const file = path.join(dir, 'save.tar.gz');
    await writeFile(file, gzip(await dockerSaveTar({ config: image.config, layers: image.blobs, repoTags: ['fixture/app:1'] })));
    expectFact(await scanImage({ kind: 'archive', path: file }), {
      repo_tags: ['fixture/app:1'],
      repo_digests: [],
      reference: 'fixture/app:1',
      source: 'docker-save',
    });
  });

  it('scan - OCI image layout directory and the same layout packed in a tar, gzip layers', async () => {
    const layout = path.join(dir, 'oci');
    const layers = image.tars.map((tar, index) =>
      index % 2 === 0
        ? { blob: gzip(tar), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }
        : { blob: tar, mediaType: 'application/vnd.oci.image.layer.v1.tar' },
    );
    await writeOciLayout(layout, { config: image.config, layers, refName: 'fixture/app:oci' });
    const labels = { repo_tags: ['fixture/app:oci'], repo_digests: [], reference: 'fixture/app:oci', source: 'oci-layout' };
    const fromDir = await scanImage({ kind: 'oci-layout', path: layout });
    expectFact(fromDir, labels);
    expect(fromDir.errors[0]!.message).toContain(`layer 2 (sha256:${sha256(layers[2]!.blob)})`);

    const files = [
      { name: 'oci-layout', content: await readFile(path.join(layout, 'oci-layout')) },
      { name: 'index.json', content: await readFile(path.join(layout, 'index.json')) },
    ];
    const { readdir } = await import('node:fs/promises');
    for (const name of await readdir(path.join(layout, 'blobs/sha256'))) {
      files.push({ name: `blobs/sha256/${name}`, content: await readFile(path.join(layout, 'blobs/sha256', name)) });
    }
    const tarFile = path.join(dir, 'oci.tar');
    await writeFile(tarFile, await tarOfFiles(files));
    expectFact(await scanImage({ kind: 'oci-layout', path: tarFile }), labels);
    // Blobs first, index last: the stream has to sniff JSON blobs from layer blobs.
    const reversed = path.join(dir, 'oci-reversed.tar');
    await writeFile(reversed, await tarOfFiles([...files].reverse()));
    expectFact(await scanImage({ kind: 'stream', stream: createReadStream(reversed) }), labels);
  });

  it('scan - each package carries the layer that installed its version', async () => {
    const status = (...pkgs: Array<[string, string]>) => pkgs.map(([name, version]) => `Package: ${name}\nStatus: install ok installed\nVersion: ${version}\nArchitecture: amd64\n`).join('\n');
    const os = { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' };
    const base = await layerTar([os, { name: 'var/lib/dpkg/status', content: status(['bash', '5.2'], ['openssl', '3.0.1']) }]);
    const upgrade = await layerTar([{ name: 'var/lib/dpkg/status', content: status(['bash', '5.2'], ['openssl', '3.0.2'], ['curl', '7.88']) }]);
    const app = await layerTar([{ name: 'app/run', content: 'x' }]);
    const config = imageConfig({ diffIds: [base, upgrade, app].map((l) => `sha256:${sha256(l)}`), config: { Cmd: ['/bin/sh'] } });
    const file = path.join(dir, 'layered.tar');
    await writeFile(file, await dockerSaveTar({ config, layers: [base, upgrade, app], repoTags: ['layered:1'] }));
    const { fact } = await scanImage({ kind: 'archive', path: file });
    expect(fact?.packages?.map((p) => `${p.name}@${p.version}:${p.layer}:${p.arch}`)).toEqual(['bash@5.2:0:amd64', 'curl@7.88:1:amd64', 'openssl@3.0.2:1:amd64']);
  });

  it('scan - alpine: apk database and OSV ecosystem from os-release', async () => {
    const layer = await layerTar([
      { name: 'etc/os-release', content: 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\n' },
      {
        name: 'lib/apk/db/installed',
        content: 'C:Q1abc=\nP:musl\nV:1.2.5-r0\nA:x86_64\no:musl\n\nC:Q1def=\nP:libcrypto3\nV:3.3.2-r0\no:openssl\n',
      },
    ]);
    const config = imageConfig({ diffIds: [`sha256:${sha256(layer)}`], config: { Cmd: ['/bin/sh'] } });
    const file = path.join(dir, 'alpine.tar');
    await writeFile(file, await dockerSaveTar({ config, layers: [gzip(layer)], repoTags: ['alpine:3.20'] }));
    const { fact, errors } = await scanImage({ kind: 'archive', path: file });
    expect(errors).toEqual([]);
    expect(fact?.os_release).toBe('alpine 3.20.3');
    expect(fact?.packages).toEqual([
      { name: 'libcrypto3', version: '3.3.2-r0', source_name: 'openssl', manager: 'apk', arch: '', ecosystem: 'Alpine:v3.20', layer: 0 },
      { name: 'musl', version: '1.2.5-r0', source_name: 'musl', manager: 'apk', arch: 'x86_64', ecosystem: 'Alpine:v3.20', layer: 0 },
    ]);
  });

  it('scanner - scans each image once per id, in memory and through the cache directory', async () => {
    const file = path.join(dir, 'cached.tar');
    await writeFile(file, await dockerSaveTar({ config: image.config, layers: image.blobs, repoTags: ['fixture/app:1'] }));
    const cacheDir = path.join(dir, 'cache');
    const scanner = new ImageScanner({ cacheDir });
    const first = await scanner.scan({ kind: 'archive', path: file });
    const second = await scanner.scan({ kind: 'stream', stream: createReadStream(file), label: 'again', reference: 'other' });
    expect(scanner.scans).toBe(1);
    expect(second.fact).toEqual(first.fact);
    const cachedFile = path.join(cacheDir, `${sha256(image.config)}.json`);
    expect(JSON.parse(await readFile(cachedFile, 'utf8')).result.fact.id).toBe(`sha256:${sha256(image.config)}`);

    const restarted = new ImageScanner({ cacheDir });
    const third = await restarted.scan({ kind: 'oci-layout', path: path.join(dir, 'oci') });
    expect(restarted.scans).toBe(0);
    expect(third.fact?.source).toBe('oci-layout');
    expect(third.fact?.reference).toBe('fixture/app:oci');
    expect(third.fact?.secrets).toEqual(first.fact?.secrets);
  });
});
