import type { HostReader } from './reader.js';

/** What CIS Docker Benchmark 1.1.x wants auditd to watch. */
export const AUDITED_PATHS = [
  '/usr/bin/dockerd',
  '/var/lib/docker',
  '/etc/docker',
  'docker.service',
  'docker.socket',
  '/etc/default/docker',
  '/etc/sysconfig/docker',
  '/etc/docker/daemon.json',
  '/etc/containerd/config.toml',
  '/usr/bin/containerd',
  '/usr/bin/containerd-shim',
  '/usr/bin/containerd-shim-runc-v1',
  '/usr/bin/containerd-shim-runc-v2',
  '/usr/bin/runc',
  '/run/containerd',
] as const;

/**
 * The binaries among them, reported with whether they exist: CIS (as
 * docker-bench-security checks it) asks for a watch only on a binary the host has.
 */
export const AUDITED_BINARIES = ['/usr/bin/containerd', '/usr/bin/containerd-shim', '/usr/bin/containerd-shim-runc-v1', '/usr/bin/containerd-shim-runc-v2', '/usr/bin/runc'] as const;

/** Rule lines (comments and blanks dropped) that mention one of the audited paths. */
export function dockerAuditRules(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .filter((line) => AUDITED_PATHS.some((audited) => line.includes(audited)));
}

/**
 * auditd rules watching Docker's files, from /etc/audit/audit.rules and
 * /etc/audit/rules.d/*.rules (augenrules compiles the latter into the former,
 * so a rule found in both is listed once).
 */
export async function readAuditRules(reader: HostReader): Promise<string[]> {
  const files = ['/etc/audit/audit.rules'];
  for (const name of (await reader.list('/etc/audit/rules.d')) ?? []) {
    if (name.endsWith('.rules')) files.push(`/etc/audit/rules.d/${name}`);
  }
  const rules: string[] = [];
  for (const file of files) {
    const text = await reader.text(file);
    if (text !== undefined) rules.push(...dockerAuditRules(text));
  }
  return [...new Set(rules)];
}
