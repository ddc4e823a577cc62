import path from 'node:path';
import { interpolateCompose } from './compose-interpolate.js';
import { normaliseComposeService } from './compose-normalise.js';
import { fieldProbe } from './field-probe.js';
import { declaredExceptionsIn } from './declared-exceptions.js';
import { collectorMessage } from '../errors.js';
import type { ManifestContainer, ManifestError, ManifestScan } from './types.js';
import { record, text } from './values.js';
import { yamlDocuments } from './yaml-documents.js';

export interface ComposeOptions {
  /**
   * Variables for `${VAR}` interpolation. Default: none, so a scan reads the
   * file's own defaults (`${VAR:-default}`) and is the same on every machine.
   */
  env?: Readonly<Record<string, string>>;
  /** Runtime names that count as sandboxed (default DEFAULT_SANDBOXED_RUNTIMES). */
  sandboxedRuntimes?: readonly string[];
}

/**
 * A compose file (v2, v3 or the Compose Specification) → one ContainerFact
 * per service. A service that is not a map is reported and skipped. The
 * service's `vigil.dev/exceptions` label becomes its declared_exceptions; a
 * malformed line of it is an error value.
 */
export function parseComposeFile(content: string, file: string, options: ComposeOptions = {}): ManifestScan {
  const containers: ManifestContainer[] = [];
  const errors: ManifestError[] = [];
  const documents = yamlDocuments(content);
  const first = documents[0];
  if (!first) return { containers, errors };
  if ('error' in first) {
    const message = collectorMessage('VIGIL_ERR_MANIFEST_YAML', file, first.index, first.error);
    return { containers, errors: [{ file, document: first.index, code: 'VIGIL_ERR_MANIFEST_YAML', message }] };
  }
  const root = record(interpolateCompose(first.value, options.env));
  const services = record(root?.services);
  if (!root || !services) {
    const message = collectorMessage('VIGIL_ERR_COMPOSE_SHAPE', file, 'no top-level "services" map');
    return { containers, errors: [{ file, document: first.index, code: 'VIGIL_ERR_COMPOSE_SHAPE', message }] };
  }
  const project = {
    name: projectName(root, file),
    file,
    volumes: record(root.volumes) ?? {},
    ...(options.sandboxedRuntimes ? { sandboxedRuntimes: options.sandboxedRuntimes } : {}),
  };
  for (const [service, definition] of Object.entries(services)) {
    const map = record(definition) ?? (definition === null ? {} : undefined);
    if (!map) {
      const message = collectorMessage('VIGIL_ERR_COMPOSE_SHAPE', file, `service "${service}" is not a map`);
      errors.push({ file, document: first.index, code: 'VIGIL_ERR_COMPOSE_SHAPE', message });
      continue;
    }
    const fact = normaliseComposeService(service, map, project);
    const declared = declaredExceptionsIn(fact.labels ?? {});
    if (declared.exceptions.length > 0) fact.declared_exceptions = declared.exceptions;
    for (const problem of declared.problems) {
      const message = collectorMessage('VIGIL_ERR_MANIFEST_EXCEPTION', file, first.index, `service "${service}"`, problem);
      errors.push({ file, document: first.index, code: 'VIGIL_ERR_MANIFEST_EXCEPTION', message });
    }
    const line = first.lineAt(['services', service]);
    const probe = fieldProbe(map, [{ path: [], skip: new Set(['container_name']) }], (p) => first.lineAt(['services', service, ...p]), (changed) =>
      normaliseComposeService(service, record(changed) ?? {}, project),
    );
    containers.push({
      fact,
      source: file,
      document: first.index,
      workload: `${project.name}/${service}`,
      probe,
      ...(line !== undefined ? { line } : {}),
    });
  }
  return { containers, errors };
}

/** Top-level `name:`, else the directory's name, normalised as compose does. */
export function projectName(root: Record<string, unknown>, file: string): string {
  const declared = text(root.name);
  const raw = declared || path.basename(path.dirname(path.resolve(file)));
  return raw.toLowerCase().replace(/[^a-z0-9_-]/g, '') || 'default';
}
