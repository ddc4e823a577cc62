import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { docker } from './harness/index.js';
import { debianImageTarball } from './support/debian-image.js';

/**
 * `vigil scan --vulns` over a real image (`docker import`ed, then `docker
 * save`d) with OSV records as OSV's exports ship them: ranges with
 * introduced/fixed events, source packages, a withdrawn record, JSON lines.
 */
const run = promisify(execFile);
const VIGIL = path.resolve('bin', 'vigil.js');
const IMAGE = `vigil-test/vulns-${process.pid}:1`;

const STATUS = `Package: libc6
Status: install ok installed
Architecture: amd64
Source: glibc
Version: 2.36-9+deb12u3

Package: passwd
Status: install ok installed
Architecture: amd64
Source: shadow (1:4.13+dfsg1-1)
Version: 1:4.13+dfsg1-1+b1

Package: tzdata
Status: install ok installed
Architecture: all
Version: 2024a-0+deb12u1

Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl
Version: 3.0.11-1~deb12u2
`;

const range = (introduced: string, fixed: string): object => ({ type: 'ECOSYSTEM', events: [{ introduced }, { fixed }] });
const record = (id: string, ecosystem: string, name: string, ranges: object[], extra: object = {}): object => ({
  schema_version: '1.6.0',
  id,
  modified: '2026-11-30T00:00:00Z',
  details: 'made-up advisory for a test',
  affected: [{ package: { ecosystem, name }, ranges }],
  ...extra,
});

describe('scan - vulnerabilities from an OSV feed', () => {
  let dir: string;
  let tar: string;
  let feed: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-vulns-'));
    tar = await debianImageTarball(dir, IMAGE, STATUS);

    feed = path.join(dir, 'osv');
    await fs.mkdir(path.join(feed, 'Debian'), { recursive: true });
    const write = (name: string, value: object): Promise<void> => fs.writeFile(path.join(feed, 'Debian', name), JSON.stringify(value));
    // glibc before the fix: the libc6 binary matches by its source package.
    await write('DEBIAN-CVE-0000-1001.json', record('DEBIAN-CVE-0000-1001', 'Debian:12', 'glibc', [range('0', '2.36-9+deb12u4')], { database_specific: { severity: 'high' } }));
    // shadow's source version is the fix itself: fixed.
    await write('DEBIAN-CVE-0000-1002.json', record('DEBIAN-CVE-0000-1002', 'Debian:12', 'shadow', [range('0', '1:4.13+dfsg1-1')]));
    // Withdrawn: never reported.
    await write('DEBIAN-CVE-0000-1003.json', record('DEBIAN-CVE-0000-1003', 'Debian:12', 'tzdata', [range('0', '2025a-0')], { withdrawn: '2026-11-01T00:00:00Z' }));
    // "~deb12u2" sorts before "~deb12u3": affected. The Debian 11 record is another release.
    await fs.writeFile(
      path.join(feed, 'more.jsonl'),
      [
        JSON.stringify(record('DEBIAN-CVE-0000-1004', 'Debian:12', 'openssl', [range('3.0.0', '3.0.11-1~deb12u3')])),
        JSON.stringify(record('DEBIAN-CVE-0000-1005', 'Debian:11', 'openssl', [range('0', '9.9')])),
        '',
      ].join('\n'),
    );
  }, 120_000);

  afterAll(async () => {
    await docker(['rmi', '-f', IMAGE]).catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('--vulns DIR - ranges decide by dpkg order, source packages by their source version, withdrawn records stay out', async () => {
    const { stdout } = await run(process.execPath, [VIGIL, 'scan', '--format', 'json', '--vulns', feed, tar], { maxBuffer: 64 * 1024 * 1024 });
    const report = JSON.parse(stdout) as { findings: Array<{ rule_id: string; message: string }>; errors: unknown[] };
    expect(report.errors).toEqual([]);
    const vulnerable = report.findings.filter((f) => f.rule_id === 'VGL-IMG-016').map((f) => f.message).sort();
    expect(vulnerable).toEqual([
      `image "${IMAGE}": package libc6 2.36-9+deb12u3 (Debian:12) is affected by DEBIAN-CVE-0000-1001 [HIGH]: `,
      `image "${IMAGE}": package libssl3 3.0.11-1~deb12u2 (Debian:12) is affected by DEBIAN-CVE-0000-1004 [UNKNOWN]: `,
    ]);
  }, 120_000);

  it('--vulns with a record that is not OSV - exit 2, naming the file and the record', async () => {
    const bad = path.join(dir, 'bad.json');
    await fs.writeFile(bad, JSON.stringify([record('OK-1', 'Debian:12', 'glibc', []), { summary: 'no id' }]));
    const result = await run(process.execPath, [VIGIL, 'scan', '--vulns', bad, tar]).then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--vulns ${bad} record 2: not an OSV record`);
  }, 120_000);
});
