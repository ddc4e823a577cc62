import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { collectorStorage, Config, SETTINGS, settingsTable } from '../cli/src/config.js';
import { configuredVerifier, poolSettings } from '../cli/src/engine-settings.js';
import { sourceFiles } from './support/sources.js';

/** The modules allowed to read the environment: the CLI's settings, and the engine's tool lookup. */
const READERS = new Set(['cli/src/config.ts', 'engine/src/tools.ts']);


describe('config', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-config-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('config - docs/operations.md shows the settings table as cli/src/config.ts defines it', async () => {
    const doc = await fs.readFile('docs/operations.md', 'utf8');
    const section = /<!-- settings:begin -->\n([\s\S]*?)<!-- settings:end -->/.exec(doc);
    expect(section).not.toBeNull();
    // On a difference: `npm run docs:settings` rewrites the section.
    expect(section![1]!.trim()).toBe(settingsTable());
  });

  it('config - only the settings modules read the environment, and every VIGIL_ variable they read is in the table', async () => {
    const code = [...(await sourceFiles('cli/src')), ...(await sourceFiles('engine/src')), ...(await sourceFiles('collectors/src'))];
    const readers = code.filter(([, text]) => /process\.env\b(?!\.API_KEY)/.test(text.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ''))).map(([file]) => file);
    // The bpftrace source hands the environment on to its child process unread.
    expect(readers.filter((file) => !READERS.has(file) && file !== 'collectors/src/runtime/bpftrace/source.ts')).toEqual([]);
    const documented = new Set<string>(Object.values(SETTINGS).map((s) => s.env));
    const tools = code.find(([file]) => file === 'engine/src/tools.ts')![1];
    const read = [...tools.matchAll(/'(VIGIL_(?!ERR_)[A-Z_]+)'|process\.env\.(VIGIL_[A-Z_]+)/g)].map((m) => m[1] ?? m[2]!);
    expect(read.length).toBeGreaterThan(2);
    expect(read.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('config - a value is the option, else the variable (an empty one is unset), else undefined', () => {
    const settings = new Config({ VIGIL_HOST: 'from-env', VIGIL_HOST_ROOT: '' });
    expect(settings.text('host', 'from-option')).toBe('from-option');
    expect(settings.text('host')).toBe('from-env');
    expect(settings.text('hostRoot')).toBeUndefined();
    expect(settings.given('console')).toBe(false);
    expect(new Config({ VIGIL_CONSOLE: '0.0.0.0:7474' }).given('console')).toBe(true);
    expect(new Config({ VIGIL_BUNDLE: 'a.tar.gz, b.tar.gz,' }).list('bundle')).toEqual(['a.tar.gz', 'b.tar.gz']);
    expect(new Config({ VIGIL_BUNDLE: 'a.tar.gz' }).list('bundle', ['c.tar.gz'])).toEqual(['c.tar.gz']);
    expect(new Config({}).list('bundle')).toBeUndefined();
    expect(new Config({ VIGIL_HOST: '  ' }).text('host')).toBeUndefined();
    expect(new Config({ VIGIL_BUNDLE: 'a.tar.gz' }).single('bundle')).toBe('a.tar.gz');
    expect(() => new Config({ VIGIL_BUNDLE: 'a.tar.gz,b.tar.gz' }).single('bundle')).toThrow('VIGIL_BUNDLE: expected one item here (actual: a.tar.gz,b.tar.gz)');
    expect(new Config({ VIGIL_DATA_STORE: 'true' }).flag('dataStore')).toBe(true);
    expect(new Config({ VIGIL_DATA_STORE: 'false' }).flag('dataStore')).toBe(false);
    // Without an environment of its own, a Config reads the process's as it is at each read.
    const live = new Config();
    const saved = process.env.VIGIL_HOST;
    try {
      process.env.VIGIL_HOST = 'set-after-construction';
      expect(live.text('host')).toBe('set-after-construction');
    } finally {
      if (saved === undefined) delete process.env.VIGIL_HOST;
      else process.env.VIGIL_HOST = saved;
    }
  });

  it('config - numbers, durations, switches and choices are checked, naming where the bad value came from', () => {
    const settings = new Config({ VIGIL_ENGINE_WORKERS: 'many', VIGIL_METRICS_PORT: '70000', VIGIL_LEARN_WINDOW: '5m', VIGIL_DATA_STORE: 'yes', VIGIL_VERDICT_STREAM: '1', VIGIL_SIGNING_ALG: 'none' });
    expect(() => settings.whole('workers', undefined, { min: 1 })).toThrow('VIGIL_ENGINE_WORKERS: expected a whole number, at least 1 (actual: many)');
    expect(() => settings.whole('workers', '0', { min: 1 })).toThrow('--workers: expected a whole number, at least 1 (actual: 0)');
    expect(settings.whole('workers', '3', { min: 1 })).toBe(3);
    expect(() => settings.whole('metricsPort', undefined, { min: 0, max: 65_535 })).toThrow('VIGIL_METRICS_PORT: expected a whole number from 0 to 65535 (actual: 70000)');
    expect(settings.duration('learnWindow')).toBe(300_000);
    expect(() => settings.duration('learnWindow', 'soon')).toThrow('--learn-window: expected a duration such as 30s, 10m or 1h30m (actual: soon)');
    expect(() => settings.flag('dataStore')).toThrow('VIGIL_DATA_STORE: expected 1 or 0 (actual: yes)');
    expect(settings.flag('dataStore', true)).toBe(true);
    expect(settings.flag('verdictStream')).toBe(true);
    expect(settings.flag('learn')).toBe(false);
    expect(() => settings.oneOf('signingAlg', undefined, ['RS256', 'HS256'])).toThrow('VIGIL_SIGNING_ALG: expected one of RS256, HS256 (actual: none)');
  });

  it('config - the engine pool and the collectors get their settings from options and variables', () => {
    const settings = new Config({ VIGIL_ENGINE_WORKERS: '3', VIGIL_ENGINE_EVAL_TIMEOUT_MS: '1000', VIGIL_OUTBOX_DIR: '/var/lib/vigil/outbox', VIGIL_IMAGE_CACHE_DIR: '/var/cache/images' });
    expect(poolSettings(undefined, settings)).toEqual({ workers: 3, evaluationTimeoutMs: 1000 });
    expect(poolSettings('2', settings)).toEqual({ workers: 2, evaluationTimeoutMs: 1000 });
    expect(poolSettings(undefined, new Config({}))).toEqual({});
    // A replay uses every core unless --workers says otherwise, whatever the engines are set to.
    expect(poolSettings(undefined, settings, 'replay')).toEqual({ evaluationTimeoutMs: 1000 });
    expect(poolSettings('2', settings, 'replay')).toEqual({ workers: 2, evaluationTimeoutMs: 1000 });
    expect(() => poolSettings(undefined, new Config({ VIGIL_ENGINE_EVAL_TIMEOUT_MS: '5' }))).toThrow('VIGIL_ENGINE_EVAL_TIMEOUT_MS: expected a whole number from 10 to 3600000 (actual: 5)');
    expect(() => poolSettings(undefined, new Config({ VIGIL_ENGINE_WASM_MEMORY_MB: '1.5' }))).toThrow('VIGIL_ENGINE_WASM_MEMORY_MB: expected a whole number from 1 to 4096 (actual: 1.5)');
    expect(collectorStorage(settings)).toEqual({ outboxDir: '/var/lib/vigil/outbox', imageCacheDir: '/var/cache/images' });
    expect(collectorStorage(new Config({}))).toEqual({});
  });

  it('config - the configured verifier comes from the option, then VIGIL_VERIFICATION_KEY, else there is none', async () => {
    const secret = path.join(dir, 'hmac.key');
    await fs.writeFile(secret, crypto.randomBytes(32).toString('hex'));
    const rsaPublic = path.join(dir, 'rsa.pub.pem');
    const { publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    await fs.writeFile(rsaPublic, publicKey.export({ type: 'spki', format: 'pem' }));
    const env = { VIGIL_VERIFICATION_KEY: secret, VIGIL_SIGNING_ALG: 'HS256' };
    expect(await configuredVerifier({}, new Config({}))).toBeUndefined();
    expect(await configuredVerifier({}, new Config(env))).toMatchObject({ algorithm: 'HS256', label: secret });
    expect(await configuredVerifier({ keyFile: rsaPublic, algorithm: 'RS256' }, new Config(env))).toMatchObject({ algorithm: 'RS256', label: rsaPublic });
    await expect(configuredVerifier({ scope: 'write' }, new Config({}))).rejects.toThrow('--signing-alg and --scope need --verification-key FILE');
    await expect(configuredVerifier({ keyFile: rsaPublic, algorithm: 'XS1' }, new Config({}))).rejects.toThrow('--signing-alg: expected one of RS256');
  });
});
