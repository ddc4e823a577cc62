import { declaredExceptionsIn } from './declared-exceptions.js';
import { collectorMessage } from '../errors.js';
import { fieldProbe } from './field-probe.js';
import { containersOf, normaliseKubernetesContainer, workloadName, type ContainerSlot, type QuantityProblem } from './kubernetes-normalise.js';
import { podTemplatesOf, type PodTemplate } from './kubernetes-workloads.js';
import type { ContainerFactInit, ManifestContainer, ManifestError, ManifestScan } from './types.js';
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
        const slotPath = pathSegments(slot.path);
        const line = document.lineAt(slotPath);
        const probe = fieldProbe(
          document.value,
          [
            { path: slotPath, skip: new Set(['name']) },
            { path: pathSegments(template.specPath), skip: new Set(['containers', 'initContainers', 'ephemeralContainers']) },
          ],
          document.lineAt,
          (changed) => renormalise(changed, template, slot, fact.id ?? '', options),
        );
        containers.push({ fact, source: file, document: document.index, workload: workloadName(template), probe, ...(line !== undefined ? { line } : {}) });
      }
    }
  }
  return { containers, errors };
}

/** The same container of the same template, from a changed copy of its document. */
function renormalise(root: unknown, template: PodTemplate, slot: ContainerSlot, id: string, options: ManifestOptions): ContainerFactInit | undefined {
  const same = podTemplatesOf(root).templates.find((t) => t.item === template.item && t.kind === template.kind && t.name === template.name);
  const again = same ? containersOf(same).find((s) => s.path === slot.path) : undefined;
  if (!same || !again) return undefined;
  return normaliseKubernetesContainer(same, again, id, options.sandboxedRuntimes ? { sandboxedRuntimes: options.sandboxedRuntimes } : {});
}

function error(
  file: string,
  document: number,
  code: 'VIGIL_ERR_MANIFEST_YAML' | 'VIGIL_ERR_MANIFEST_SHAPE' | 'VIGIL_ERR_MANIFEST_QUANTITY' | 'VIGIL_ERR_MANIFEST_EXCEPTION',
  ...details: string[]
): ManifestError {
  return { file, document, code, message: collectorMessage(code, file, document, ...details) };
}
