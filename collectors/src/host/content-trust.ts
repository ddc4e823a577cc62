import type { HostReader } from './reader.js';

const SETTING = /^\s*(?:export\s+)?DOCKER_CONTENT_TRUST\s*=\s*["']?([^"'\s#]*)["']?/;

/**
 * DOCKER_CONTENT_TRUST as every login on the host gets it: /etc/environment,
 * then /etc/profile.d/*.sh in the order a shell reads them (the last setting
 * wins). "" when nothing sets it. Content trust is a client setting; this is
 * where CIS Docker 4.5 expects a host to turn it on for everyone.
 */
export async function readContentTrust(reader: HostReader): Promise<string> {
  const files = ['/etc/environment'];
  for (const name of ((await reader.list('/etc/profile.d')) ?? []).sort()) if (name.endsWith('.sh')) files.push(`/etc/profile.d/${name}`);
  let value = '';
  for (const file of files) {
    for (const line of ((await reader.text(file)) ?? '').split('\n')) {
      const m = SETTING.exec(line);
      if (m) value = m[1] ?? '';
    }
  }
  return value;
}
