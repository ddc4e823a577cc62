import { describe, expect, it } from '@jest/globals';
import { detectFileKind, scanPath } from '../../src/manifests/index.js';
import { fixturePath, readFixture } from './fixtures.js';

describe('manifests - scanPath', () => {
  it('manifests - a directory is walked recursively: manifests and compose files read, inspect arrays listed, others skipped', async () => {
    const root = fixturePath('mixed-dir');
    const result = await scanPath(root);
    expect(result.files).toEqual([
      { file: fixturePath('mixed-dir', 'inspect.json'), kind: 'docker-inspect' },
      { file: fixturePath('mixed-dir', 'nested', 'compose.yml'), kind: 'compose' },
      { file: fixturePath('mixed-dir', 'nested', 'deeper', 'broken.yaml'), kind: 'unknown' },
      { file: fixturePath('mixed-dir', 'pod.yml'), kind: 'kubernetes' },
      { file: fixturePath('mixed-dir', 'workflow.yaml'), kind: 'unknown' },
    ]);
    expect(result.containers.map((c) => [c.fact.name, c.source])).toEqual([
      ['web', fixturePath('mixed-dir', 'nested', 'compose.yml')],
      ['cache', fixturePath('mixed-dir', 'nested', 'compose.yml')],
      ['default/Pod/mixed:app', fixturePath('mixed-dir', 'pod.yml')],
    ]);
    expect(result.errors.map((e) => [e.file, e.document, e.code])).toEqual([
      [fixturePath('mixed-dir', 'nested', 'deeper', 'broken.yaml'), 0, 'VIGIL_ERR_MANIFEST_YAML'],
    ]);
  });

  it('manifests - the k8s-dir fixtures give one container per file and the broken document of multi.yaml', async () => {
    const result = await scanPath(fixturePath('k8s-dir'));
    expect(result.containers.map((c) => c.fact.name)).toEqual([
      'batch/CronJob/nightly-sync:sync',
      'logging/Deployment/log-shipper:shipper',
      'data/StatefulSet/db:postgres',
      'monitoring/DaemonSet/node-agent:agent',
      'ops/Pod/node-debugger:shell',
      'payments/Pod/api:api',
    ]);
    expect(result.errors.map((e) => [e.file, e.document])).toEqual([[fixturePath('k8s-dir', 'multi.yaml'), 2]]);
  });

  it('manifests - a single file is read whatever its extension; a missing path is a read error', async () => {
    const single = await scanPath(fixturePath('mixed-dir', 'nested', 'deeper', 'notes.txt'));
    expect(single.containers.map((c) => c.fact.name)).toEqual(['default/Pod/not-yaml-extension:app']);
    const missing = await scanPath(fixturePath('does-not-exist'));
    expect(missing.containers).toEqual([]);
    expect(missing.errors).toEqual([
      {
        file: fixturePath('does-not-exist'),
        code: 'VIGIL_ERR_MANIFEST_READ',
        message: `VIGIL_ERR_MANIFEST_READ: cannot read ${fixturePath('does-not-exist')}: ENOENT`,
      },
    ]);
  });
});

describe('manifests - detectFileKind', () => {
  it('manifests - recognises Kubernetes, compose, docker inspect and the rest', () => {
    expect(detectFileKind(readFixture('k8s-dir', 'multi.yaml').text)).toBe('kubernetes');
    expect(detectFileKind(readFixture('list.json').text)).toBe('kubernetes');
    expect(detectFileKind(readFixture('compose', 'risky', 'compose.yaml').text)).toBe('compose');
    expect(detectFileKind(readFixture('mixed-dir', 'inspect.json').text)).toBe('docker-inspect');
    expect(detectFileKind(readFixture('mixed-dir', 'workflow.yaml').text)).toBe('unknown');
    expect(detectFileKind('[{"Id": "x", "Config": {}}]')).toBe('unknown');
    expect(detectFileKind('[]')).toBe('unknown');
    expect(detectFileKind('')).toBe('unknown');
    expect(detectFileKind('{not yaml: [')).toBe('unknown');
  });
});
