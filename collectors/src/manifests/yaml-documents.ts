import { parseAllDocuments } from 'yaml';

/** One YAML document of a stream: its value, or why it could not be read. */
export type YamlDocument = { index: number; value: unknown } | { index: number; error: string };

/**
 * Splits a multi-document YAML stream. A document with a syntax error is
 * reported on its own; the documents around it are still returned. Empty
 * documents (a trailing `---`) are dropped but keep their place in the count.
 * `<<` merge keys are honoured (compose files lean on them).
 */
export function yamlDocuments(text: string): YamlDocument[] {
  const parsed = parseAllDocuments(text, { merge: true, prettyErrors: false, uniqueKeys: false });
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
      if (value !== null && value !== undefined) out.push({ index, value });
    } catch (error) {
      out.push({ index, error: firstLine((error as Error).message) });
    }
  });
  return out;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
