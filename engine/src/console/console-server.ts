import { DeliverPolicy, jetstream, type ConsumerMessages } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { alertToJSON, decodeAlert, decodeFactBatch, streams, SUBJECT_ROOT, subjectToken, v1, type FactInit } from '../../../proto/src/index.js';
import { readStored } from '../archive/stored.js';
import { ensureKv } from '../distribution/buckets.js';
import { DataStore } from '../distribution/data.js';
import { readBundleFile, type Bundle } from '../policy/bundle.js';
import { PolicyEvaluator } from '../policy/evaluator.js';
import { addItem, isProfileCategory } from '../profiles/model.js';
import { ProfileStore } from '../profiles/store.js';
import { defaultBundlePath, packageRoot } from '../tools.js';
import { AlertView, type AlertQuery, type HeldAlert } from './alert-view.js';
import { FleetView } from './fleet.js';
import { WorkloadView } from './workloads.js';

export const CONSOLE_ACKS_BUCKET = 'vigil-console-acks';
/** Subject of the audit events of console actions: vigil.audit.console.<action>. */
export const consoleAuditSubject = (action: string): string => `${SUBJECT_ROOT}.audit.console.${action}`;

export interface ConsoleLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  debug(details: object, message: string): void;
}

export interface ConsoleOptions {
  nc: NatsConnection;
  /** Default 127.0.0.1. Any other address needs a token for every request. */
  host?: string;
  /** Default 7474; 0 picks a free port. */
  port?: number;
  /** Needed for every action, and for reading too when not bound to loopback. Generated when not given. */
  token?: string;
  logger: ConsoleLogger;
  /** Judges the workloads' posture; default: the shipped bundle. */
  bundle?: Bundle;
}

export interface RunningConsole {
  url: string;
  token: string;
  /** Whether a generated token is in use (printed once at start). */
  generatedToken: boolean;
  alerts: AlertView;
  stop(): Promise<void>;
}

const STATIC: Record<string, string> = { '/': 'index.html', '/app.js': 'app.js', '/app.css': 'app.css' };
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
const MAX_BODY = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The console: a read-only view of what NATS holds (the alert stream, the
 * fleet's facts and consumers, profiles, bundles, exceptions) with three
 * actions, each needing the token and published as an audit event:
 * acknowledge an alert, create an exception from one, approve a drift item
 * into its profile. It keeps no database: acknowledgements live in a KV
 * bucket, exceptions in the data documents the engines follow.
 */
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const { nc, logger } = options;
  const host = options.host ?? '127.0.0.1';
  const loopback = host === '127.0.0.1' || host === '::1' || host === 'localhost';
  const generatedToken = options.token === undefined || options.token === '';
  const token = generatedToken ? randomBytes(18).toString('base64url') : options.token!;
  const staticDir = path.join(packageRoot(), 'engine', 'console');

  const view = new AlertView();
  const fleet = await FleetView.start(nc);
  const acks: KV = await ensureKv(nc, CONSOLE_ACKS_BUCKET, { history: 1 });
  const profiles = await ProfileStore.open(nc);
  const data = await DataStore.open({ nc });
  const evaluator = await PolicyEvaluator.load(options.bundle ?? (await readBundleFile(defaultBundlePath())));
  const workloads = await WorkloadView.start({ nc, logger, evaluator, profiles, alerts: () => view.all() });
  const clients = new Set<{ res: http.ServerResponse; matches: (h: HeldAlert) => boolean }>();

  // Acks first, so alerts read next already show them.
  const ackState = new Map<string, { by: string; at: string }>();
  for await (const key of await acks.keys()) {
    const entry = await acks.get(key);
    if (entry?.operation === 'PUT') ackState.set(key, entry.json<{ by: string; at: string }>());
  }

  const js = jetstream(nc);
  let messages: ConsumerMessages | undefined;
  const ordered = await js.consumers.get(streams.alerts.name, { deliver_policy: DeliverPolicy.All }).catch(() => undefined);
  if (!ordered) logger.warn({ stream: streams.alerts.name }, 'console: the alert stream does not exist yet; start an engine, then the console');
  const loaded = (async () => {
    if (!ordered) return;
    messages = await ordered.consume();
    for await (const m of messages) {
      try {
        const held = view.add(m.seq, m.subject, alertToJSON(decodeAlert(m.data)));
        const ack = ackState.get(held.alert.alert_id);
        if (ack) held.acked = ack;
        for (const client of clients) if (client.matches(held)) client.res.write(`event: alert\ndata: ${JSON.stringify(held)}\n\n`);
      } catch {
        // Not an alert: nothing to show.
      }
    }
  })();

  const audit = (action: string, details: Record<string, unknown>): void => {
    nc.publish(consoleAuditSubject(action), JSON.stringify({ action, at: new Date().toISOString(), ...details }));
    logger.info({ action, ...details }, 'console action');
  };

  const authorised = (req: http.IncomingMessage): boolean => {
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? '';
    return given.length === token.length && timingSafeEqual(Buffer.from(given), Buffer.from(token));
  };

  const readBody = async (req: http.IncomingMessage): Promise<Record<string, unknown>> => {
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) throw new HttpError(413, `body over ${MAX_BODY} bytes`);
      chunks.push(chunk as Buffer);
    }
    try {
      const value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
      return value as Record<string, unknown>;
    } catch (error) {
      throw new HttpError(400, `expected a JSON object (${(error as Error).message})`);
    }
  };

  const text = (value: unknown, name: string, max = 2_000): string => {
    if (typeof value !== 'string' || value.trim() === '') throw new HttpError(400, `${name} is required`);
    if (value.length > max) throw new HttpError(400, `${name} is longer than ${max} characters`);
    return value.trim();
  };

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://console');
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    };
    if (req.method === 'GET' && STATIC[url.pathname]) {
      const file = STATIC[url.pathname]!;
      const body = await fs.readFile(path.join(staticDir, file));
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)]!, 'content-security-policy': "default-src 'self'; style-src 'self'; img-src 'self' data:", 'x-content-type-options': 'nosniff' }).end(body);
      return;
    }
    if (!url.pathname.startsWith('/api/')) throw new HttpError(404, 'not found');
    const action = req.method !== 'GET';
    if ((action || !loopback) && !authorised(req)) throw new HttpError(401, action ? 'actions need the console token' : 'this console needs its token');

    if (req.method === 'GET' && url.pathname === '/api/alerts') return json(200, { ...view.query(queryOf(url.searchParams)), held: view.size });
    if (req.method === 'GET' && url.pathname === '/api/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': connected\n\n');
      const client = { res, matches: view.matcher(queryOf(url.searchParams)) };
      clients.add(client);
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      req.on('close', () => {
        clearInterval(ping);
        clients.delete(client);
      });
      return;
    }
    const alertMatch = /^\/api\/alerts\/([^/]+)(\/ack|\/fact|\/drift)?$/.exec(url.pathname);
    if (alertMatch) {
      const held = view.get(decodeURIComponent(alertMatch[1]!));
      if (!held) throw new HttpError(404, 'no such alert in the stream');
      if (req.method === 'GET' && !alertMatch[2]) return json(200, held);
      if (req.method === 'GET' && alertMatch[2] === '/fact') {
        const fact = await factBehind(nc, held);
        if (!fact) throw new HttpError(404, `fact ${held.alert.fact_id} is no longer in ${streams.facts.name} (kept 24 h), or was never archived`);
        return json(200, factJSON(fact));
      }
      if (req.method === 'GET' && alertMatch[2] === '/drift') {
        const fact = await factBehind(nc, held);
        if (!fact) throw new HttpError(404, `fact ${held.alert.fact_id} is no longer in ${streams.facts.name} (kept 24 h), or was never archived`);
        const drift = await workloads.driftItems(fact);
        if (!drift) throw new HttpError(404, 'the fact behind this alert adds nothing to a workload profile');
        return json(200, drift);
      }
      if (req.method === 'POST' && alertMatch[2] === '/ack') {
        const at = new Date().toISOString();
        const by = 'console';
        await acks.put(held.alert.alert_id, JSON.stringify({ by, at }));
        view.ack(held.alert.alert_id, by, at);
        audit('ack', { alert_id: held.alert.alert_id, rule_id: held.alert.rule_id });
        return json(200, held);
      }
    }
    if (url.pathname === '/api/exceptions') {
      if (req.method === 'GET') return json(200, { exceptions: ((await data.get('exceptions'))?.value as unknown[] | undefined) ?? [] });
      if (req.method === 'POST') {
        const body = await readBody(req);
        const held = view.get(text(body.alert_id, 'alert_id', 200));
        if (!held) throw new HttpError(404, 'no such alert in the stream');
        const scopeKind = text(body.scope, 'scope', 40);
        const a = held.alert;
        const scope =
          scopeKind === 'container' && a.subject.kind === 'container' && a.subject.name
            ? { container_name: a.subject.name }
            : scopeKind === 'image' && a.subject.image
              ? { image: a.subject.image }
              : scopeKind === 'host'
                ? { host: a.host }
                : undefined;
        if (!scope) throw new HttpError(400, `scope must be container, image or host, and the alert must have one (actual: ${scopeKind})`);
        const expires = text(body.expires, 'expires', 30);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(expires) || Number.isNaN(Date.parse(expires))) throw new HttpError(400, `expires must be a date YYYY-MM-DD (actual: ${expires})`);
        if (expires < new Date().toISOString().slice(0, 10)) throw new HttpError(400, `expires is in the past (actual: ${expires})`);
        const entry = { rules: [a.rule_id], scope, justification: text(body.justification, 'justification'), expires, created_by: 'console', created_at: new Date().toISOString(), from_alert: a.alert_id };
        // Compare-and-set: an exception written meanwhile (another console, `vigil policy data put`) is kept.
        await data.update('exceptions', (current) => JSON.stringify([...((current as unknown[] | undefined) ?? []), entry]));
        audit('exception', { alert_id: a.alert_id, rule_id: a.rule_id, scope, expires });
        return json(201, entry);
      }
    }
    if (req.method === 'GET' && url.pathname === '/api/fleet') return json(200, await fleet.snapshot());
    if (req.method === 'GET' && url.pathname === '/api/workloads') return json(200, { workloads: await workloads.list() });
    const one = /^\/api\/workloads\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && one) {
      const workload = decodeURIComponent(one[1]!);
      const found = await workloads.get(workload);
      if (!found) throw new HttpError(404, `no container or profile of workload ${workload}`);
      // Drift alerts name the workload: "… (workload W) …, not in its learned profile".
      const drift = view.query({ text: `(workload ${workload})`, limit: 50 }).items.map((h) => ({ alert_id: h.alert.alert_id, rule_id: h.alert.rule_id, message: h.alert.message, raised_at: h.alert.raised_at }));
      return json(200, { workload, ...found, drift_alerts: drift });
    }
    const approve = /^\/api\/workloads\/(.+)\/approve$/.exec(url.pathname);
    if (req.method === 'POST' && approve) {
      const workload = decodeURIComponent(approve[1]!);
      const body = await readBody(req);
      const category = text(body.category, 'category', 40);
      const key = text(body.item, 'item', 1_000);
      if (!isProfileCategory(category)) throw new HttpError(400, `category is not a profile category (actual: ${category})`);
      const now = Date.now();
      const updated = await profiles.update(workload, (p) => {
        if (!p) return undefined;
        const next = structuredClone(p);
        addItem(next, category, key, { replicas: ['approved'], hosts: [], first_seen: now, last_seen: now });
        return next;
      });
      if (!updated) throw new HttpError(404, `no learned profile for ${workload}`);
      workloads.changed();
      audit('approve', { workload, category, item: key, version: updated.version });
      return json(200, { workload, version: updated.version });
    }
    throw new HttpError(404, 'not found');
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (status === 500) logger.warn({ err: (error as Error).message, url: req.url }, 'console request failed');
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: status === 500 ? 'internal error' : (error as Error).message }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7474, host, () => resolve());
  });
  const address = server.address() as { port: number };
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/`;
  return {
    url,
    token,
    generatedToken,
    alerts: view,
    async stop() {
      for (const client of clients) client.res.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      fleet.stop();
      await workloads.stop();
      await messages?.close();
      await loaded.catch(() => undefined);
    },
  };
}

const FACT_SEARCH_BEFORE_MS = 5_000;
const FACT_SEARCH_AFTER_MS = 120_000;
const FACT_SEARCH_MAX = 20_000;

/**
 * The fact an alert was raised on, from the fact archive (VIGIL_FACTS keeps
 * judged facts): the host's fact messages stored from just before the fact
 * was observed, read until it is found or the window ends.
 */
async function factBehind(nc: NatsConnection, held: HeldAlert): Promise<FactInit | undefined> {
  const observed = Date.parse(held.alert.observed_at);
  if (!Number.isFinite(observed)) return undefined;
  const filter = `${SUBJECT_ROOT}.facts.*.${subjectToken(held.alert.host)}`;
  let read = 0;
  try {
    for await (const { data } of readStored(nc, streams.facts.name, filter, observed - FACT_SEARCH_BEFORE_MS, observed + FACT_SEARCH_AFTER_MS)) {
      if (++read > FACT_SEARCH_MAX) return undefined;
      try {
        const fact = decodeFactBatch(data).facts.find((f) => f.id === held.alert.fact_id);
        if (fact) return fact;
      } catch {
        // Not a FactBatch.
      }
    }
  } catch {
    // No fact stream (yet): nothing to show.
  }
  return undefined;
}

const factJSON = (fact: FactInit): Record<string, unknown> =>
  v1.Fact.toObject(fact as Parameters<typeof v1.Fact.toObject>[0], { longs: Number, enums: String, defaults: false }) as Record<string, unknown>;

function queryOf(params: URLSearchParams): AlertQuery {
  const list = (name: string): string[] | undefined => {
    const values = params.getAll(name).flatMap((v) => v.split(',')).filter(Boolean);
    return values.length > 0 ? values : undefined;
  };
  const number = (name: string): number | undefined => {
    const value = params.get(name);
    return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
  };
  return {
    severity: list('severity'),
    rule: list('rule'),
    control: list('control'),
    host: list('host'),
    workload: list('workload'),
    text: params.get('q') ?? undefined,
    open: params.get('open') === '1',
    before: number('before'),
    limit: number('limit'),
  };
}
