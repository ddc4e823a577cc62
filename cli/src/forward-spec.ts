import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  alertmanagerOutput,
  fileOutput,
  SEVERITY_NAMES,
  slackOutput,
  syslogOutput,
  webhookOutput,
  type ForwardTarget,
  type OutputFilter,
} from '../../engine/src/index.js';
import { splitList } from './args.js';
import { config } from './config.js';
import { UsageError } from './errors.js';

export const OUTPUT_KINDS = ['webhook', 'slack', 'alertmanager', 'syslog', 'file'] as const;

export const FORWARD_SPEC_USAGE = `An output is KIND=TARGET, then ;KEY=VALUE options:
    webhook=https://receiver/path      JSON per alert; ;secret-env=VAR signs it (X-Vigil-Signature, HMAC-SHA256)
    slack=https://hooks.slack.com/…    Slack-compatible incoming webhook
    alertmanager=http://host:9093      Alertmanager API v2
    syslog=udp://host:514              RFC 5424 over udp://, tcp:// or tls:// (;ca=FILE, ;insecure=true); ;facility=N
    file=/var/log/vigil/alerts.ndjson  NDJSON; ;max-size=100M ;keep=5 rotated files
  Every output takes ;min-severity=high, ;rule=VGL-RUN-*,VGL-CTR-001, ;subject=vigil.alerts.*.container.>
  and ;name=NAME (the durable consumer keeping its place; default: kind and a hash of the target).`;

/** One `--output` / `--forward` value as an output and its filter. */
export function parseOutputSpec(spec: string): ForwardTarget {
  const [head = '', ...rest] = spec.split(';');
  const eq = head.indexOf('=');
  const kind = eq > 0 ? head.slice(0, eq) : '';
  const target = eq > 0 ? head.slice(eq + 1) : '';
  if (!(OUTPUT_KINDS as readonly string[]).includes(kind) || target === '') {
    throw new UsageError(`--output: expected KIND=TARGET with KIND one of ${OUTPUT_KINDS.join(', ')} (actual: ${JSON.stringify(spec.split(';')[0])})`);
  }
  const options = new Map<string, string>();
  for (const part of rest) {
    const at = part.indexOf('=');
    if (at <= 0) throw new UsageError(`--output ${kind}: expected ;KEY=VALUE (actual: ${JSON.stringify(part)})`);
    options.set(part.slice(0, at), part.slice(at + 1));
  }
  const take = (key: string): string | undefined => {
    const value = options.get(key);
    options.delete(key);
    return value;
  };
  const name = take('name') ?? `${kind}-${createHash('sha256').update(target).digest('hex').slice(0, 10)}`;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new UsageError(`--output ${kind}: name: expected letters, digits, - and _ (actual: ${name})`);
  const filter = filterOf(kind, take('min-severity'), take('rule'), take('subject'));
  const output = outputOf(kind as (typeof OUTPUT_KINDS)[number], target, take);
  if (options.size > 0) throw new UsageError(`--output ${kind}: unknown option(s) ${[...options.keys()].join(', ')}`);
  return { name, output, filter };
}

function filterOf(kind: string, minSeverity: string | undefined, rules: string | undefined, subjects: string | undefined): OutputFilter {
  const filter: OutputFilter = {};
  if (minSeverity !== undefined) {
    const upper = minSeverity.toUpperCase();
    if (!SEVERITY_NAMES.includes(upper)) throw new UsageError(`--output ${kind}: min-severity: expected one of ${SEVERITY_NAMES.join(', ').toLowerCase()} (actual: ${minSeverity})`);
    filter.minSeverity = upper as OutputFilter['minSeverity'];
  }
  if (rules !== undefined) filter.rules = splitList(rules);
  if (subjects !== undefined) filter.subjects = splitList(subjects);
  return filter;
}

function outputOf(kind: (typeof OUTPUT_KINDS)[number], target: string, take: (key: string) => string | undefined): ForwardTarget['output'] {
  switch (kind) {
    case 'webhook': {
      const secretEnv = take('secret-env');
      const secret = secretEnv === undefined ? undefined : config.named(secretEnv);
      if (secretEnv !== undefined && !secret) throw new UsageError(`--output webhook: secret-env=${secretEnv} names an unset or empty variable`);
      return webhookOutput({ url: httpUrl(kind, target), ...(secret ? { secret } : {}) });
    }
    case 'slack':
      return slackOutput({ url: httpUrl(kind, target) });
    case 'alertmanager':
      return alertmanagerOutput({ url: httpUrl(kind, target) });
    case 'syslog': {
      const url = parseUrl(kind, target);
      const transport = url.protocol.replace(/:$/, '');
      if (transport !== 'udp' && transport !== 'tcp' && transport !== 'tls') throw new UsageError(`--output syslog: expected udp://, tcp:// or tls:// (actual: ${target})`);
      const facility = take('facility');
      const ca = take('ca');
      const facilityNumber = facility === undefined ? undefined : Number(facility);
      if (facilityNumber !== undefined && !(Number.isInteger(facilityNumber) && facilityNumber >= 0 && facilityNumber <= 23)) {
        throw new UsageError(`--output syslog: facility: expected 0 to 23 (actual: ${facility})`);
      }
      return syslogOutput({
        transport,
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: Number(url.port || (transport === 'tls' ? 6514 : 514)),
        ...(facilityNumber !== undefined ? { facility: facilityNumber } : {}),
        ...(ca !== undefined ? { ca: readFileSync(ca) } : {}),
        insecure: take('insecure') === 'true',
      });
    }
    case 'file': {
      const maxSize = take('max-size');
      const keep = take('keep');
      const keepNumber = keep === undefined ? undefined : Number(keep);
      if (keepNumber !== undefined && !(Number.isInteger(keepNumber) && keepNumber >= 0 && keepNumber <= 1000)) throw new UsageError(`--output file: keep: expected 0 to 1000 (actual: ${keep})`);
      return fileOutput({ path: target, ...(maxSize !== undefined ? { maxBytes: bytes(maxSize) } : {}), ...(keepNumber !== undefined ? { keep: keepNumber } : {}) });
    }
  }
}

function parseUrl(kind: string, target: string): URL {
  try {
    return new URL(target);
  } catch {
    throw new UsageError(`--output ${kind}: expected a URL (actual: ${target})`);
  }
}

function httpUrl(kind: string, target: string): string {
  const url = parseUrl(kind, target);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--output ${kind}: expected an http:// or https:// URL (actual: ${url.protocol}//…)`);
  return target;
}

function bytes(value: string): number {
  const m = /^(\d+)\s*([KMG]i?B?|B)?$/i.exec(value);
  if (!m) throw new UsageError(`--output file: max-size: expected a size like 100M (actual: ${value})`);
  const unit = (m[2] ?? '').toUpperCase()[0];
  return Number(m[1]) * (unit === 'K' ? 1024 : unit === 'M' ? 1024 ** 2 : unit === 'G' ? 1024 ** 3 : 1);
}
