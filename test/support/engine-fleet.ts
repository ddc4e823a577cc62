import { jetstream, jetstreamManager, AckPolicy, DeliverPolicy, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { ENGINE_CONSUMER, decodeAlert, decodeVerdict, encodeFactBatch, streams, subjects, type FactKind } from '../../proto/src/index.js';
import type { MixedFact } from '../../bench/mix.js';
import { spawnVigil, type VigilProcess } from './vigil-process.js';

/** `vigil engine` as a real process, as an operator runs it. */
export type EngineProcess = VigilProcess;

export function spawnEngine(natsUrls: string, extraArgs: readonly string[] = []): EngineProcess {
  return spawnVigil(['engine', '--nats', natsUrls, ...extraArgs], 'warn');
}

/** Waits until `count` engines have pull requests open on the shared durable consumer. */
export async function waitForEngines(jsm: JetStreamManager, engines: readonly EngineProcess[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = engines.find((e) => e.child.exitCode !== null);
    if (dead) throw new Error(`vigil engine exited with ${dead.child.exitCode}:\n${dead.stderr()}`);
    const info = await jsm.consumers.info(streams.facts.name, ENGINE_CONSUMER).catch(() => undefined);
    if (info && info.num_waiting >= engines.length) return;
    if (Date.now() > deadline) throw new Error(`engines did not bind to ${ENGINE_CONSUMER} within ${timeoutMs} ms:\n${engines.map((e) => e.stderr()).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Engines under test run with the verdict stream: VIGIL_VERDICTS keeps every
 * verdict they had stored before acking its fact, so a count read from it
 * after a failover is the engines' own account, not a capture that can drop.
 */
export const VERDICT_STREAM = streams.verdicts.name;

/**
 * Every verdict that reaches any node of a cluster on core NATS: one plain
 * subscriber per node, their union. Checks what the engines promise without
 * the verdict stream (a fact is acked only after its verdict reached a server).
 */
export async function tapCoreVerdicts(nodeUrls: readonly string[]): Promise<{ ids: Set<string>; close(): Promise<void> }> {
  const ids = new Set<string>();
  const taps = await Promise.all(nodeUrls.map((url) => connect({ servers: url, maxReconnectAttempts: 0 })));
  for (const tap of taps) {
    tap.subscribe(subjects.allVerdicts, {
      callback: (_error, msg) => {
        ids.add(decodeVerdict(msg.data).fact_id);
      },
    });
  }
  await Promise.all(taps.map((tap) => tap.flush()));
  return { ids, close: async () => void (await Promise.all(taps.map((tap) => tap.close().catch(() => undefined)))) };
}

/**
 * Moves the leadership of `stream` to `node` (a no-op when it is there), so a
 * test can stop one node and take the leaders of several streams at once.
 */
export async function moveStreamLeader(nc: NatsConnection, jsm: JetStreamManager, stream: string, node: string, timeoutMs = 60_000): Promise<void> {
  const leaderOf = async (): Promise<string | undefined> => (await jsm.streams.info(stream).catch(() => undefined))?.cluster?.leader;
  const deadline = Date.now() + timeoutMs;
  for (let leader = await leaderOf(); leader !== node; leader = await leaderOf()) {
    if (Date.now() > deadline) throw new Error(`${stream} is still led by ${leader ?? 'nobody'}, not ${node}, after ${timeoutMs} ms`);
    if (leader !== undefined) {
      await nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${stream}`, JSON.stringify({ placement: { preferred: node } }), { timeout: 5_000 }).catch(() => undefined);
      // The election takes a moment: wait for a leader before asking again.
      await eventually(`a new leader for ${stream}`, async () => ((await leaderOf()) ?? leader) !== leader, 10_000).catch(() => undefined);
    } else {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Reads a whole stream once and returns the distinct keys and the message count. */
export async function readStream(nc: NatsConnection, stream: string, keyOf: (data: Uint8Array) => string): Promise<{ messages: number; keys: Set<string> }> {
  const jsm = await jetstreamManager(nc);
  const total = (await jsm.streams.info(stream)).state.messages;
  const keys = new Set<string>();
  if (total === 0) return { messages: 0, keys };
  const name = `reader-${Date.now()}`;
  await jsm.consumers.add(stream, { name, ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All, inactive_threshold: 60_000_000_000 });
  const consumer = await jetstream(nc).consumers.get(stream, name);
  let seen = 0;
  const messages = await consumer.consume({ max_messages: 2_000 });
  for await (const m of messages) {
    keys.add(keyOf(m.data));
    if (++seen >= total) break;
  }
  await messages.close();
  await jsm.consumers.delete(stream, name).catch(() => undefined);
  return { messages: seen, keys };
}

export const verdictFactId = (data: Uint8Array): string => decodeVerdict(data).fact_id;
export const alertIdOf = (data: Uint8Array): string => decodeAlert(data).id;

/**
 * Publishes facts in FactBatches of `size` through JetStream, each with a message id,
 * retrying a batch until the server acknowledges it: what a collector's outbox does.
 * `onProgress` is called after every acknowledged batch with the facts sent so far.
 */
export async function publishFacts(nc: NatsConnection, facts: readonly MixedFact[], options: { size?: number; host?: string; onProgress?: (sent: number) => Promise<void> | void } = {}): Promise<void> {
  const js = jetstream(nc, { timeout: 2_000 });
  const size = options.size ?? 100;
  const host = options.host ?? 'reliability';
  const open = new Map<FactKind, MixedFact[]>();
  let sent = 0;
  const send = async (kind: FactKind, list: MixedFact[]): Promise<void> => {
    const payload = encodeFactBatch({ facts: list.map((f) => f.fact) });
    const msgID = `batch-${list[0]!.fact.id}`;
    for (let attempt = 0; ; attempt++) {
      try {
        await js.publish(subjects.facts(kind, host), payload, { msgID });
        break;
      } catch (error) {
        if (attempt > 600) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    sent += list.length;
    await options.onProgress?.(sent);
  };
  for (const f of facts) {
    const list = open.get(f.kind) ?? [];
    list.push(f);
    open.set(f.kind, list);
    if (list.length === size) {
      open.set(f.kind, []);
      await send(f.kind, list);
    }
  }
  for (const [kind, list] of open) if (list.length > 0) await send(kind, list);
}

/** Polls until `done()` holds; the message names what was awaited. */
export async function eventually(what: string, done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
