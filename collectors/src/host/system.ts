import type { HostReader } from './reader.js';

export interface SystemFacts {
  hostname: string;
  kernel_version: string;
  os: string;
  security_modules: string[];
  seccomp_supported: boolean;
  /** 2 for the unified hierarchy, 1 for legacy/hybrid, 0 when /sys/fs/cgroup is not visible. */
  cgroup_version: number;
}

/** A value of an os-release file (shell-style, optionally quoted; see os-release(5)). */
export function osReleaseValue(text: string, key: string): string | undefined {
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!match || match[1] !== key) continue;
    let value = match[2]!.trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\(["\\`$])/g, '$1');
    }
    return value;
  }
  return undefined;
}

async function securityModules(reader: HostReader): Promise<string[]> {
  const lsm = await reader.probe('/sys/kernel/security/lsm');
  if (lsm !== undefined) {
    return lsm
      .trim()
      .split(',')
      .filter((name) => name !== '');
  }
  // securityfs not mounted or not readable: infer the two LSMs Docker uses.
  const modules: string[] = [];
  const apparmor = await reader.probe('/sys/module/apparmor/parameters/enabled');
  if (apparmor?.trim() === 'Y') modules.push('apparmor');
  if ((await reader.probe('/sys/fs/selinux/enforce')) !== undefined) modules.push('selinux');
  return modules;
}

async function seccompSupported(reader: HostReader): Promise<boolean> {
  if ((await reader.probe('/proc/sys/kernel/seccomp/actions_avail')) !== undefined) return true;
  const status = await reader.probe('/proc/self/status');
  return status !== undefined && /^Seccomp:/m.test(status);
}

async function cgroupVersion(reader: HostReader): Promise<number> {
  if ((await reader.stat('/sys/fs/cgroup/cgroup.controllers')) !== undefined) return 2;
  return (await reader.stat('/sys/fs/cgroup')) !== undefined ? 1 : 0;
}

/** Kernel, distribution, host name and the kernel's security features, from files under the root. */
export async function readSystemFacts(reader: HostReader): Promise<SystemFacts> {
  const osRelease = (await reader.text('/etc/os-release')) ?? (await reader.text('/usr/lib/os-release'));
  return {
    hostname: (await reader.text('/etc/hostname'))?.trim() ?? '',
    kernel_version: (await reader.text('/proc/sys/kernel/osrelease'))?.trim() ?? '',
    os: osRelease === undefined ? '' : (osReleaseValue(osRelease, 'PRETTY_NAME') ?? ''),
    security_modules: await securityModules(reader),
    seccomp_supported: await seccompSupported(reader),
    cgroup_version: await cgroupVersion(reader),
  };
}
