import { AUDITED_BINARIES, readAuditRules } from './audit.js';
import { readContentTrust } from './content-trust.js';
import { effectiveDaemonConfig, mergeSettings } from './daemon-config.js';
import { parseDaemonJson } from './daemon-json.js';
import { findDockerd } from './dockerd-process.js';
import { parseSecurityOptions, unixSocketEngineApi, type EngineApi, type EngineInfo, type EngineVersion } from './engine-api.js';
import { collectorMessage, reason } from '../errors.js';
import { DEFAULT_DAEMON_JSON, fileOwnership, watchedPaths } from './files.js';
import { parseDockerdFlags } from './flags.js';
import { HostRoot } from './host-root.js';
import { HostReader } from './reader.js';
import { runtimeList } from './runtimes.js';
import { readSystemFacts } from './system.js';
import type { HostFactInit } from './types.js';

export const DEFAULT_HOST_ROOT = '/';
export const DEFAULT_API_TIMEOUT_MS = 5_000;
const DOCKER_SOCKET = '/var/run/docker.sock';

export interface HostCollectOptions {
  /** Where the host's / is visible: "/" on the host, "/host" in a container that mounts it. Default "/". */
  hostRoot?: string;
  /** Path of the Engine API socket as this process sees it. Default: <hostRoot>/var/run/docker.sock. */
  dockerSocket?: string;
  /** Timeout of each Engine API request. Default 5 s. */
  timeoutMs?: number;
}

export interface HostCollection {
  fact: HostFactInit;
  /** Expected failures met on the way (`VIGIL_ERR_HOST_*: …`); the fact holds what could be learnt. */
  errors: string[];
}

interface Engine {
  version: EngineVersion;
  info: EngineInfo;
}

async function askEngine(api: EngineApi, where: string, errors: string[]): Promise<Engine | undefined> {
  try {
    const [version, info] = await Promise.all([api.version(), api.info()]);
    return { version, info };
  } catch (error) {
    errors.push(collectorMessage('VIGIL_ERR_HOST_DOCKER_API', where, reason(error)));
    return undefined;
  }
}

async function engineSocket(root: HostRoot, options: HostCollectOptions, errors: string[]): Promise<string | undefined> {
  if (options.dockerSocket !== undefined) return options.dockerSocket;
  try {
    return await root.resolve(DOCKER_SOCKET);
  } catch (error) {
    errors.push(collectorMessage('VIGIL_ERR_HOST_DOCKER_API', root.describe(DOCKER_SOCKET), reason(error)));
    return undefined;
  }
}

/**
 * One look at the Docker host: daemon configuration (daemon.json, dockerd's
 * flags, the Engine API), kernel security features, runtimes, ownership of
 * Docker's files and the audit rules watching them. Missing or unreadable
 * sources are reported in `errors`; the fact carries what the rest told.
 */
export async function collectHostFact(options: HostCollectOptions = {}): Promise<HostCollection> {
  const root = new HostRoot(options.hostRoot ?? DEFAULT_HOST_ROOT);
  const errors: string[] = [];
  const reader = new HostReader(root, errors);

  const dockerd = await findDockerd(reader);
  if (dockerd === undefined) errors.push(collectorMessage('VIGIL_ERR_HOST_DOCKERD_NOT_FOUND', root.describe('/proc')));
  const flags = parseDockerdFlags(dockerd?.argv ?? []);
  errors.push(...flags.errors);

  const daemonJsonPath = flags.configFile === undefined ? DEFAULT_DAEMON_JSON : `/${flags.configFile.replace(/^\/+/, '')}`;
  const daemonJsonText = await reader.text(daemonJsonPath);
  const file = daemonJsonText === undefined ? { settings: {}, errors: [] } : parseDaemonJson(daemonJsonText, root.describe(daemonJsonPath));
  errors.push(...file.errors);

  const socket = await engineSocket(root, options, errors);
  const engine =
    socket === undefined ? undefined : await askEngine(unixSocketEngineApi(socket, options.timeoutMs ?? DEFAULT_API_TIMEOUT_MS), socket, errors);
  const info = engine?.info;

  const system = await readSystemFacts(reader);
  if (dockerd === undefined && daemonJsonText === undefined && engine === undefined && !(await dockerInstalled(root))) {
    // Nothing of Docker on this host: its daemon settings would be Docker's defaults for a daemon that does
    // not exist. Said once, in place of every failure to reach it.
    return { fact: await dockerlessFact(reader, system), errors: [collectorMessage('VIGIL_ERR_HOST_DOCKER_ABSENT', root.describe('/'))] };
  }
  const securityOptions = parseSecurityOptions(info?.SecurityOptions);
  const securityModules = [...system.security_modules];
  for (const lsm of ['apparmor', 'selinux']) {
    if (securityOptions.has(lsm) && !securityModules.includes(lsm)) securityModules.push(lsm);
  }
  const engineCgroup = Number(info?.CgroupVersion);

  const daemon = effectiveDaemonConfig({
    file: file.settings,
    flags: flags.settings,
    commandLine: dockerd?.argv ?? [],
    configFilePresent: daemonJsonText !== undefined,
    ...(info === undefined ? {} : { engine: info }),
  });
  const runtimes = runtimeList(mergeSettings(file.settings, flags.settings).runtimes, info);

  const fact: HostFactInit = {
    hostname: system.hostname || info?.Name || '',
    kernel_version: system.kernel_version || info?.KernelVersion || '',
    os: system.os || info?.OperatingSystem || '',
    docker_version: engine?.version.Version ?? '',
    docker_api_version: engine?.version.ApiVersion ?? '',
    daemon,
    security_modules: securityModules,
    seccomp_supported: system.seccomp_supported || securityOptions.has('seccomp'),
    cgroup_version: engineCgroup === 1 || engineCgroup === 2 ? engineCgroup : system.cgroup_version,
    runtimes,
    default_runtime: daemon.default_runtime ?? 'runc',
    files: await fileOwnership(reader, [...new Set([...watchedPaths(daemon, daemonJsonPath), ...AUDITED_BINARIES])]),
    audit_rules: await readAuditRules(reader),
    docker_socket_reachable: engine !== undefined,
    content_trust: await readContentTrust(reader),
    docker_absent: false,
  };
  return { fact, errors };
}

/** Where an installed Docker leaves traces even when its daemon is stopped. */
const DOCKER_TRACES = ['/var/lib/docker', '/etc/docker', '/usr/bin/dockerd', '/usr/sbin/dockerd', '/usr/local/bin/dockerd', DOCKER_SOCKET];

async function dockerInstalled(root: HostRoot): Promise<boolean> {
  for (const trace of DOCKER_TRACES) if ((await root.stat(trace).catch(() => undefined)) !== undefined) return true;
  return false;
}

/** A host without Docker: its kernel, security modules and audit rules, and no daemon. */
async function dockerlessFact(reader: HostReader, system: Awaited<ReturnType<typeof readSystemFacts>>): Promise<HostFactInit> {
  return {
    hostname: system.hostname,
    kernel_version: system.kernel_version,
    os: system.os,
    security_modules: [...system.security_modules],
    seccomp_supported: system.seccomp_supported,
    cgroup_version: system.cgroup_version,
    audit_rules: await readAuditRules(reader),
    docker_socket_reachable: false,
    content_trust: await readContentTrust(reader),
    docker_absent: true,
  };
}
