import os from 'node:os';
import { parseArgs } from 'node:util';
import { sensorInputProblem, startAgent, type AgentOptions } from '../../../collectors/src/index.js';
import { UsageError } from '../errors.js';
import { defaultBundlePath, kernelFilterOf, readBundleFile } from '../../../engine/src/index.js';
import { mergeKernelFilters, type KernelFilter } from '../../../proto/src/index.js';
import { collectorStorage, config } from '../config.js';
import { createLogger } from '../logger.js';
import { Lifecycle } from '../lifecycle.js';
import { connectNats, NATS_SECURITY_OPTIONS, natsSecurity, natsUrl } from '../nats.js';
import { parseCollectors } from './up.js';

export async function collectCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      nats: { type: 'string' },
      'host-root': { type: 'string' },
      socket: { type: 'string' },
      host: { type: 'string' },
      bundle: { type: 'string', multiple: true },
      source: { type: 'string' },
      listen: { type: 'string' },
      input: { type: 'string' },
      ...NATS_SECURITY_OPTIONS,
    },
  });
  const collectors = parseCollectors(positionals.length > 0 ? positionals.join(',') : undefined);
  const logger = createLogger();
  const runtimeSource = runtimeSourceOption(values.source, values.listen, values.input);
  const kernelFilter = collectors.includes('runtime') ? await bundlesKernelFilter(values.bundle, logger) : undefined;
  const life = new Lifecycle(logger);
  return life.run(async () => {
    const nc = await connectNats(natsUrl(values.nats, true)!, `vigil-collect-${collectors.join('-')}`, natsSecurity(values));
    life.defer('connection', () => nc.drain().catch(() => nc.close()));
    const agent = await startAgent({
      nc,
      host: config.text('host', values.host) ?? os.hostname(),
      hostRoot: config.text('hostRoot', values['host-root']) ?? '/',
      ...collectorStorage(),
      socketPath: values.socket,
      collectors,
      logger,
      ...(kernelFilter ? { kernelFilter } : {}),
      ...runtimeSource,
    });
    life.defer('collectors', () => agent.stop());
  });
}

/**
 * What the runtime collector's kernel filter reports: the union of the kernel
 * filters of the bundles the engines judge with (--bundle, repeatable, or
 * VIGIL_BUNDLE, comma-separated; default: the bundle this package ships).
 */
async function bundlesKernelFilter(given: string[] | undefined, logger: { warn(obj: object, msg: string): void }): Promise<KernelFilter> {
  const files = config.list('bundle', given);
  if (files === undefined) {
    try {
      return kernelFilterOf((await readBundleFile(defaultBundlePath())).manifest);
    } catch (error) {
      logger.warn({ err: error }, 'no policy bundle to derive the kernel filter from: path-filtered runtime events (file access) are off; pass --bundle');
      return mergeKernelFilters([]);
    }
  }
  const bundles = await Promise.all(files.map((file) => readBundleFile(file)));
  return mergeKernelFilters(bundles.map((b) => kernelFilterOf(b.manifest)));
}

const RUNTIME_SOURCES = ['ebpf', 'procfs', 'falco', 'tetragon'] as const;

/** `--source ebpf|procfs|falco|tetragon` with `--listen HOST:PORT` (Falco http_output) or `--input FILE|-`. */
function runtimeSourceOption(source: string | undefined, listen: string | undefined, input: string | undefined): Pick<AgentOptions, 'runtimeSource'> {
  if (source === undefined) {
    if (listen !== undefined || input !== undefined) throw new UsageError('--listen and --input go with --source falco or --source tetragon');
    return {};
  }
  if (!(RUNTIME_SOURCES as readonly string[]).includes(source)) throw new UsageError(`--source: expected one of ${RUNTIME_SOURCES.join(', ')} (actual: ${source})`);
  if (source === 'ebpf' || source === 'procfs') return { runtimeSource: { kind: source } };
  const kind = source as 'falco' | 'tetragon';
  const sensorInput = { ...(listen !== undefined ? { listen } : {}), ...(input !== undefined ? { file: input } : {}) };
  // Checked here too, so a wrong combination stops the command instead of leaving it running without a runtime collector.
  const problem = sensorInputProblem(kind, sensorInput);
  if (problem !== undefined) throw new UsageError(`--source ${kind} needs ${problem}`);
  return { runtimeSource: { kind, ...sensorInput } };
}
