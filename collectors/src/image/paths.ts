/**
 * Paths inside an image. Every entry path is normalised into the image's own
 * root ("./etc/x", "etc/x", "/etc/x" and "../../etc/x" all become "/etc/x");
 * nothing is ever resolved against the real filesystem.
 */

export interface NormalisedPath {
  path: string;
  /** The stored path climbed above the root with "..". */
  escaped: boolean;
}

export function normaliseEntryPath(raw: string): NormalisedPath {
  const parts: string[] = [];
  let escaped = false;
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) escaped = true;
      else parts.pop();
      continue;
    }
    parts.push(part);
  }
  return { path: `/${parts.join('/')}`, escaped };
}

export function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Resolves a symlink target inside the image (relative to the link's directory). */
export function resolveLink(linkPath: string, target: string): string {
  const base = target.startsWith('/') ? target : `${dirname(linkPath)}/${target}`;
  return normaliseEntryPath(base).path;
}

export type Whiteout = { kind: 'whiteout'; path: string } | { kind: 'opaque'; dir: string } | { kind: 'meta' };

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE = '.wh..wh..opq';

/**
 * OCI/AUFS whiteouts: ".wh.<name>" deletes <name> from lower layers,
 * ".wh..wh..opq" hides everything lower layers put in its directory, and
 * other ".wh..wh.*" names are AUFS bookkeeping to ignore.
 */
export function whiteoutOf(path: string): Whiteout | undefined {
  const name = basename(path);
  if (!name.startsWith(WHITEOUT_PREFIX)) return undefined;
  const dir = dirname(path);
  if (name === OPAQUE) return { kind: 'opaque', dir };
  if (name.startsWith('.wh..wh.')) return { kind: 'meta' };
  const target = name.slice(WHITEOUT_PREFIX.length);
  if (target === '' || target === '.' || target === '..') return { kind: 'meta' };
  return { kind: 'whiteout', path: dir === '/' ? `/${target}` : `${dir}/${target}` };
}

export function isUnder(path: string, dir: string): boolean {
  return dir === '/' ? path !== '/' : path.startsWith(`${dir}/`);
}
