import type { HostReader } from './reader.js';

export interface DockerdProcess {
  pid: number;
  argv: string[];
}

/**
 * The running dockerd: the lowest pid under <root>/proc whose `comm` is
 * "dockerd" (a Docker-in-Docker daemon would have a higher pid), with its argv
 * from `cmdline`. Processes that vanish or hide while scanning are skipped.
 */
export async function findDockerd(reader: HostReader): Promise<DockerdProcess | undefined> {
  const entries = await reader.list('/proc');
  const pids = (entries ?? [])
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
  for (const pid of pids) {
    const comm = await reader.probe(`/proc/${pid}/comm`);
    if (comm?.trim() !== 'dockerd') continue;
    const cmdline = await reader.probe(`/proc/${pid}/cmdline`);
    if (cmdline === undefined || cmdline === '') continue; // exited, or a zombie
    const argv = cmdline.split('\0');
    if (argv.at(-1) === '') argv.pop();
    return { pid, argv };
  }
  return undefined;
}
