import { decodeFactBatch, RUNTIME_KINDS, toPolicyInput, v1, type FactInit, type FactKind, type PolicyInput } from '../../../proto/src/index.js';
import type { ContextPart } from '../policy/rules.js';

/** One change of the latest facts: the key and the fact (a one-fact FactBatch), or null when it was deleted. */
export type ContextEntry = [key: string, value: Uint8Array | null];

/** Key safe in a KV bucket and a NATS subject token: letters, digits, '-', '_', '='. */
const token = (value: string): string => value.replace(/[^A-Za-z0-9_=-]/g, '_');

/** The key under which a fact is the context of others, if its kind is context. */
export function contextKeyOf(kind: FactKind, fact: FactInit): string | undefined {
  if (kind === 'container' && fact.container?.id) return `container.${token(fact.container.id)}`;
  if (kind === 'image' && fact.image?.id) return `image.${token(fact.image.id)}`;
  if (kind === 'host' && fact.source?.host) return `host.${token(fact.source.host)}`;
  return undefined;
}

/** The context part a fact of this kind provides. */
export const partOfKind = (kind: FactKind): ContextPart | undefined =>
  kind === 'container' || kind === 'image' || kind === 'host' ? kind : undefined;

/** The fact as stored: a one-fact FactBatch, the wire's own framing. */
export const contextValueOf = (fact: FactInit): Uint8Array => v1.FactBatch.encode({ facts: [fact] }).finish();

interface Held {
  bytes: Uint8Array;
  /** The policy input of the fact, decoded on first use. */
  input?: PolicyInput;
}

const RUNTIME: ReadonlySet<FactKind> = new Set(RUNTIME_KINDS);

/**
 * A worker's copy of the latest container, image and host facts, kept by the
 * main thread, and what attaches them to a fact as `input.context`. Values are
 * decoded once, on first use.
 */
export class ContextCache {
  private readonly held = new Map<string, Held>();
  private profiles: Record<string, unknown> = {};

  /** The profiles of the data the worker judges with (`vigil.profiles`: hand-written, and learned ones once enforcing). */
  setData(overlay: Record<string, unknown>): void {
    const profiles = (overlay.vigil as { profiles?: unknown } | undefined)?.profiles;
    this.profiles = profiles !== null && typeof profiles === 'object' ? (profiles as Record<string, unknown>) : {};
  }

  apply(entries: readonly ContextEntry[]): void {
    for (const [key, value] of entries) {
      if (value === null) this.held.delete(key);
      else this.held.set(key, { bytes: value });
    }
  }

  get size(): number {
    return this.held.size;
  }

  /**
   * Sets `input.context` to the parts in `needs` that apply to this fact and
   * are held; returns the ones that apply and are not (also in `context.missing`).
   */
  attach(kind: FactKind, input: PolicyInput, needs: ReadonlySet<ContextPart>): ContextPart[] {
    const context: Record<string, unknown> = {};
    const missing: ContextPart[] = [];
    const want = (part: ContextPart, key: string | undefined, pick: (i: PolicyInput) => unknown): unknown => {
      if (!needs.has(part) || key === undefined) return undefined;
      const found = this.lookup(key);
      if (found === undefined) {
        missing.push(part);
        return undefined;
      }
      return (context[part] = pick(found));
    };
    const record = input as unknown as Record<string, { container?: { id?: string; host?: boolean; image_id?: string; workload?: string } } | undefined>;
    if (RUNTIME.has(kind)) {
      const ref = record[kind]?.container;
      const inContainer = ref !== undefined && ref.host !== true && Boolean(ref.id);
      const container = inContainer ? (want('container', `container.${token(ref.id!)}`, (i) => i.container) as { image_id?: string } | undefined) : undefined;
      const imageId = ref?.image_id || container?.image_id;
      if (inContainer) want('image', imageId ? `image.${token(imageId)}` : undefined, (i) => i.image);
      // A workload without a profile lacks nothing: it has none.
      const profile = ref?.workload ? this.profiles[ref.workload] : undefined;
      if (needs.has('profile') && profile !== undefined) context.profile = profile;
    } else if (kind === 'container') {
      const imageId = (input as { container?: { image_id?: string } }).container?.image_id;
      want('image', imageId ? `image.${token(imageId)}` : undefined, (i) => i.image);
    }
    const host = (input as { source?: { host?: string } }).source?.host;
    if (kind !== 'host') want('host', host ? `host.${token(host)}` : undefined, (i) => i.host);
    if (missing.length > 0) context.missing = missing;
    if (Object.keys(context).length > 0) (input as unknown as Record<string, unknown>).context = context;
    return missing;
  }

  private lookup(key: string): PolicyInput | undefined {
    const held = this.held.get(key);
    if (held === undefined) return undefined;
    if (held.input === undefined) {
      const fact = decodeFactBatch(held.bytes).facts[0];
      if (fact === undefined) return undefined;
      held.input = toPolicyInput(fact);
    }
    return held.input;
  }
}
