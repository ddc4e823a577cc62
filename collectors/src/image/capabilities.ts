/**
 * File capabilities: the `security.capability` extended attribute holds a
 * `struct vfs_cap_data` (linux/capability.h), little-endian:
 *   u32 magic_etc            revision in the top byte, VFS_CAP_FLAGS_EFFECTIVE = 0x1
 *   { u32 permitted, u32 inheritable } × 1 (revision 1) or × 2 (revisions 2, 3)
 *   u32 rootid               revision 3 only (namespaced file capabilities)
 */

import { CAPABILITY_NAMES } from '../linux/capabilities.js';

export { CAPABILITY_NAMES };

const REVISION_1 = 0x01000000;
const REVISION_2 = 0x02000000;
const REVISION_3 = 0x03000000;
const REVISION_MASK = 0xff000000;

export interface FileCapabilities {
  /** Permitted ∪ inheritable names, as "NET_BIND_SERVICE" (unknown bits as "CAP_41"). */
  names: string[];
  effective: boolean;
}

/** Decodes vfs_cap_data; undefined when the bytes are not a known revision. */
export function decodeFileCapabilities(value: Buffer): FileCapabilities | undefined {
  if (value.length < 4) return undefined;
  const magic = value.readUInt32LE(0);
  const revision = (magic & REVISION_MASK) >>> 0;
  const words = revision === REVISION_1 ? 1 : revision === REVISION_2 || revision === REVISION_3 ? 2 : 0;
  const expected = 4 + words * 8 + (revision === REVISION_3 ? 4 : 0);
  if (words === 0 || value.length < expected) return undefined;
  const bits = new Set<number>();
  for (let word = 0; word < words; word++) {
    const permitted = value.readUInt32LE(4 + word * 8);
    const inheritable = value.readUInt32LE(8 + word * 8);
    const both = (permitted | inheritable) >>> 0;
    for (let bit = 0; bit < 32; bit++) if (both & (1 << bit)) bits.add(word * 32 + bit);
  }
  const names = [...bits].sort((a, b) => a - b).map((bit) => CAPABILITY_NAMES[bit] ?? `CAP_${bit}`);
  return { names, effective: (magic & 1) === 1 };
}
