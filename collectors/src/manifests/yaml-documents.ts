import { isMap, isNode, isScalar, LineCounter, parseAllDocuments } from 'yaml';

/**
 * One YAML document of a stream: its value, or why it could not be read. A
 * value knows the 1-based line where any node of it starts (`lineAt`), so
 * findings can point at the manifest line they are about.
 */
export type YamlDocument = { index: number; value: unknown; lineAt(path: ReadonlyArray<string | number>): number | undefined } | { index: number; error: string };

/** `spec.template.spec.containers[0]` → ['spec', 'template', 'spec', 'containers', 0]. */
export function pathSegments(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const index of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(index[1]));
  }
  return out;
}

/**
 * Splits a multi-document YAML stream. A document with a syntax error is
 * reported on its own; the documents around it are still returned. Empty
 * documents (a trailing `---`) are dropped but keep their place in the count.
 * `<<` merge keys are honoured (compose files lean on them).
 */
export function yamlDocuments(text: string): YamlDocument[] {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { merge: true, prettyErrors: false, uniqueKeys: false, lineCounter });
  if (!Array.isArray(parsed)) return [];
  const out: YamlDocument[] = [];
  parsed.forEach((document, index) => {
    const first = document.errors[0];
    if (first) {
      out.push({ index, error: firstLine(first.message) });
      return;
    }
    try {
      const value: unknown = document.toJS({ maxAliasCount: 1000 });
      // A map entry's line is its key's (`web:`), a list item's its own (`- name: app`).
      const lineAt = (path: ReadonlyArray<string | number>): number | undefined => {
        const last = path[path.length - 1];
        const parent: unknown = path.length <= 1 ? document.contents : document.getIn(path.slice(0, -1), true);
        const pair = typeof last === 'string' && isMap(parent) ? parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === last) : undefined;
        const node: unknown = pair && isNode(pair.key) ? pair.key : path.length === 0 ? document.contents : document.getIn(path, true);
        const start = isNode(node) ? node.range?.[0] : undefined;
        return start === undefined ? undefined : lineCounter.linePos(start).line;
      };
      if (value !== null && value !== undefined) out.push({ index, value, lineAt });
    } catch (error) {
      out.push({ index, error: firstLine((error as Error).message) });
    }
  });
  return out;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
