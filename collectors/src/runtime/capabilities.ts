import { CAPABILITY_NAMES } from '../linux/capabilities.js';

/** Names of the bits set in a capability mask (hex string as in /proc/<pid>/status, or bigint). */
export function capabilityNames(mask: bigint | string): string[] {
  let bits: bigint;
  try {
    bits = typeof mask === 'bigint' ? mask : BigInt(mask.startsWith('0x') ? mask : `0x${mask || '0'}`);
  } catch {
    return [];
  }
  const names: string[] = [];
  for (let bit = 0; bit < 64 && bits >> BigInt(bit) !== 0n; bit++) {
    if ((bits >> BigInt(bit)) & 1n) names.push(CAPABILITY_NAMES[bit] ?? `CAP_${bit}`);
  }
  return names;
}

/** Bits in `next` that are not in `previous`, by name. */
export function capabilitiesGained(previous: bigint, next: bigint): string[] {
  return capabilityNames(next & ~previous);
}

/** Normalises "CAP_SYS_ADMIN" / "cap_sys_admin" / "SYS_ADMIN" to "SYS_ADMIN". */
export function normaliseCapabilityName(name: string): string {
  const upper = name.trim().toUpperCase();
  return upper.startsWith('CAP_') ? upper.slice(4) : upper;
}
