import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ManifestContainer } from '../../src/manifests/index.js';

/** Fixtures stay in the source tree; tests run from dist/collectors/test/manifests. */
export const FIXTURES = fileURLToPath(new URL('../../../../collectors/test/manifests/fixtures/', import.meta.url));

export function fixturePath(...parts: string[]): string {
  return path.join(FIXTURES, ...parts);
}

export function readFixture(...parts: string[]): { text: string; file: string } {
  const file = fixturePath(...parts);
  return { text: readFileSync(file, 'utf8'), file };
}

/** The container whose subject name ends with `:<container>` (or equals `name`). */
export function byName(containers: readonly ManifestContainer[], name: string): ManifestContainer {
  const found = containers.find((c) => c.fact.name === name || c.fact.name?.endsWith(`:${name}`));
  if (!found) throw new Error(`no container ${name} among ${containers.map((c) => c.fact.name).join(', ')}`);
  return found;
}

export const RUNTIME_DEFAULT_CAPS = [
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
