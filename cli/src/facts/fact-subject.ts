import { factKindOf, subjects, type FactInit } from '../../../proto/src/index.js';

/** The subject a collector publishes a fact on (`vigil.facts.<kind>.<host>`); undefined for a fact with no kind. */
export function factSubjectOf(fact: FactInit): string | undefined {
  const kind = factKindOf(fact);
  return kind === undefined ? undefined : subjects.facts(kind, fact.source?.host ?? '');
}
