import { declaredExceptionsIn } from './declared-exceptions.js';
import { manifestErrorMessage } from './errors.js';
import { containersOf, normaliseKubernetesContainer, workloadName, type QuantityProblem } from './kubernetes-normalise.js';
import { podTemplatesOf } from './kubernetes-workloads.js';
import type { ManifestContainer, ManifestError, ManifestScan } from './types.js';
import { stringMap, text } from './values.js';
import { pathSegments, yamlDocuments } from './yaml-documents.js';

export interface ManifestOptions {
  /** RuntimeClass/runtime names that count as sandboxed (default DEFAULT_SANDBOXED_RUNTIMES). */
  sandboxedRuntimes?: readonly string[];
}

/**
 * Kubernetes manifests (multi-document YAML or JSON) → one ContainerFact per
 * init, regular and ephemeral container of every Pod, Deployment, StatefulSet,
 * DaemonSet, ReplicaSet, ReplicationController, Job and CronJob, including
 * those inside a `List`. Other kinds are ignored. A document that cannot be
 * parsed becomes an error value; the others are still read. The pod template's
 * `vigil.dev/exceptions` annotation becomes each container's
 * declared_exceptions; a malformed line of it is an error value.
 */
export function parseKubernetesManifests(content: string, file: string, options: ManifestOptions = {}): ManifestScan {
  const containers: ManifestContainer[] = [];
  const errors: ManifestError[] = [];
  for (const document of yamlDocuments(content)) {
    if ('error' in document) {
      errors.push(error(file, document.index, 'VIGIL_ERR_MANIFEST_YAML', document.error));
      continue;
    }
    const { templates, problems } = podTemplatesOf(document.value);
    for (const problem of problems) errors.push(error(file, document.index, 'VIGIL_ERR_MANIFEST_SHAPE', problem));
    for (const template of templates) {
      const position = template.item === undefined ? `${document.index}` : `${document.index}.${template.item}`;
      const declared = declaredExceptionsIn(stringMap(template.annotations));
      for (const problem of declared.problems) {
        errors.push(error(file, document.index, 'VIGIL_ERR_MANIFEST_EXCEPTION', `${template.kind} ${template.name}`, problem));
      }
      for (const slot of containersOf(template)) {
        const name = text(slot.container.name) ?? '';
        const quantities: QuantityProblem[] = [];
        const fact = normaliseKubernetesContainer(template, slot, `${file}#${position}/${name}`, {
          problems: quantities,
          ...(options.sandboxedRuntimes ? { sandboxedRuntimes: options.sandboxedRuntimes } : {}),
        });
        if (declared.exceptions.length > 0) fact.declared_exceptions = declared.exceptions.map((e) => ({ ...e, rules: [...(e.rules ?? [])] }));
        for (const problem of quantities) {
          errors.push(error(file, document.index, 'VIGIL_ERR_MANIFEST_QUANTITY', `${slot.path}.${problem.field}`, JSON.stringify(problem.value)));
        }
        const line = document.lineAt(pathSegments(slot.path));
        containers.push({ fact, source: file, document: document.index, workload: workloadName(template), ...(line !== undefined ? { line } : {}) });
      }
    }
  }
  return { containers, errors };
}

function error(
  file: string,
  document: number,
  code: 'VIGIL_ERR_MANIFEST_YAML' | 'VIGIL_ERR_MANIFEST_SHAPE' | 'VIGIL_ERR_MANIFEST_QUANTITY' | 'VIGIL_ERR_MANIFEST_EXCEPTION',
  ...details: string[]
): ManifestError {
  return { file, document, code, message: manifestErrorMessage(code, file, document, ...details) };
}
