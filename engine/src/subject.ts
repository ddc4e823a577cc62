import type { FactKind, PolicyInput, SubjectInit } from '../../proto/src/index.js';

type Obj = Record<string, unknown>;

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

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
