import type { FileKind } from './types.js';
import { record, text } from './values.js';
import { yamlDocuments } from './yaml-documents.js';

/**
 * What a file holds, from its content:
 * - 'docker-inspect': a JSON array of objects with `Id`, `HostConfig` and `Config`;
 * - 'compose': a top-level `services:` map;
 * - 'kubernetes': some document (or List item) with `apiVersion` and `kind`;
 * - 'unknown': anything else, including text that is not YAML at all.
 */
export function detectFileKind(content: string): FileKind {
  const documents = yamlDocuments(content).flatMap((document) => ('value' in document ? [document.value] : []));
  const first = documents[0];
  if (Array.isArray(first)) {
    const inspect = first.length > 0 && first.every((item) => {
      const object = record(item);
      return object !== undefined && 'Id' in object && record(object.HostConfig) !== undefined && record(object.Config) !== undefined;
    });
    return inspect ? 'docker-inspect' : 'unknown';
  }
  if (documents.length === 1 && record(record(first)?.services)) return 'compose';
  if (documents.some(isKubernetesObject)) return 'kubernetes';
  return 'unknown';
}

function isKubernetesObject(value: unknown): boolean {
  const object = record(value);
  return object !== undefined && text(object.apiVersion) !== undefined && text(object.kind) !== undefined;
}
