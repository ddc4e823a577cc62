import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { defaultBundlePath, DEFAULT_ALERT_WINDOW, readBundleFile, startEngineService, verifyBundle } from '../../../engine/src/index.js';
import { splitList } from '../args.js';
import { config } from '../config.js';
import { configuredVerifier, poolSettings } from '../engine-settings.js';
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
  const logger = createLogger();
  const metricsPort = config.whole('metricsPort', values['metrics-port'], { min: 0, max: 65_535 });
  const alertWindowMs = config.whole('alertWindowMs', values['alert-window'], { min: 0, max: 24 * 3_600_000 }) ?? DEFAULT_ALERT_WINDOW.windowMs;
  const streamReplicas = config.whole('streamReplicas', values['stream-replicas'], { min: 1, max: 5 });
  const factRetentionMs = config.duration('factRetention', values['fact-retention']);
  const learnWindowMs = config.duration('learnWindow', values['learn-window']);
  const learn = config.flag('learn', values.learn) || learnWindowMs !== undefined;
  const verify = await configuredVerifier({ keyFile: values['verification-key'] });
  const bundleFiles = config.list('bundle', values.bundle) ?? [defaultBundlePath()];
  // With a key configured, the bundles this engine starts with must be signed with it too.
  const bundles = await Promise.all(
    bundleFiles.map(async (file) => (verify ? (await verifyBundle(await fs.readFile(file), { verifier: verify, label: file })).bundle : readBundleFile(file))),
  );
  const followBundle = config.text('followBundle', values['follow-bundle']);
  const followed = followBundle === undefined || followBundle.trim() === '' ? undefined : followBundle.trim() === '*' ? [] : splitList(followBundle);
  const life = new Lifecycle(logger);
  return life.run(async () => {
    const nc = await connectNats(natsUrl(values.nats, true)!, 'vigil-engine', natsSecurity(values));
    life.defer('connection', () => nc.drain().catch(() => nc.close()));
    // An engine that cannot start leaves nothing open behind it: the process exits with the reason.
    const service = await startEngineService({
      nc,
      bundles,
      logger,
      consumer: values.consumer,
      alertThrottle: { windowMs: alertWindowMs },
      ...(streamReplicas !== undefined ? { streamReplicas } : {}),
      ...(factRetentionMs !== undefined ? { factRetentionMs } : {}),
      ...(metricsPort !== undefined ? { ops: { port: metricsPort, host: config.text('metricsHost', values['metrics-host']) } } : {}),
      ...(followed ? { bundleStore: { names: followed, verify } } : {}),
      dataStore: config.flag('dataStore', values['data-store']),
      verdictStream: config.flag('verdictStream', values['verdict-stream']),
      ...poolSettings(values.workers),
      ...(learn ? { profiles: { learnWindowMs: learnWindowMs ?? DEFAULT_LEARN_WINDOW_MS } } : {}),
    });
    life.defer('engine', () => service.stop());
  });
}

/** Activity a new profile learns before it enforces, unless --learn-window says otherwise. */
export const DEFAULT_LEARN_WINDOW_MS = 10 * 60_000;
