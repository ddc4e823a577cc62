import { parseDuration, splitList } from './args.js';
import { UsageError } from './errors.js';

/** One environment variable Vigil reads, with the option that overrides it. */
export interface Setting {
  readonly env: string;
  /** The command-line option that takes precedence, as usage shows it. */
  readonly option?: string;
  /** The commands (or parts) that read it. */
  readonly readBy: string;
  readonly default: string;
  readonly about: string;
}

/**
 * Every VIGIL_* variable, read here and nowhere else in the CLI: a value is
 * `option ?? env ?? default`. `docs/operations.md` shows this table as
 * settingsTable() prints it (test/config.test.ts checks they agree).
 */
export const SETTINGS = {
  natsUrl: { env: 'VIGIL_NATS_URL', option: '--nats URL', readBy: 'all that connect to NATS', default: 'none; `up` starts its own server', about: 'NATS servers, comma-separated' },
  natsNkey: { env: 'VIGIL_NATS_NKEY', option: '--nats-nkey FILE', readBy: 'all that connect', default: 'none: anonymous', about: 'nkey seed file of this identity, from `vigil nats-config`' },
  natsCreds: { env: 'VIGIL_NATS_CREDS', option: '--nats-creds FILE', readBy: 'all that connect', default: 'none', about: 'JWT user credentials instead, for operator-mode servers' },
  natsCa: { env: 'VIGIL_NATS_CA', option: '--nats-ca FILE', readBy: 'all that connect', default: 'none: plain NATS', about: "CA certificate the server's TLS certificate must chain to" },
  natsTlsCert: { env: 'VIGIL_NATS_TLS_CERT', option: '--nats-tls-cert FILE', readBy: 'all that connect', default: 'none', about: 'client certificate for mutual TLS, with VIGIL_NATS_TLS_KEY' },
  natsTlsKey: { env: 'VIGIL_NATS_TLS_KEY', option: '--nats-tls-key FILE', readBy: 'all that connect', default: 'none', about: 'private key of that certificate' },
  natsIdentities: { env: 'VIGIL_NATS_IDENTITIES', option: '--nats-identities DIR', readBy: '`up`', default: 'none', about: 'what `vigil nats-config --out DIR` wrote: each part of `up` connects as its own identity' },
  logLevel: { env: 'VIGIL_LOG_LEVEL', readBy: 'all', default: '`info`', about: 'pino level: `debug`, `info`, `warn`, `error`, `silent`' },
  bundle: { env: 'VIGIL_BUNDLE', option: '--bundle FILE', readBy: '`engine`, `up`, `collect`, `console`', default: '`dist/policies/bundle.tar.gz`', about: 'the bundle to judge with; `engine` serves each of a comma-separated list (and `collect` filters for all of them), `up` and `console` take one' },
  host: { env: 'VIGIL_HOST', option: '--host NAME', readBy: '`collect`, `up`', default: "the machine's hostname", about: 'the host name facts are published under' },
  hostRoot: { env: 'VIGIL_HOST_ROOT', option: '--host-root DIR', readBy: '`collect`, `up`', default: '`/`', about: "where the host's `/` is mounted (the collector image: `/host`)" },
  outboxDir: { env: 'VIGIL_OUTBOX_DIR', readBy: '`collect`, `up`', default: '`~/.cache/vigil/outbox/<host>`', about: "root of the collectors' on-disk outboxes (the collector image: `/var/lib/vigil/outbox`)" },
  imageCacheDir: { env: 'VIGIL_IMAGE_CACHE_DIR', readBy: '`collect`, `up`', default: 'none: in memory only', about: 'where image scans are remembered across restarts' },
  workers: { env: 'VIGIL_ENGINE_WORKERS', option: '--workers N', readBy: '`engine`, `up` (`policy replay`: the option only)', default: 'CPUs − 1, 1 to 8 (replay: every CPU)', about: 'policy worker threads (1–256), each with its own WASM instance' },
  evalTimeoutMs: { env: 'VIGIL_ENGINE_EVAL_TIMEOUT_MS', readBy: '`engine`, `up`, `policy replay`', default: '`10000`', about: 'deadline of one task in a worker, ms (10–3600000)' },
  wasmMemoryMb: { env: 'VIGIL_ENGINE_WASM_MEMORY_MB', readBy: '`engine`, `up`, `policy replay`', default: '`256`', about: "WASM memory cap of each worker's instance, MiB (1–4096)" },
  alertWindowMs: { env: 'VIGIL_ALERT_WINDOW_MS', option: '--alert-window MS', readBy: '`engine`, `policy replay`', default: '`60000`', about: 'alert throttle window; `0` turns it off' },
  metricsPort: { env: 'VIGIL_METRICS_PORT', option: '--metrics-port N', readBy: '`engine`', default: 'none: no endpoint', about: 'serve `/metrics`, `/healthz`, `/readyz`; `0` picks a free port' },
  metricsHost: { env: 'VIGIL_METRICS_HOST', option: '--metrics-host ADDR', readBy: '`engine`', default: '`127.0.0.1`', about: 'interface of that endpoint' },
  streamReplicas: { env: 'VIGIL_STREAM_REPLICAS', option: '--stream-replicas N', readBy: '`engine`', default: '`1`', about: 'replicas (1–5) of the streams this engine creates' },
  factRetention: { env: 'VIGIL_FACT_RETENTION', option: '--fact-retention DURATION', readBy: '`engine`', default: '`24h`', about: 'how long `VIGIL_FACTS`, when this engine creates it, keeps judged facts' },
  followBundle: { env: 'VIGIL_FOLLOW_BUNDLE', option: '--follow-bundle NAMES', readBy: '`engine`', default: 'not followed', about: "serve the bundles pushed under these names (comma-separated; `'*'`: every name)" },
  dataStore: { env: 'VIGIL_DATA_STORE', option: '--data-store', readBy: '`engine`', default: 'off (`1`: on)', about: 'take data documents from the KV bucket `vigil-data`, live' },
  verdictStream: { env: 'VIGIL_VERDICT_STREAM', option: '--verdict-stream', readBy: '`engine`', default: 'off (`1`: on)', about: 'keep every verdict in `VIGIL_VERDICTS`; a fact is acked once its verdict is stored' },
  learn: { env: 'VIGIL_LEARN', option: '--learn', readBy: '`engine`', default: 'off (`1`: on; `up` always learns)', about: 'learn workload profiles and alert on drift from them' },
  learnWindow: { env: 'VIGIL_LEARN_WINDOW', option: '--learn-window DURATION', readBy: '`engine`, `up`', default: '`10m`', about: 'activity a new profile learns before it enforces' },
  verificationKey: { env: 'VIGIL_VERIFICATION_KEY', option: '--verification-key FILE', readBy: '`engine`, `policy`', default: 'none: signatures not checked', about: 'refuse bundles not signed with this key' },
  signingAlg: { env: 'VIGIL_SIGNING_ALG', option: '--signing-alg ALG', readBy: '`engine`, `policy`', default: '`RS256`', about: 'algorithm of that key' },
  signingScope: { env: 'VIGIL_SIGNING_SCOPE', option: '--scope SCOPE', readBy: '`engine`, `policy`', default: 'none', about: 'scope the signature must carry' },
  console: { env: 'VIGIL_CONSOLE', option: '--console HOST:PORT', readBy: '`console`, `up`', default: '`127.0.0.1:7474` (`up`: no console)', about: 'where the console listens' },
  consoleToken: { env: 'VIGIL_CONSOLE_TOKEN', option: '--console-token TOKEN', readBy: '`console`, `up`', default: 'generated, printed at start', about: 'token for actions, and for everything beyond loopback' },
  openssl: { env: 'VIGIL_OPENSSL', readBy: '`nats-config`', default: '`openssl` on `PATH`', about: 'the openssl binary' },
  opa: { env: 'VIGIL_OPA', readBy: 'policy builds (engine/src/tools.ts)', default: '`$VIGIL_CACHE/bin`, then `PATH`', about: 'the opa binary' },
  natsServer: { env: 'VIGIL_NATS_SERVER', readBy: '`up` (engine/src/tools.ts)', default: '`$VIGIL_CACHE/bin`, then `PATH`', about: 'the nats-server binary of the embedded server' },
  cache: { env: 'VIGIL_CACHE', readBy: 'tools, scripts/setup.sh', default: '`~/.cache/vigil`', about: 'where set-up installs tools (`bin/`)' },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

/**
 * Reads settings as `option ?? env ?? default`. An empty (or blank) variable
 * counts as unset. Values that do not parse fail with "expected … (actual: …)",
 * naming the option or variable they came from.
 */
export class Config {
  /** `env` for tests; by default the process's environment as it is at each read. */
  constructor(private readonly own?: NodeJS.ProcessEnv) {}

  private get env(): NodeJS.ProcessEnv {
    return this.own ?? process.env;
  }

  /** The raw value and where it came from, or undefined. */
  private pick(name: SettingName, option: string | undefined): { value: string; from: string } | undefined {
    const setting: Setting = SETTINGS[name];
    if (option !== undefined) return { value: option, from: setting.option?.split(' ')[0] ?? setting.env };
    const value = this.env[setting.env];
    return value === undefined || value.trim() === '' ? undefined : { value, from: setting.env };
  }

  text(name: SettingName, option?: string): string | undefined {
    return this.pick(name, option)?.value;
  }

  /** A whole number, within [min, max] when they are given. */
  whole(name: SettingName, option?: string, range: { min?: number; max?: number } = {}): number | undefined {
    const picked = this.pick(name, option);
    if (picked === undefined) return undefined;
    const n = Number(picked.value);
    const { min = 0, max = Number.MAX_SAFE_INTEGER } = range;
    if (!/^\d+$/.test(picked.value.trim()) || n < min || n > max) {
      const bounds =
        range.max !== undefined ? ` from ${min} to ${max}` : range.min !== undefined ? `, at least ${min}` : '';
      throw new UsageError(`${picked.from}: expected a whole number${bounds} (actual: ${picked.value})`);
    }
    return n;
  }

  /** A duration such as 90s, 10m or 24h, in ms. */
  duration(name: SettingName, option?: string): number | undefined {
    const picked = this.pick(name, option);
    return picked === undefined ? undefined : parseDuration(picked.from, picked.value);
  }

  /** One of `choices`. */
  oneOf<T extends string>(name: SettingName, option: string | undefined, choices: readonly T[]): T | undefined {
    const picked = this.pick(name, option);
    if (picked === undefined) return undefined;
    if (!(choices as readonly string[]).includes(picked.value)) throw new UsageError(`${picked.from}: expected one of ${choices.join(', ')} (actual: ${picked.value})`);
    return picked.value as T;
  }

  /** A switch: the option when given, else the variable (`1` or `true` on, `0` or `false` off). */
  flag(name: SettingName, option?: boolean): boolean {
    if (option !== undefined) return option;
    const picked = this.pick(name, undefined);
    if (picked === undefined) return false;
    const value = picked.value.trim().toLowerCase();
    if (value === '1' || value === 'true') return true;
    if (value === '0' || value === 'false') return false;
    throw new UsageError(`${picked.from}: expected 1 or 0 (actual: ${picked.value})`);
  }

  /** A comma-separated list (or a repeated option); undefined when empty. */
  list(name: SettingName, option?: string[]): string[] | undefined {
    const items = option !== undefined ? option.flatMap(splitList) : splitList(this.pick(name, undefined)?.value ?? '');
    return items.length > 0 ? items : undefined;
  }

  /** A variable the user named (e.g. a forward output's `secret-env=`), not one of Vigil's own. */
  named(variable: string): string | undefined {
    const value = this.env[variable];
    return value?.trim() === '' ? undefined : value;
  }

  /** One item where the setting may name several elsewhere (`up` and `console` judge with one bundle). */
  single(name: SettingName, option?: string): string | undefined {
    const picked = this.pick(name, option);
    if (picked === undefined) return undefined;
    const items = splitList(picked.value);
    if (items.length !== 1) throw new UsageError(`${picked.from}: expected one item here (actual: ${picked.value})`);
    return items[0];
  }

  /** Whether the option or the variable is given at all. */
  given(name: SettingName, option?: unknown): boolean {
    return option !== undefined || this.pick(name, undefined) !== undefined;
  }
}

/** The process's settings. */
export const config = new Config();

/** Where a host's collectors keep their outboxes and image scans. */
export function collectorStorage(settings: Config = config): { outboxDir?: string; imageCacheDir?: string } {
  const outboxDir = settings.text('outboxDir');
  const imageCacheDir = settings.text('imageCacheDir');
  return { ...(outboxDir ? { outboxDir } : {}), ...(imageCacheDir ? { imageCacheDir } : {}) };
}

/** The table of docs/operations.md, "Options and environment". */
export function settingsTable(): string {
  const rows = Object.values(SETTINGS as Record<string, Setting>).map(
    (s) => `| \`${s.env}\` | ${s.option ? `\`${s.option}\`` : ''} | ${s.readBy} | ${s.default} | ${s.about} |`,
  );
  return ['| variable | option | read by | default | what it sets |', '|---|---|---|---|---|', ...rows].join('\n');
}
