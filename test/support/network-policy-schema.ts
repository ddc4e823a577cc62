/**
 * Structural validation of a Kubernetes NetworkPolicy (networking.k8s.io/v1)
 * as the API server's OpenAPI schema and validation define it: known fields
 * only, required fields present, label, name, CIDR and port syntax. Returns
 * the problems, [] when valid.
 */
export function validNetworkPolicy(doc: unknown): string[] {
  const problems: string[] = [];
  const at = (where: string, problem: string) => problems.push(`${where}: ${problem}`);
  const object = (value: unknown, where: string, known: readonly string[], required: readonly string[] = []): value is Record<string, unknown> => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      at(where, 'must be an object');
      return false;
    }
    for (const key of Object.keys(value)) if (!known.includes(key)) at(where, `unknown field ${key}`);
    for (const key of required) if (!(key in value)) at(where, `${key} is required`);
    return true;
  };
  const list = (value: unknown, where: string): unknown[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      at(where, 'must be a list');
      return [];
    }
    return value;
  };
  const labelSelector = (value: unknown, where: string) => {
    if (!object(value, where, ['matchLabels', 'matchExpressions'])) return;
    if (value.matchLabels !== undefined && object(value.matchLabels, `${where}.matchLabels`, Object.keys(value.matchLabels as object))) {
      for (const [k, v] of Object.entries(value.matchLabels)) {
        if (!labelKey(k)) at(`${where}.matchLabels`, `invalid label key ${k}`);
        if (typeof v !== 'string' || !labelValue(v)) at(`${where}.matchLabels`, `invalid label value ${JSON.stringify(v)} of ${k}`);
      }
    }
    list(value.matchExpressions, `${where}.matchExpressions`).forEach((e, i) => {
      const w = `${where}.matchExpressions[${i}]`;
      if (!object(e, w, ['key', 'operator', 'values'], ['key', 'operator'])) return;
      if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(String(e.operator))) at(w, `invalid operator ${String(e.operator)}`);
    });
  };
  const peer = (value: unknown, where: string) => {
    if (!object(value, where, ['podSelector', 'namespaceSelector', 'ipBlock'])) return;
    const keys = Object.keys(value);
    if (keys.length === 0) at(where, 'must set podSelector, namespaceSelector or ipBlock');
    if ('ipBlock' in value && keys.length > 1) at(where, 'ipBlock cannot be combined with selectors');
    if (value.podSelector !== undefined) labelSelector(value.podSelector, `${where}.podSelector`);
    if (value.namespaceSelector !== undefined) labelSelector(value.namespaceSelector, `${where}.namespaceSelector`);
    if (value.ipBlock !== undefined && object(value.ipBlock, `${where}.ipBlock`, ['cidr', 'except'], ['cidr'])) {
      if (!cidr(value.ipBlock.cidr)) at(`${where}.ipBlock`, `invalid cidr ${String(value.ipBlock.cidr)}`);
      for (const e of list(value.ipBlock.except, `${where}.ipBlock.except`)) if (!cidr(e)) at(`${where}.ipBlock.except`, `invalid cidr ${String(e)}`);
    }
  };
  const port = (value: unknown, where: string) => {
    if (!object(value, where, ['protocol', 'port', 'endPort'])) return;
    if (value.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(String(value.protocol))) at(where, `invalid protocol ${String(value.protocol)}`);
    const p = value.port;
    if (p !== undefined && !(Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535) && !(typeof p === 'string' && /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(p))) at(where, `invalid port ${String(p)}`);
    if (value.endPort !== undefined && !(Number.isInteger(value.endPort) && Number.isInteger(p) && (value.endPort as number) >= (p as number))) at(where, 'endPort needs a numeric port not above it');
  };
  const rules = (value: unknown, where: string, peers: 'from' | 'to') =>
    list(value, where).forEach((rule, i) => {
      const w = `${where}[${i}]`;
      if (!object(rule, w, [peers, 'ports'])) return;
      list(rule[peers], `${w}.${peers}`).forEach((p, j) => peer(p, `${w}.${peers}[${j}]`));
      list(rule.ports, `${w}.ports`).forEach((p, j) => port(p, `${w}.ports[${j}]`));
    });

  if (!object(doc, '$', ['apiVersion', 'kind', 'metadata', 'spec'], ['apiVersion', 'kind', 'metadata', 'spec'])) return problems;
  if (doc.apiVersion !== 'networking.k8s.io/v1') at('$.apiVersion', 'must be networking.k8s.io/v1');
  if (doc.kind !== 'NetworkPolicy') at('$.kind', 'must be NetworkPolicy');
  if (object(doc.metadata, '$.metadata', ['name', 'namespace', 'labels', 'annotations'], ['name'])) {
    const m = doc.metadata;
    if (typeof m.name !== 'string' || m.name.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(m.name)) at('$.metadata.name', `not a DNS-1123 subdomain: ${String(m.name)}`);
    if (m.namespace !== undefined && (typeof m.namespace !== 'string' || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(m.namespace))) at('$.metadata.namespace', 'not a DNS-1123 label');
    for (const field of ['labels', 'annotations'] as const) {
      if (m[field] !== undefined && object(m[field], `$.metadata.${field}`, Object.keys(m[field] as object))) {
        for (const [k, v] of Object.entries(m[field] as object)) if (!labelKey(k) || typeof v !== 'string') at(`$.metadata.${field}`, `invalid entry ${k}`);
      }
    }
  }
  if (object(doc.spec, '$.spec', ['podSelector', 'policyTypes', 'ingress', 'egress'], ['podSelector'])) {
    labelSelector(doc.spec.podSelector, '$.spec.podSelector');
    const types = list(doc.spec.policyTypes, '$.spec.policyTypes');
    for (const t of types) if (t !== 'Ingress' && t !== 'Egress') at('$.spec.policyTypes', `invalid type ${String(t)}`);
    if (new Set(types).size !== types.length) at('$.spec.policyTypes', 'duplicates');
    rules(doc.spec.ingress, '$.spec.ingress', 'from');
    rules(doc.spec.egress, '$.spec.egress', 'to');
  }
  return problems;
}

function labelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix && (prefix.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(prefix))) return false;
  return /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(name);
}

function labelValue(value: string): boolean {
  return value === '' || /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(value);
}

function cidr(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (v4) return v4.slice(1, 5).every((o) => Number(o) <= 255) && Number(v4[5]) <= 32;
  const v6 = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(value);
  return !!v6 && v6[1]!.includes(':') && Number(v6[2]) <= 128;
}
