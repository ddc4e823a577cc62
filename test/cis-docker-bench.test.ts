import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defaultBundlePath, findingsFrom, PolicyEvaluator, readBundleFile } from '../engine/src/index.js';
import { factKindOf, toPolicyInput, v1, type FactInit } from '../proto/src/index.js';
import { BUSYBOX_IMAGE, docker } from './harness/index.js';

/**
 * CIS Docker v1.6.0 as docker-bench-security numbers and decides it: for each id
 * Vigil added to reach docker-bench's coverage, the fact docker-bench would WARN on
 * gives a finding mapped to that id, and the fact it would PASS gives none. Then
 * `vigil scan --host --docker` judges this machine's host, containers and images in
 * one report, as docker-bench does.
 */
const run = promisify(execFile);
const VIGIL = path.resolve('bin', 'vigil.js');

const host = (extra: Record<string, unknown>): FactInit => ({
  host: {
    hostname: 'node-1',
    files: ['/usr/bin/containerd-shim', '/usr/bin/containerd-shim-runc-v1'].map((p) => ({ path: p, exists: true, uid: 0, gid: 0, owner: 'root', group: 'root', mode: 0o755 })),
    audit_rules: [],
    content_trust: '',
    ...extra,
  },
});
const container = (extra: Record<string, unknown>): FactInit => ({
  container: { id: 'c1', name: 'web', image: 'nginx:1.27', engine: 'docker', state: 'running', seccomp_profile: 'default', apparmor_profile: '', selinux_options: [], ports: [], ...extra },
});
const exec = (exe: string): FactInit => ({
  process_exec: { process: { pid: 9, comm: path.basename(exe), exe, args: [exe] }, container: { id: 'c1', name: 'web', host: false }, source: 'ebpf', count: 1 },
});

// docker-bench: WARN when the file exists and no audit rule names it; WARN unless DOCKER_CONTENT_TRUST=1;
// WARN when SecurityOpt is empty; WARN when sshd runs; WARN for each port in use.
const CASES: Array<{ id: string; warn: FactInit; pass: FactInit }> = [
  { id: '1.1.15', warn: host({}), pass: host({ audit_rules: ['-w /usr/bin/containerd-shim -k docker'] }) },
  { id: '1.1.16', warn: host({}), pass: host({ audit_rules: ['-w /usr/bin/containerd-shim-runc-v1 -k docker'] }) },
  { id: '4.5', warn: host({ content_trust: '0' }), pass: host({ content_trust: '1' }) },
  { id: '5.3', warn: container({}), pass: container({ selinux_options: ['label=type:svirt_apache_t'] }) },
  { id: '5.7', warn: exec('/usr/sbin/sshd'), pass: exec('/usr/sbin/nginx') },
  { id: '5.9', warn: container({ ports: [{ container_port: 80, protocol: 'tcp', host_ip: '0.0.0.0', host_port: 8080 }] }), pass: container({ ports: [{ container_port: 80, protocol: 'tcp', host_ip: '', host_port: 0 }] }) },
];

describe('cis docker - docker-bench-security\'s decisions', () => {
  let evaluator: PolicyEvaluator;
  beforeAll(async () => {
    evaluator = await PolicyEvaluator.load(await readBundleFile(defaultBundlePath()));
  });

  const cisIds = (fact: FactInit): string[] => {
    const message = v1.Fact.fromObject(fact);
    const hits = evaluator.evaluate(toPolicyInput(message), factKindOf(message)!);
    // Each finding's own ids: one rule may cover several controls, a finding is about one.
    return findingsFrom(hits, { kind: 'fixture', name: 'fixture' }).flatMap((f) => f.frameworks?.['cis-docker']?.ids ?? []);
  };

  it.each(CASES)('cis $id - what docker-bench warns on is a finding, what it passes is none', ({ id, warn, pass }) => {
    expect({ id, warns: cisIds(warn).includes(id) }).toEqual({ id, warns: true });
    expect({ id, passes: !cisIds(pass).includes(id) }).toEqual({ id, passes: true });
  });
});

describe('cis docker - vigil scan --host --docker', () => {
  const name = `vigil-cis-${process.pid}`;
  beforeAll(async () => {
    await docker(['run', '-d', '--name', name, '-p', '127.0.0.1::80', BUSYBOX_IMAGE, 'sleep', '300']);
  }, 60_000);
  afterAll(async () => {
    await docker(['rm', '-f', name]).catch(() => undefined);
  });

  it('scan --host - the host, its containers and its images in one report, without NATS', async () => {
    const { stdout } = await run(process.execPath, [VIGIL, 'scan', '--host', '--docker', '--format', 'json'], { maxBuffer: 256 * 1024 * 1024, timeout: 300_000 });
    const report = JSON.parse(stdout) as { findings: Array<{ rule_id: string; subject: { kind: string; name: string }; frameworks: Record<string, string[]> }>; errors: unknown[] };
    expect(report.errors).toEqual([]);
    const kinds = new Set(report.findings.map((f) => f.subject.kind));
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['container', 'host', 'image']));
    // Sections 1-3 from the host, 5 from its containers.
    const sections = new Set(report.findings.flatMap((f) => (f.frameworks['cis-docker'] ?? []).map((id) => id.split('.')[0])));
    expect([...sections]).toEqual(expect.arrayContaining(['1', '2', '5']));
    expect(report.findings.some((f) => f.subject.name === name && f.rule_id === 'VGL-CTR-044')).toBe(true);
  }, 300_000);
});
