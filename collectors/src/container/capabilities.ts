import { CAPABILITY_NAMES } from '../linux/capabilities.js';
/**
 * Linux capabilities as Docker computes them for a container
 * (moby oci/caps TweakCapabilities): names are upper case without "CAP_".
 */

/** Every Linux capability, in kernel number order (0 … CAP_LAST_CAP = 40, Linux 5.9+). */
export const ALL_CAPABILITIES: readonly string[] = CAPABILITY_NAMES;

/** Docker's default bounding set for an unprivileged container. */
export const DOCKER_DEFAULT_CAPABILITIES: readonly string[] = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'NET_RAW',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];

/** "cap_sys_admin", "CAP_SYS_ADMIN", " sys_admin " → "SYS_ADMIN"; "all" → "ALL". */
export function normaliseCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  return upper.startsWith('CAP_') ? upper.slice(4) : upper;
}

export function normaliseCapabilities(names: readonly string[] | null | undefined): string[] {
  const out: string[] = [];
  for (const name of names ?? []) {
    const normalised = normaliseCapability(name);
    if (normalised !== '' && !out.includes(normalised)) out.push(normalised);
  }
  return out;
}

/**
 * The effective set: privileged → every capability; "ALL" in add → every
 * capability but the dropped ones; "ALL" in drop → only the added ones;
 * otherwise the default set − drop + add. Sorted, without duplicates.
 */
export function effectiveCapabilities(
  capAdd: readonly string[],
  capDrop: readonly string[],
  privileged: boolean,
  defaults: readonly string[] = DOCKER_DEFAULT_CAPABILITIES,
): string[] {
  const add = normaliseCapabilities(capAdd);
  const drop = normaliseCapabilities(capDrop);
  let caps: string[];
  if (privileged) caps = [...ALL_CAPABILITIES];
  else if (add.includes('ALL')) caps = ALL_CAPABILITIES.filter((cap) => !drop.includes(cap));
  else if (drop.includes('ALL')) caps = add;
  else caps = [...defaults.filter((cap) => !drop.includes(cap)), ...add];
  return [...new Set(caps)].sort();
}
