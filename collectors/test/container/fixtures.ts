import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Fixtures stay in the source tree; tests run from dist/collectors/test/container. */
export const FIXTURES = fileURLToPath(new URL('../../../../collectors/test/container/fixtures/', import.meta.url));

export function fixturePath(...parts: string[]): string {
  return path.join(FIXTURES, ...parts);
}

export function readFixture<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(fixturePath(...parts), 'utf8')) as T;
}
