import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HostRoot } from '../../src/host/index.js';
import { FixtureRoot } from './fixture.js';

describe('host collector - host root', () => {
  let fixture: FixtureRoot;
  let outside: string;
  let root: HostRoot;

  beforeAll(async () => {
    fixture = await FixtureRoot.create();
    outside = await mkdtemp(path.join(tmpdir(), 'vigil-host-outside-'));
    await writeFile(path.join(outside, 'secret'), 'outside the root');
    await fixture.file('/run/docker.sock', '');
    await fixture.file('/etc/real', 'inside');
    await fixture.link('/var/run', '/run'); // absolute, like Debian's /var/run
    await fixture.link('/etc/absolute-escape', path.join(outside, 'secret'));
    await fixture.link('/etc/relative-escape', `../../../../../../../..${outside}/secret`);
    await fixture.link('/etc/alias', 'real');
    await fixture.link('/etc/loop-a', 'loop-b');
    await fixture.link('/etc/loop-b', 'loop-a');
    root = new HostRoot(fixture.root);
  });

  afterAll(async () => {
    await fixture.remove();
    await rm(outside, { recursive: true, force: true });
  });

  it('host root - absolute symlinks restart at the root', async () => {
    expect(await root.resolve('/var/run/docker.sock')).toBe(fixture.at('/run/docker.sock'));
    expect(await root.stat('/var/run/docker.sock')).toBeDefined();
  });

  it('host root - relative symlinks inside the root are followed', async () => {
    expect(await root.readText('/etc/alias')).toBe('inside');
  });

  it('host root - an absolute symlink out of the root is not followed', async () => {
    expect(await root.resolve('/etc/absolute-escape')).toBe(fixture.at(path.join(outside, 'secret')));
    expect(await root.readText('/etc/absolute-escape')).toBeUndefined();
    expect(await root.stat('/etc/absolute-escape')).toBeUndefined();
  });

  it('host root - a relative symlink climbing out of the root stops at the root', async () => {
    expect(await root.resolve('/etc/relative-escape')).toBe(fixture.at(path.join(outside, 'secret')));
    expect(await root.readText('/etc/relative-escape')).toBeUndefined();
    expect(await root.readText('/../../..' + outside + '/secret')).toBeUndefined();
  });

  it('host root - a symlink loop is an error, not a hang', async () => {
    await expect(root.readText('/etc/loop-a')).rejects.toMatchObject({ code: 'ELOOP' });
  });

  it('host root - "/" reads the real filesystem', async () => {
    const real = new HostRoot('/');
    expect(await real.resolve('/etc/hostname')).toBe('/etc/hostname');
    expect(await real.readText('/proc/sys/kernel/osrelease')).toMatch(/^\d+\.\d+/);
  });
});
