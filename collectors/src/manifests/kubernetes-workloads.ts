import { record, records, text, type Json } from './values.js';

/** Where each workload kind keeps its pod template, as a path from the object. */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export const WORKLOAD_KINDS: readonly string[] = Object.keys(POD_SPEC_PATHS);

/** A pod as a workload declares it. */
export interface PodTemplate {
  kind: string;
  name: string;
  namespace: string;
  /** The pod's name: a Pod's own, else the workload's (the prefix of generated pod names). */
  pod: string;
  labels: unknown;
  annotations: unknown;
  spec: Json;
  /** Path of `spec` from the document root, e.g. "spec.template.spec". */
  specPath: string;
  /** Position in a List's items, when the document is a List. */
  item?: number;
}

export type WorkloadResult = { templates: PodTemplate[]; problems: string[] };

/**
 * The pod templates of one document: a workload, or a `List`/`…List` of them.
 * Kinds that declare no pods (Service, ConfigMap, …) give nothing.
 */
export function podTemplatesOf(document: unknown): WorkloadResult {
  const root = record(document);
  if (!root) return { templates: [], problems: [] };
  const kind = text(root.kind) ?? '';
  if (kind === 'List' || (kind.endsWith('List') && Array.isArray(root.items))) {
    const result: WorkloadResult = { templates: [], problems: [] };
    records(root.items).forEach((item, index) => {
      const one = workload(item, index);
      result.templates.push(...one.templates);
      result.problems.push(...one.problems);
    });
    return result;
  }
  return workload(root, undefined);
}

function workload(object: Json, item: number | undefined): WorkloadResult {
  const kind = text(object.kind) ?? '';
  const path = POD_SPEC_PATHS[kind];
  if (!path) return { templates: [], problems: [] };
  const metadata = record(object.metadata) ?? {};
  const name = text(metadata.name) ?? '';
  const namespace = text(metadata.namespace) || 'default';
  const where = item === undefined ? '' : `items[${item}].`;
  const label = `${kind} ${name === '' ? '<unnamed>' : name}`;

  let template: Json | undefined = object;
  for (const key of path) template = record(template?.[key]);
  const podMeta = kind === 'Pod' ? metadata : (record(template?.metadata) ?? {});
  const spec = kind === 'Pod' ? template : record(template?.spec);
  const specPath = kind === 'Pod' ? 'spec' : `${path.join('.')}.spec`;
  if (!spec) return { templates: [], problems: [`${label}: ${where}${specPath} is missing or not a map`] };
  const templateName = kind === 'Pod' ? '' : (text(podMeta.name) ?? '');
  const found: PodTemplate = {
    kind,
    name,
    namespace,
    pod: templateName || name,
    labels: podMeta.labels,
    annotations: podMeta.annotations,
    spec: kind === 'StatefulSet' ? withClaimVolumes(spec, record(object.spec)) : spec,
    specPath: `${where}${specPath}`,
  };
  if (item !== undefined) found.item = item;
  return { templates: [found], problems: [] };
}

/**
 * A StatefulSet's volumeClaimTemplates become persistentVolumeClaim volumes of
 * each pod (the controller adds them unless the template declares the name).
 */
function withClaimVolumes(spec: Json, statefulSet: Json | undefined): Json {
  const volumes = records(spec.volumes);
  const names = new Set(volumes.map((volume) => text(volume.name)));
  const claims = records(statefulSet?.volumeClaimTemplates)
    .map((claim) => text(record(claim.metadata)?.name) ?? '')
    .filter((name) => name !== '' && !names.has(name))
    .map((name) => ({ name, persistentVolumeClaim: { claimName: name } }));
  return claims.length === 0 ? spec : { ...spec, volumes: [...volumes, ...claims] };
}
