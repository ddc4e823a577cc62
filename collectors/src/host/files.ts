import type { HostReader } from './reader.js';
import type { DaemonConfigInit, FileOwnershipInit } from './types.js';

/** Where systemd unit files for docker.service and docker.socket may live. */
export const UNIT_DIRECTORIES = ['/lib/systemd/system', '/usr/lib/systemd/system', '/etc/systemd/system'] as const;

export const DEFAULT_DAEMON_JSON = '/etc/docker/daemon.json';
export const CERTS_DIRECTORY = '/etc/docker/certs.d';

/** id → name, from passwd(5) or group(5) text: the first name listed for an id wins. */
export function parseIdNames(text: string | undefined): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of (text ?? '').split('\n')) {
    if (line.startsWith('#')) continue;
    const [name, , id] = line.split(':');
    if (!name || id === undefined || !/^\d+$/.test(id)) continue;
    if (!names.has(Number(id))) names.set(Number(id), name);
  }
  return names;
}

function unixSocketPath(host: string): string | undefined {
  return host.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
}

/**
 * The files CIS Docker Benchmark section 3 checks the ownership and mode of:
 * unit files in every systemd directory, /etc/docker, daemon.json (wherever
 * --config-file points), the daemon's unix sockets, /etc/default/docker,
 * /etc/sysconfig/docker, containerd's config and the TLS files the daemon uses.
 * Registry certificates under /etc/docker/certs.d are added by `fileOwnership`.
 */
export function watchedPaths(daemon: DaemonConfigInit, daemonJsonPath: string): string[] {
  const paths: string[] = [];
  for (const unit of ['docker.service', 'docker.socket']) {
    for (const directory of UNIT_DIRECTORIES) paths.push(`${directory}/${unit}`);
  }
  paths.push('/etc/docker', daemonJsonPath, '/var/run/docker.sock');
  for (const host of daemon.hosts ?? []) {
    const socket = unixSocketPath(host);
    if (socket) paths.push(socket);
  }
  paths.push('/etc/default/docker', '/etc/sysconfig/docker', '/etc/containerd/config.toml');
  for (const tlsFile of [daemon.tls_cacert, daemon.tls_cert, daemon.tls_key]) {
    if (tlsFile?.startsWith('/')) paths.push(tlsFile);
  }
  return [...new Set(paths)];
}

async function certificatePaths(reader: HostReader): Promise<string[]> {
  const paths: string[] = [];
  for (const registry of (await reader.list(CERTS_DIRECTORY)) ?? []) {
    const registryPath = `${CERTS_DIRECTORY}/${registry}`;
    paths.push(registryPath);
    const stats = await reader.stat(registryPath);
    if (stats?.isDirectory()) {
      for (const file of (await reader.list(registryPath)) ?? []) paths.push(`${registryPath}/${file}`);
    }
  }
  return paths;
}

/** Owner, group and permission bits of each path, `exists: false` for those that are missing. */
export async function fileOwnership(reader: HostReader, paths: readonly string[]): Promise<FileOwnershipInit[]> {
  const users = parseIdNames(await reader.text('/etc/passwd'));
  const groups = parseIdNames(await reader.text('/etc/group'));
  const all = [...paths, ...(await certificatePaths(reader))];
  const result: FileOwnershipInit[] = [];
  for (const path of all) {
    const stats = await reader.stat(path);
    if (stats === undefined) {
      result.push({ path, exists: false, uid: 0, gid: 0, owner: '', group: '', mode: 0 });
      continue;
    }
    result.push({
      path,
      exists: true,
      uid: stats.uid,
      gid: stats.gid,
      owner: users.get(stats.uid) ?? '',
      group: groups.get(stats.gid) ?? '',
      mode: stats.mode & 0o7777,
    });
  }
  return result;
}
