import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { defaultBundlePath, DEFAULT_ALERT_WINDOW, readBundleFile, resolveVerifier, startEngineService, verifyBundle } from '../../../engine/src/index.js';
import { parseDuration, splitList } from '../args.js';
import { UsageError } from '../errors.js';
import { createLogger } from '../logger.js';
import { connectNats, NATS_SECURITY_OPTIONS, natsSecurity, natsUrl } from '../nats.js';
import { Lifecycle } from '../lifecycle.js';

export const ENGINE_USAGE = `vigil engine options (each also from the environment variable named):
  --nats URL                  NATS servers, comma-separated                      VIGIL_NATS_URL
  --bundle FILE               policy bundle to start with; repeat it to serve
                              several, each under its manifest's name   VIGIL_BUNDLE (comma-separated)
  --workers N                 worker threads (default: CPU limit - 1, 1 to 8) VIGIL_ENGINE_WORKERS
  --consumer NAME             durable consumer shared by replicas (vigil-engine)
  --alert-window MS           one alert per rule, subject and host per window,
                              then one aggregate with a count (default 60000; 0: off;
                              at most the alert stream's duplicate window, 600000) VIGIL_ALERT_WINDOW_MS
  --metrics-port N            serve /metrics, /healthz, /readyz (default: none)  VIGIL_METRICS_PORT
  --metrics-host ADDR         interface for them (default 127.0.0.1)             VIGIL_METRICS_HOST
  --follow-bundle NAMES        serve the bundles pushed under these names (comma-
                              separated; '*': every name), swapped in live      VIGIL_FOLLOW_BUNDLE
  --data-store                data documents from the NATS KV bucket, live       VIGIL_DATA_STORE=1
  --verification-key FILE     refuse bundles not signed with this key            VIGIL_VERIFICATION_KEY
  --stream-replicas N         replicas of the streams this engine creates        VIGIL_STREAM_REPLICAS
  --fact-retention DURATION   how long VIGIL_FACTS, when this engine creates it, keeps
                              facts for export and replay (default 24h)       VIGIL_FACT_RETENTION
  --verdict-stream            keep every verdict in VIGIL_VERDICTS; a fact is acked
                              only once its verdict is stored                   VIGIL_VERDICT_STREAM=1
  --learn                     learn workload profiles (vigil-profiles KV) and judge
                              drift against the enforcing ones                  VIGIL_LEARN=1
  --learn-window DURATION     activity before a new profile enforces (default 10m) VIGIL_LEARN_WINDOW`;


export async function engineCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      nats: { type: 'string' },
      bundle: { type: 'string', multiple: true },
      consumer: { type: 'string' },
      workers: { type: 'string' },
      'metrics-port': { type: 'string' },
      'metrics-host': { type: 'string' },
      'alert-window': { type: 'string' },
      'follow-bundle': { type: 'string' },
      'data-store': { type: 'boolean' },
      'verification-key': { type: 'string' },
      'stream-replicas': { type: 'string' },
      'fact-retention': { type: 'string' },
      'verdict-stream': { type: 'boolean' },
      learn: { type: 'boolean' },
      'learn-window': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...NATS_SECURITY_OPTIONS,
    },
  });
  if (values.help) {
    process.stdout.write(`${ENGINE_USAGE}\n`);
    return 0;
  }
  const env = process.env;
  const logger = createLogger();
  const workers = parseWorkers(values.workers);
  const metricsPort = optionalNumber('--metrics-port', values['metrics-port'] ?? env.VIGIL_METRICS_PORT, 0, 65_535);
  const alertWindowMs = optionalNumber('--alert-window', values['alert-window'] ?? env.VIGIL_ALERT_WINDOW_MS, 0, 24 * 3_600_000) ?? DEFAULT_ALERT_WINDOW.windowMs;
  const streamReplicas = optionalNumber('--stream-replicas', values['stream-replicas'] ?? env.VIGIL_STREAM_REPLICAS, 1, 5);
  const factRetention = values['fact-retention'] ?? env.VIGIL_FACT_RETENTION;
  const factRetentionMs = factRetention === undefined ? undefined : parseDuration('--fact-retention', factRetention);
  const learnWindow = values['learn-window'] ?? env.VIGIL_LEARN_WINDOW;
  const learnWindowMs = learnWindow === undefined ? DEFAULT_LEARN_WINDOW_MS : parseDuration('--learn-window', learnWindow);
  const learn = values.learn ?? (env.VIGIL_LEARN === '1' || learnWindow !== undefined);
  const verify = await resolveVerifier({ keyFile: values['verification-key'] });
  const bundleFiles = values.bundle ?? listOf(env.VIGIL_BUNDLE) ?? [defaultBundlePath()];
  // With a key configured, the bundles this engine starts with must be signed with it too.
  const bundles = await Promise.all(
    bundleFiles.map(async (file) => (verify ? (await verifyBundle(await fs.readFile(file), { verifier: verify, label: file })).bundle : readBundleFile(file))),
  );
  const followBundle = values['follow-bundle'] ?? env.VIGIL_FOLLOW_BUNDLE;
  const followed = followBundle === undefined || followBundle === '' ? undefined : followBundle.trim() === '*' ? [] : listOf(followBundle) ?? [];
  const life = new Lifecycle(logger);
  return life.run(async () => {
    const nc = await connectNats(natsUrl(values.nats, true)!, 'vigil-engine', natsSecurity(values));
    life.defer('connection', () => nc.drain().catch(() => nc.close()));
    // An engine that cannot start leaves nothing open behind it: the process exits with the reason.
    const service = await startEngineService({
      nc,
      bundles,
      workers,
      logger,
      consumer: values.consumer,
      alertThrottle: { windowMs: alertWindowMs },
      ...(streamReplicas !== undefined ? { streamReplicas } : {}),
      ...(factRetentionMs !== undefined ? { factRetentionMs } : {}),
      ...(metricsPort !== undefined ? { ops: { port: metricsPort, host: values['metrics-host'] ?? env.VIGIL_METRICS_HOST } } : {}),
      ...(followed ? { bundleStore: { names: followed, verify } } : {}),
      dataStore: values['data-store'] ?? env.VIGIL_DATA_STORE === '1',
      verdictStream: values['verdict-stream'] ?? env.VIGIL_VERDICT_STREAM === '1',
      ...(learn ? { profiles: { learnWindowMs } } : {}),
    });
    life.defer('engine', () => service.stop());
  });
}

/** Activity a new profile learns before it enforces, unless --learn-window says otherwise. */
export const DEFAULT_LEARN_WINDOW_MS = 10 * 60_000;

function listOf(value: string | undefined): string[] | undefined {
  const items = value === undefined ? [] : splitList(value);
  return items.length > 0 ? items : undefined;
}

/** `--workers N`: a whole number of policy worker threads, at least 1. */
export function parseWorkers(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const workers = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(workers) || workers < 1) {
    throw new UsageError(`--workers expects a whole number of worker threads, at least 1 (actual: ${value})`);
  }
  return workers;
}

function optionalNumber(option: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) throw new UsageError(`${option} expects a whole number from ${min} to ${max} (actual: ${value})`);
  return n;
}
