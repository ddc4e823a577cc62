import { parseArgs } from 'node:util';
import {
  BundleStore,
  bundleNameOf,
  defaultBundlePath,
  parseBundle,
  readBundleFile,
  replayFacts,
  type Bundle,
  type ReplayReport,
} from '../../../engine/src/index.js';
import type { NatsConnection } from '@nats-io/nats-core';
import { isSeverityName, severityRank } from '../../../proto/src/index.js';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from '../errors.js';
import { readArchive } from '../facts/archive.js';
import { readFactFile } from '../facts/fact-file.js';
import { factSubjectOf } from '../facts/fact-subject.js';
import { createLogger } from '../logger.js';
import { connectNats, NATS_SECURITY_OPTIONS, natsSecurity, natsUrl } from '../nats.js';
import { archiveQuery } from './facts.js';
import { config } from '../config.js';
import { poolSettings } from '../engine-settings.js';

export const REPLAY_USAGE = `vigil policy replay --bundle CANDIDATE [--baseline FILE|current] (--since WHEN [--until WHEN] [--kind K] [--host H] | --facts FILE...)
                   [--format table|json] [--fail-on LOW|MEDIUM|HIGH|CRITICAL] [--alert-window MS] [--workers N] [--nats URL]
  judges the same facts with the baseline and the candidate, both in one worker pool, and prints how their
  findings differ: new and gone per rule (with sample subjects), per host and per workload, and each side's
  findings before and after the engine's alert throttle (--alert-window, default 60000). Publishes nothing.
  --since: the facts VIGIL_FACTS keeps (see vigil facts export); --facts: fact files.
  --baseline current (the default with --since): the bundle the engines serve under the candidate's name;
  with --facts the default is the shipped bundle.
  Exit status: 0 no new finding at or above --fail-on (default LOW: any new finding), 1 there are, 2 an error.`;

export async function policyReplay(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      bundle: { type: 'string' },
      baseline: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      kind: { type: 'string' },
      host: { type: 'string' },
      facts: { type: 'string', multiple: true },
      format: { type: 'string', default: 'table' },
      'fail-on': { type: 'string', default: 'LOW' },
      'alert-window': { type: 'string' },
      workers: { type: 'string' },
      nats: { type: 'string' },
      ...NATS_SECURITY_OPTIONS,
    },
  });
  if (values.bundle === undefined) throw new UsageError(`policy replay needs --bundle CANDIDATE\n${REPLAY_USAGE}`);
  if ((values.since === undefined) === (values.facts === undefined)) throw new UsageError(`policy replay takes either --since or --facts\n${REPLAY_USAGE}`);
  if (!['table', 'json'].includes(values.format)) throw new UsageError(`--format: expected table or json (actual: ${values.format})`);
  const failOn = values['fail-on'].toUpperCase();
  if (!isSeverityName(failOn)) throw new UsageError(`--fail-on: expected LOW, MEDIUM, HIGH or CRITICAL (actual: ${values['fail-on']})`);
  const alertWindowMs = config.whole('alertWindowMs', values['alert-window'], { min: 0, max: 24 * 3_600_000 });
  const pool = poolSettings(values.workers, config, 'replay');
  const query = values.since === undefined ? undefined : archiveQuery(values, Date.now());
  const candidate = await readBundleFile(values.bundle);
  const baselineChoice = values.baseline ?? (query ? 'current' : defaultBundlePath());
  const nc = query || baselineChoice === 'current' ? await connectNats(natsUrl(values.nats, true)!, 'vigil-replay', natsSecurity(values)) : undefined;
  try {
    const baseline = baselineChoice === 'current' ? await servedBundle(nc!, bundleNameOf(candidate.manifest)) : await readBundleFile(baselineChoice);
    const facts = query ? readArchive(nc!, query) : fileMessages(values.facts!);
    const report = await replayFacts({
      baseline,
      candidate,
      facts,
      logger: createLogger(),
      ...pool,
      ...(alertWindowMs !== undefined ? { alertWindowMs } : {}),
    });
    process.stdout.write(values.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : replayTable(report));
    const failing = report.rules.some((r) => r.new > 0 && severityRank(r.severity) >= severityRank(failOn));
    return failing ? EXIT_FINDINGS : EXIT_OK;
  } finally {
    await nc?.close();
  }
}

async function servedBundle(nc: NatsConnection, name: string): Promise<Bundle> {
  const store = await BundleStore.open({ nc });
  const head = await store.head(name);
  if (head === undefined) throw new UsageError(`no bundle is served under the name ${name}: give --baseline FILE, or push one with vigil policy push`);
  return parseBundle(await store.fetch(head), `${name} revision ${head.revision}`);
}

/** The batches of fact files as the engine receives them: on their facts' subject. */
async function* fileMessages(files: readonly string[]): AsyncGenerator<{ subject: string; data: Uint8Array }> {
  for (const file of files) {
    for await (const { bytes, batch } of readFactFile(file)) {
      const [first] = batch.facts;
      // A batch without a fact of a known kind still goes in: the pool dead-letters it as the engine would.
      yield { subject: (first && factSubjectOf(first)) ?? 'vigil.facts.unknown._', data: bytes };
    }
  }
}

function replayTable(report: ReplayReport): string {
  const { baseline: b, candidate: c } = report;
  const lines = [
    `Replayed ${report.facts} facts in ${report.seconds.toFixed(1)} s (${Math.round(report.factsPerSecond)} facts/s)${report.errors > 0 ? `, ${report.errors} could not be judged` : ''}`,
    `baseline  ${b.bundle} ${b.revision}: ${b.findings} findings, ${b.alerts} alerts after throttling`,
    `candidate ${c.bundle} ${c.revision}: ${c.findings} findings, ${c.alerts} alerts after throttling`,
    `${report.new} new, ${report.gone} gone${report.unchangedRules > 0 ? ` (${report.unchangedRules} rules unchanged between the bundles, judged once for both)` : ''}`,
    '',
  ];
  const changed = report.rules.filter((r) => r.new > 0 || r.gone > 0);
  if (changed.length === 0) return `${lines.join('\n')}No rule changed its findings.\n`;
  const rows = changed.map((r) => [
    r.rule_id,
    r.severity,
    `${r.baseline.findings} (${r.baseline.alerts})`,
    `${r.candidate.findings} (${r.candidate.alerts})`,
    r.new > 0 ? `+${r.new}` : '0',
    r.gone > 0 ? `-${r.gone}` : '0',
    [...r.samples.new.map((s) => `+ ${s}`), ...r.samples.gone.map((s) => `- ${s}`)].join('; '),
  ]);
  lines.push(...table(['RULE', 'SEVERITY', 'BEFORE (ALERTS)', 'AFTER (ALERTS)', 'NEW', 'GONE', 'SAMPLES'], rows), '');
  for (const [title, groups] of [['HOST', report.hosts], ['WORKLOAD', report.workloads]] as const) {
    lines.push(...table([title, 'NEW', 'GONE'], groups.map((g) => [g.key || '(none)', String(g.new), String(g.gone)])), '');
  }
  return `${lines.join('\n')}`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === header.length - 1 ? 0 : (r[i] ?? '').length))));
  const line = (cells: string[]): string => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}
