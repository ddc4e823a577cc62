import { parseArgs } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { CONTROL_FRAMEWORKS, defaultBundlePath, PolicyEvaluator, postureOf, ProfileStore, readBundleFile, readStored, workloadsOf, type PostureFinding, type WorkloadPosture } from '../../../engine/src/index.js';
import { alertToJSON, decodeAlert, decodeFactBatch, streams, subjects, type AlertJSON, type FactInit } from '../../../proto/src/index.js';
import { UsageError } from '../errors.js';
import { archiveQuery } from './facts.js';
import { readArchive } from '../facts/archive.js';
import { connectNats, NATS_SECURITY_OPTIONS, natsSecurity, natsUrl } from '../nats.js';

export const POSTURE_USAGE = `vigil posture [WORKLOAD] [--since 24h] [--bundle FILE] [--format table|json] [--nats URL]
  one workload's findings in one view: its containers' and images' latest facts in the fact archive judged
  by the bundle (default: the shipped one), the runtime and profile-drift alerts on its containers in
  VIGIL_ALERTS, its learned profile's state, and the CIS and PSS controls passed and failed.
  Without WORKLOAD: the workloads seen since --since.`;

export async function postureCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      since: { type: 'string', default: '24h' },
      bundle: { type: 'string' },
      format: { type: 'string', default: 'table' },
      nats: { type: 'string' },
      ...NATS_SECURITY_OPTIONS,
    },
  });
  if (values.format !== 'table' && values.format !== 'json') throw new UsageError(`--format: expected table or json (actual: ${values.format})`);
  if (positionals.length > 1) throw new UsageError(`vigil posture takes at most one WORKLOAD\n${POSTURE_USAGE}`);
  const now = Date.now();
  const query = archiveQuery({ since: values.since }, now);
  const nc = await connectNats(natsUrl(values.nats, true)!, 'vigil-posture', natsSecurity(values));
  try {
    const containers = await factsOf(nc, { ...query, kind: 'container' });
    const workload = positionals[0];
    if (workload === undefined) {
      const list = workloadsOf(containers);
      if (values.format === 'json') process.stdout.write(JSON.stringify(list, null, 2) + '\n');
      else if (list.length === 0) process.stdout.write(`no container facts since ${values.since}\n`);
      else for (const w of list) process.stdout.write(`${w.workload}  ${w.containers} container${w.containers === 1 ? '' : 's'}\n`);
      return 0;
    }
    const evaluator = await PolicyEvaluator.load(await readBundleFile(values.bundle ?? defaultBundlePath()));
    const [images, alerts, profiles] = await Promise.all([factsOf(nc, { ...query, kind: 'image' }), storedAlerts(nc, query.sinceMs, now), profileOf(nc, workload)]);
    const posture = postureOf(workload, { containers, images, alerts, evaluator, profiles });
    if (!posture) {
      const known = workloadsOf(containers).map((w) => w.workload);
      throw new UsageError(`no container of workload ${workload} since ${values.since}${known.length > 0 ? `; workloads seen: ${known.join(', ')}` : ''}`);
    }
    process.stdout.write(values.format === 'json' ? JSON.stringify(posture, null, 2) + '\n' : postureTable(posture, values.since));
    return 0;
  } finally {
    await nc.close();
  }
}

async function factsOf(nc: NatsConnection, query: Parameters<typeof readArchive>[1]): Promise<FactInit[]> {
  const facts: FactInit[] = [];
  for await (const { data } of readArchive(nc, query)) {
    try {
      facts.push(...decodeFactBatch(data).facts);
    } catch {
      // A batch the engines dead-lettered as undecodable says nothing about posture.
    }
  }
  return facts;
}

async function storedAlerts(nc: NatsConnection, sinceMs: number, untilMs: number): Promise<AlertJSON[]> {
  const info = await (await jetstreamManager(nc)).streams.info(streams.alerts.name).catch(() => undefined);
  if (!info || info.state.messages === 0) return [];
  const alerts: AlertJSON[] = [];
  for await (const { data } of readStored(nc, streams.alerts.name, subjects.allAlerts, sinceMs, untilMs)) alerts.push(alertToJSON(decodeAlert(data)));
  return alerts;
}

async function profileOf(nc: NatsConnection, workload: string): Promise<Map<string, { state: string; version: number }>> {
  const stored = await (await ProfileStore.open(nc)).get(workload).catch(() => undefined);
  const profiles = new Map<string, { state: string; version: number }>();
  if (stored) profiles.set(workload, { state: stored.profile.state, version: stored.profile.version });
  return profiles;
}

function postureTable(p: WorkloadPosture, since: string): string {
  const lines = [`Workload ${p.workload}`];
  const hosts = [...new Set(p.containers.map((c) => c.host))];
  lines.push(`  ${p.containers.length} container(s) on ${hosts.join(', ') || '?'}: ${p.containers.map((c) => c.name).join(', ')}`);
  lines.push(`  image(s): ${p.images.join(', ') || '(no image fact)'}`);
  lines.push(`  profile: ${p.profile ? `${p.profile.state}, version ${p.profile.version}` : 'none learned'}`);
  const section = (title: string, findings: PostureFinding[]): void => {
    lines.push('', `${title} (${findings.length})`);
    for (const f of findings) {
      const count = f.count !== undefined ? `  ×${f.count}, last ${f.last_seen || '?'}` : '';
      lines.push(`  ${f.severity.padEnd(8)} ${f.rule_id.padEnd(12)} ${f.message}${count}`);
    }
  };
  section('Configuration', p.configuration);
  section('Image', p.image);
  section(`Runtime, last ${since}`, p.runtime);
  section(`Profile drift, last ${since}`, p.drift);
  lines.push('', 'Controls');
  for (const framework of CONTROL_FRAMEWORKS) {
    const { passed, failed } = p.controls[framework]!;
    lines.push(`  ${framework.padEnd(11)} ${passed.length} passed, ${failed.length} failed${failed.length > 0 ? `: ${failed.join(', ')}` : ''}`);
  }
  return lines.join('\n') + '\n';
}
