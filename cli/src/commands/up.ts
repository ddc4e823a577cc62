import os from 'node:os';
import { parseArgs } from 'node:util';
import { COLLECTOR_NAMES, startAgent, type CollectorName } from '../../../collectors/src/index.js';
import { defaultBundlePath, kernelFilterOf, readBundleFile, startEngineService, startForwarder } from '../../../engine/src/index.js';
import type { NatsConnection } from '@nats-io/nats-core';
import { ensureStreams, subjectToken } from '../../../proto/src/index.js';
import { parseAlertFormat, printAlerts } from '../alert-printer.js';
import { startEmbeddedNats, type EmbeddedNats } from '../embedded-nats.js';
import { splitList } from '../args.js';
import { collectorStorage, config } from '../config.js';
import { poolSettings } from '../engine-settings.js';
import { UsageError } from '../errors.js';
import { createLogger } from '../logger.js';
import { parseOutputSpec } from '../forward-spec.js';
import { serveConsole } from './console.js';
import { Lifecycle } from '../lifecycle.js';
import { connectNats, NATS_SECURITY_OPTIONS, natsIdentities, natsSecurity, natsUrl } from '../nats.js';
import { DEFAULT_LEARN_WINDOW_MS } from './engine.js';

export const UP_USAGE = `vigil up [--nats URL] [--format pretty|json] [--collectors container,host,image,runtime]
         [--host-root DIR] [--socket PATH] [--bundle FILE] [--host NAME] [--workers N]
         [--learn-window DURATION] [--nats-identities DIR] [--forward SPEC]...
         [--console HOST:PORT] [--console-token TOKEN]
  Starts an embedded nats-server unless --nats (or VIGIL_NATS_URL) is given, the engine (with N
  policy worker threads) and this host's collectors, and prints alerts to stdout until interrupted.
  The engine learns workload profiles and, after DURATION of activity (default 10m, VIGIL_LEARN_WINDOW),
  alerts on drift from them. Against a secured server, --nats-identities DIR (VIGIL_NATS_IDENTITIES: what
  \`vigil nats-config --out DIR\` wrote) connects the engine, this host's collector, the alert printer, the
  forwarder and the console, each as its own identity. --forward delivers the alerts to an output as \`vigil forward --output SPEC\` does;
  --console serves the console as \`vigil console\` does (and makes the engine follow the data documents
  its exceptions are written to).`;

export async function upCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      nats: { type: 'string' },
      format: { type: 'string' },
      collectors: { type: 'string' },
      'host-root': { type: 'string' },
      socket: { type: 'string' },
      bundle: { type: 'string' },
      host: { type: 'string' },
      workers: { type: 'string' },
      'learn-window': { type: 'string' },
      'nats-identities': { type: 'string' },
      forward: { type: 'string', multiple: true },
      console: { type: 'string' },
      'console-token': { type: 'string' },
      ...NATS_SECURITY_OPTIONS,
    },
  });
  const format = parseAlertFormat(values.format);
  const collectors = parseCollectors(values.collectors);
  const logger = createLogger();
  const pool = poolSettings(values.workers);
  const learnWindowMs = config.duration('learnWindow', values['learn-window']) ?? DEFAULT_LEARN_WINDOW_MS;
  const forwardTargets = (values.forward ?? []).map(parseOutputSpec);
  const bundle = await readBundleFile(config.single('bundle', values.bundle) ?? defaultBundlePath());

  const life = new Lifecycle(logger);
  const given = natsUrl(values.nats, false);
  let embedded: EmbeddedNats | undefined;
  return life.run(async () => {
    if (!given) {
      embedded = await startEmbeddedNats();
      life.defer('nats-server', () => embedded!.stop());
      logger.info({ url: embedded.url }, 'started embedded nats-server');
    }
    const url = given ?? embedded!.url;
    const host = config.text('host', values.host) ?? os.hostname();
    // The embedded server is loopback-only and anonymous: identities are for a server given with --nats.
    const identitiesDir = embedded ? undefined : config.text('natsIdentities', values['nats-identities']);
    const identities = identitiesDir === undefined ? undefined : natsIdentities(identitiesDir);
    const connectAs = async (name: string, identity: string): Promise<NatsConnection> => {
      const nc = await connectNats(url, name, identities ? identities.of(identity) : embedded ? {} : natsSecurity(values));
      life.defer(`connection ${name}`, () => nc.drain().catch(() => nc.close()));
      return nc;
    };
    const nc = await connectAs('vigil-up', 'engine');
    const collectorNc = identities ? await connectAs('vigil-up-collector', `collector-${subjectToken(host)}`) : nc;
    const alertsNc = identities ? await connectAs('vigil-up-alerts', 'alerts') : nc;
    await ensureStreams(nc);
    // Subscribe before anything can raise an alert, so none is missed.
    const printer = await printAlerts(alertsNc, { format, onError: (err) => logger.warn({ err }, 'undecodable alert') });
    life.defer('alert printer', () => printer.stop());
    if (forwardTargets.length > 0) {
      const forwardNc = identities ? await connectAs('vigil-up-forward', 'forward') : nc;
      const forwarder = await startForwarder({ nc: forwardNc, targets: forwardTargets, logger: logger.child({ component: 'forward' }) });
      life.defer('forwarder', () => forwarder.stop());
    }
    const withConsole = config.given('console', values.console);
    const engine = await startEngineService({ nc, bundle, ...pool, logger: logger.child({ component: 'engine' }), profiles: { learnWindowMs }, dataStore: withConsole });
    life.defer('engine', () => engine.stop());
    if (withConsole) {
      const consoleNc = identities ? await connectAs('vigil-up-console', 'console') : nc;
      const consoleServer = await serveConsole(consoleNc, values.console, values['console-token'], logger, bundle);
      life.defer('console', () => consoleServer.stop());
    }
    const agent = await startAgent({
      nc: collectorNc,
      host,
      hostRoot: config.text('hostRoot', values['host-root']) ?? '/',
      ...collectorStorage(),
      socketPath: values.socket,
      collectors,
      logger: logger.child({ component: 'collector' }),
      // The kernel reports what the rules judging this host ask for.
      kernelFilter: kernelFilterOf(bundle.manifest),
  });
  life.defer('collectors', () => agent.stop());
  });
}

export function parseCollectors(value: string | undefined): CollectorName[] {
  if (value === undefined) return [...COLLECTOR_NAMES];
  const names = splitList(value);
  for (const name of names) {
    if (!(COLLECTOR_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`unknown collector ${name}: expected some of ${COLLECTOR_NAMES.join(', ')}`);
    }
  }
  return names as CollectorName[];
}
