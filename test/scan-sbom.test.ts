import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { docker } from './harness/index.js';
import { debianImageTarball } from './support/debian-image.js';

/**
 * `vigil scan --format cyclonedx` over a real image (a Debian-like root file
 * system `docker import`ed, then `docker save`d): a CycloneDX 1.6 SBOM that
 * validates against the schema (test/schemas), with a purl per package and the
 * layer that installed it.
 */
const run = promisify(execFile);
const VIGIL = path.resolve('bin', 'vigil.js');
const SCHEMAS = path.resolve('test', 'schemas');
const IMAGE = `vigil-test/sbom-${process.pid}:1`;

// ajv and ajv-formats are CommonJS: their functions are the modules' default exports.
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as new (options: object) => {
  addSchema(schema: object, key: string): void;
  compile(schema: object): { (data: unknown): boolean; errors?: unknown };
};
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: unknown) => void;

const STATUS = `Package: libc6
Status: install ok installed
Architecture: amd64
Source: glibc (2.36-9+deb12u4)
Version: 2.36-9+deb12u4

Package: passwd
Status: install ok installed
Architecture: amd64
Source: shadow
Version: 1:4.13+dfsg1-1+b1

Package: tzdata
Status: install ok installed
Architecture: all
Version: 2024a-0+deb12u1
`;

describe('scan - CycloneDX SBOM of an image', () => {
  let dir: string;
  let tar: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-sbom-'));
    tar = await debianImageTarball(dir, IMAGE, STATUS);
  }, 120_000);

  afterAll(async () => {
    await docker(['rmi', '-f', IMAGE]).catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('cyclonedx - the SBOM validates against CycloneDX 1.6 and lists each package with its purl and layer', async () => {
    const { stdout } = await run(process.execPath, [VIGIL, 'scan', '--format', 'cyclonedx', tar], { maxBuffer: 64 * 1024 * 1024 });
    const bom = JSON.parse(stdout) as { components: Array<{ name: string; purl: string; properties: Array<{ name: string; value: string }> }>; metadata: { component: { name: string } } };
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    // The schema refers to its companions by these names.
    ajv.addSchema(JSON.parse(readFileSync(path.join(SCHEMAS, 'spdx.SNAPSHOT.schema.json'), 'utf8')) as object, 'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json');
    ajv.addSchema(JSON.parse(readFileSync(path.join(SCHEMAS, 'jsf-0.82.SNAPSHOT.schema.json'), 'utf8')) as object, 'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json');
    const validate = ajv.compile(JSON.parse(readFileSync(path.join(SCHEMAS, 'bom-1.6.SNAPSHOT.schema.json'), 'utf8')) as object);
    expect(validate(bom) ? [] : validate.errors).toEqual([]);
    expect(bom.metadata.component.name).toBe(IMAGE);
    expect(bom.components.map((c) => c.purl).sort()).toEqual([
      'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12',
      'pkg:deb/debian/passwd@1%3A4.13%2Bdfsg1-1%2Bb1?arch=amd64&distro=debian-12',
      'pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12',
    ]);
    const libc = bom.components.find((c) => c.name === 'libc6')!;
    expect(libc.properties).toEqual(expect.arrayContaining([{ name: 'vigil:layer_index', value: '0' }, { name: 'vigil:source_package', value: 'glibc' }]));
  }, 120_000);

  it('cyclonedx - more than one image is refused with a reason', async () => {
    const result = await run(process.execPath, [VIGIL, 'scan', '--format', 'cyclonedx', tar, tar]).then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/describes one image; the targets hold 2/);
  }, 120_000);
});
