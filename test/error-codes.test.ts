import { describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import path from 'node:path';
import { CLI_ERRORS } from '../cli/src/errors.js';
import { COLLECTOR_ERRORS } from '../collectors/src/index.js';
import { ENGINE_ERRORS } from '../engine/src/index.js';
import { sourceFiles } from './support/sources.js';

/** Each package's one catalogue, and where its codes may be raised. */
const CATALOGUES = [
  { name: 'collectors', codes: Object.keys(COLLECTOR_ERRORS), dir: 'collectors/src', file: 'collectors/src/errors.ts' },
  { name: 'engine', codes: Object.keys(ENGINE_ERRORS), dir: 'engine/src', file: 'engine/src/errors.ts' },
  { name: 'cli', codes: Object.keys(CLI_ERRORS), dir: 'cli/src', file: 'cli/src/errors.ts' },
];


describe('error codes', () => {
  it('errors - every code is unique across the packages, named VIGIL_ERR_<AREA>_<WHAT>, and raised outside its catalogue', async () => {
    const all = CATALOGUES.flatMap((c) => c.codes);
    expect(all.length).toBeGreaterThan(50);
    expect(all.filter((code, i) => all.indexOf(code) !== i)).toEqual([]);
    expect(all.filter((code) => !/^VIGIL_ERR_[A-Z0-9]+_[A-Z0-9_]+$/.test(code))).toEqual([]);
    const code = [...(await sourceFiles('collectors/src')), ...(await sourceFiles('engine/src')), ...(await sourceFiles('cli/src'))];
    const unraised: string[] = [];
    for (const catalogue of CATALOGUES) {
      const elsewhere = code.filter(([file]) => file !== catalogue.file).map(([, text]) => text);
      for (const c of catalogue.codes) if (!elsewhere.some((text) => text.includes(`'${c}'`))) unraised.push(`${catalogue.name}: ${c}`);
    }
    expect(unraised).toEqual([]);
  });

  it('errors - no package keeps a second catalogue or formatter', async () => {
    for (const catalogue of CATALOGUES) {
      const files = await sourceFiles(catalogue.dir);
      const others = [...files].filter(([file, text]) => file !== catalogue.file && /export const [A-Z_]+_ERRORS\s*=/.test(text)).map(([file]) => file);
      expect({ package: catalogue.name, catalogues: others }).toEqual({ package: catalogue.name, catalogues: [] });
    }
  });
});
