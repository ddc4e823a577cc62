import { parseArgs } from 'node:util';
import { isFactKind } from '../../../proto/src/index.js';
import { parseDuration } from '../args.js';
import { UsageError } from '../errors.js';
import { readArchive, type ArchiveQuery } from '../facts/archive.js';
import { readFactFile, writeFactFile } from '../facts/fact-file.js';
import { republish } from '../facts/republish.js';
import { connectNats, NATS_SECURITY_OPTIONS, natsSecurity, natsUrl } from '../nats.js';

export const FACTS_USAGE = `vigil facts export --since WHEN [--until WHEN] [--kind K] [--host H] --out FILE [--nats URL]
  writes the facts VIGIL_FACTS keeps (judged ones too, for --fact-retention, default 24h) that were stored
  from --since to --until (default now) to FILE: gzip of length-delimited protobuf FactBatches, as collectors
  published them. WHEN is a duration ago (30m, 2h, 1d) or a time (2026-12-03T08:00:00Z).
vigil facts import FILE [--nats URL]
  publishes a fact file's batches again on their fact subjects, each under its own id (the stream keeps one
  copy of a batch it already holds within its duplicate window); the engines judge them as they arrive.`;

export async function factsCommand(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action === 'export') return exportFacts(rest);
  if (action === 'import') return importFacts(rest);
  throw new UsageError(`vigil facts export|import\n${FACTS_USAGE}`);
}

async function exportFacts(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      kind: { type: 'string' },
      host: { type: 'string' },
      out: { type: 'string' },
      nats: { type: 'string' },
      ...NATS_SECURITY_OPTIONS,
    },
  });
  if (values.out === undefined) throw new UsageError(`vigil facts export needs --out FILE\n${FACTS_USAGE}`);
  const query = archiveQuery(values, Date.now());
  const nc = await connectNats(natsUrl(values.nats, true)!, 'vigil-facts', natsSecurity(values));
  try {
    const count = await writeFactFile(values.out, dataOf(readArchive(nc, query)));
    process.stderr.write(`vigil: ${count} fact batches written to ${values.out}\n`);
    return 0;
  } finally {
    await nc.close();
  }
}

async function importFacts(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { nats: { type: 'string' }, ...NATS_SECURITY_OPTIONS } });
  if (positionals.length !== 1) throw new UsageError(`vigil facts import takes one FILE\n${FACTS_USAGE}`);
  const nc = await connectNats(natsUrl(values.nats, true)!, 'vigil-facts', natsSecurity(values));
  try {
    const report = await republish(nc, readFactFile(positionals[0]!));
    process.stderr.write(
      `vigil: ${report.batches} fact batches (${report.facts} facts) published, ${report.duplicates} already held` +
        (report.refused > 0 ? `, ${report.refused} facts without a kind refused` : '') +
        '\n',
    );
    return report.refused > 0 ? 2 : 0;
  } finally {
    await nc.drain();
  }
}

/** --since, --until, --kind and --host as an archive query; `now` is when the command started. */
export function archiveQuery(values: { since?: string; until?: string; kind?: string; host?: string }, now: number): ArchiveQuery {
  if (values.since === undefined) throw new UsageError(`--since is required\n${FACTS_USAGE}`);
  const sinceMs = pointInTime('--since', values.since, now);
  const untilMs = values.until === undefined ? now : pointInTime('--until', values.until, now);
  if (untilMs < sinceMs) throw new UsageError(`--until (${new Date(untilMs).toISOString()}) is before --since (${new Date(sinceMs).toISOString()})`);
  if (values.kind !== undefined && !isFactKind(values.kind)) throw new UsageError(`--kind: expected a fact kind such as container or process_exec (actual: ${values.kind})`);
  return { sinceMs, untilMs, ...(values.kind !== undefined ? { kind: values.kind } : {}), ...(values.host !== undefined ? { host: values.host } : {}) };
}

function pointInTime(option: string, value: string, now: number): number {
  if (/^\d/.test(value) && /[-T:]/.test(value)) {
    const at = Date.parse(value);
    if (Number.isNaN(at)) throw new UsageError(`${option}: expected a duration ago (2h) or a time such as 2026-12-03T08:00:00Z (actual: ${value})`);
    return at;
  }
  return now - parseDuration(option, value);
}

async function* dataOf(batches: AsyncIterable<{ data: Uint8Array }>): AsyncGenerator<Uint8Array> {
  for await (const b of batches) yield b.data;
}
