import fs from 'node:fs';
import path from 'node:path';
import { FACT_KINDS, FACT_SCHEMA_FILE, encodeFactBatch, schemaDirectory, subjects, type FactInit, type FactKind } from '../../../proto/src/index.js';
import type { PolicySet } from '../policy/policy-set.js';
import { judgeMessages, type FactMessage } from './judge.js';

/** A JSON Schema node as proto/scripts/gen-schemas.mjs writes them. */
interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  enum?: unknown[];
}

/** Facts per exemplar message: one batch-entrypoint call's worth. */
const FACTS_PER_MESSAGE = 32;

/**
 * How long a worker judges exemplar facts before it takes real ones. The first
 * few thousand facts run on unoptimised JavaScript (decoding, input conversion,
 * the SDK's JSON, encoding): per-fact CPU settles only after 6-8k facts, about
 * a second of one core. 300 ms bought one or two rounds on a busy machine, and
 * the cold first second then set the bench's p99 at half load (median 192 ms
 * against 45 ms with this budget). 36 rounds = 8,064 facts. A new bundle set
 * warms up before it takes over, so no fact waits on it.
 */
export const WARMUP_BUDGET_MS = 1_500;
const WARMUP_MAX_ROUNDS = 36;

/**
 * One fact of every kind with every field of the policy input schema set
 * (strings, numbers, flags, lists of two, maps of two, enums), so decoding,
 * conversion, evaluation and encoding all run through their whole code paths.
 * Empty when the schema cannot be read: warming up is an optimisation.
 */
export function exemplarFacts(schemaFile = path.join(schemaDirectory(), FACT_SCHEMA_FILE)): FactInit[] {
  let schema: SchemaNode;
  try {
    schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as SchemaNode;
  } catch {
    return [];
  }
  const envelope = schema.properties ?? {};
  const facts: FactInit[] = [];
  for (const kind of FACT_KINDS) {
    const body = envelope[kind];
    if (body === undefined) continue;
    const fact: Record<string, unknown> = {};
    for (const [name, node] of Object.entries(envelope)) {
      if (name === 'kind' || ((FACT_KINDS as readonly string[]).includes(name) && name !== kind)) continue;
      fact[name] = exemplar(node, name);
    }
    facts.push(fact as FactInit);
  }
  return facts;
}

function exemplar(node: SchemaNode, name: string): unknown {
  if (node.enum !== undefined) return node.enum[Math.min(1, node.enum.length - 1)];
  switch (node.type) {
    case 'string':
      return `${name}-1`;
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return node.items === undefined ? [] : [exemplar(node.items, name), exemplar(node.items, `${name}-2`)];
    case 'object': {
      if (node.properties !== undefined) {
        return Object.fromEntries(Object.entries(node.properties).map(([key, child]) => [key, exemplar(child, key)]));
      }
      const values = node.additionalProperties;
      if (typeof values === 'object') return { [`${name}-a`]: exemplar(values, name), [`${name}-b`]: exemplar(values, name) };
      return {};
    }
    default:
      return null;
  }
}

/** Exemplar facts as the messages a collector would publish: one batch per kind. */
export function exemplarMessages(facts: readonly FactInit[]): FactMessage[] {
  return facts.map((fact, k) => {
    const kind = (FACT_KINDS as readonly FactKind[]).find((name) => fact[name] != null) ?? 'host';
    const batch = Array.from({ length: FACTS_PER_MESSAGE }, (_, i) => ({ ...fact, id: `warmup-${k}-${i}` }));
    return { subject: subjects.facts(kind, 'warmup'), data: encodeFactBatch({ facts: batch }) };
  });
}

/**
 * Judges exemplar facts (and throws the judgements away) until the budget is
 * spent, so the hot path is optimised before the first real fact arrives.
 * Returns how many facts it judged.
 */
export function warmUp(policies: PolicySet, messages: readonly FactMessage[], budgetMs = WARMUP_BUDGET_MS): number {
  if (messages.length === 0 || budgetMs <= 0) return 0;
  const deadline = performance.now() + budgetMs;
  let facts = 0;
  for (let round = 0; round < WARMUP_MAX_ROUNDS && performance.now() < deadline; round++) {
    facts += judgeMessages(policies, messages).counts.facts;
  }
  return facts;
}
