import type { FactKind, PolicyInput, SubjectInit } from '../../proto/src/index.js';

type Obj = Record<string, unknown>;

/**
 * Subjects travel in every verdict and alert: a hostile fact with a huge name must
 * not make them exceed the server's maximum payload.
 */
export const MAX_SUBJECT_FIELD = 512;

const str = (value: unknown): string => (typeof value === 'string' ? clamp(value, MAX_SUBJECT_FIELD) : '');

/** Cuts a string to `max` characters, saying how much was cut. */
export function clamp(value: string, max: number): string {
  if (value.length <= max) return value;
  const note = `…[${value.length - max} more]`;
  return value.slice(0, Math.max(0, max - note.length)) + note;
}

/** What a fact is about, for findings and alerts: a container, an image, a host. */
export function subjectOf(input: PolicyInput, kind: FactKind, source: string): SubjectInit {
  const fact = (input[kind] as Obj | null | undefined) ?? {};
  switch (kind) {
    case 'container':
      return { kind, name: str(fact.name), id: str(fact.id), image: str(fact.image), source };
    case 'image': {
      const tags = (fact.repo_tags as string[] | undefined) ?? [];
      return { kind, name: str(fact.reference) || tags[0] || str(fact.id), id: str(fact.id), image: tags[0] ?? str(fact.reference), source };
    }
    case 'host':
      return { kind, name: str(fact.hostname) || source, id: str(fact.hostname), image: '', source };
    case 'dockerfile': {
      const stages = (fact.stages as Obj[] | undefined) ?? [];
      return { kind, name: str(fact.path) || source, id: str(fact.path), image: str(stages[stages.length - 1]?.base), source };
    }
    default: {
      const container = (fact.container as Obj | null | undefined) ?? {};
      const host = container.host === true || str(container.id) === '';
      return {
        kind,
        name: host ? `host:${source}` : str(container.name) || str(container.id),
        id: str(container.id),
        image: str(container.image),
        source,
      };
    }
  }
}
