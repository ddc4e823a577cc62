import { isIP } from 'node:net';
import { WORKLOAD_LABEL } from '../../../proto/src/index.js';
import type { Profile } from '../profiles/model.js';
import { hardeningName, stableLabels } from './workload-facts.js';

/** One peer of a profile: a workload (by its profile) or an address, and a port. */
interface Flow {
  protocol: 'TCP' | 'UDP';
  port: number;
  workload?: string;
  address?: string;
}

const DNS_PORT = 53;

/** `tcp/compose:app/db:5432` or `udp/10.0.0.2:53` → its parts; undefined for what is not TCP/UDP. */
export function parsePeer(key: string): Flow | undefined {
  const slash = key.indexOf('/');
  const colon = key.lastIndexOf(':');
  const protocol = key.slice(0, slash).toUpperCase();
  const port = Number(key.slice(colon + 1));
  const target = key.slice(slash + 1, colon);
  if ((protocol !== 'TCP' && protocol !== 'UDP') || !Number.isInteger(port) || port <= 0 || target === '') return undefined;
  return isIP(target) !== 0 ? { protocol, port, address: target } : { protocol, port, workload: target };
}

const loopback = (address: string): boolean => address.startsWith('127.') || address === '::1';

/** The workload's outbound flows, without loopback (traffic inside the pod) and DNS (always allowed). */
export function outboundFlows(profile: Profile): Flow[] {
  return Object.keys(profile.items.peers)
    .map(parsePeer)
    .filter((f): f is Flow => f !== undefined && !(f.address && loopback(f.address)) && f.port !== DNS_PORT);
}

/** Who connects to this workload: the flows of other profiles whose peer is this workload. */
export function inboundFlows(profile: Profile, all: readonly Profile[]): Array<Flow & { from: string }> {
  const out: Array<Flow & { from: string }> = [];
  for (const other of all) {
    if (other.workload === profile.workload) continue;
    for (const flow of outboundFlows(other)) if (flow.workload === profile.workload) out.push({ ...flow, from: other.workload });
  }
  return out;
}

/**
 * Selects a workload's pods. Its identity labels when it has them (compose's
 * project and service, or vigil.dev/workload), else every label its replicas
 * share, else a vigil.dev/workload-name label for the operator to add.
 */
export function selectorOf(profile: Profile | undefined, workload: string): Record<string, string> {
  const labels = profile ? stableLabels(profile) : {};
  const project = labels['com.docker.compose.project'];
  const service = labels['com.docker.compose.service'];
  if (project && service) return { 'com.docker.compose.project': project, 'com.docker.compose.service': service };
  if (labels[WORKLOAD_LABEL]) return { [WORKLOAD_LABEL]: labels[WORKLOAD_LABEL]! };
  if (Object.keys(labels).length > 0) return labels;
  return { 'vigil.dev/workload-name': hardeningName(workload).slice(0, 63).replace(/[^A-Za-z0-9]+$/, '') };
}

function namespaceOf(workload: string): string | undefined {
  return /^k8s:([^/]+)\//.exec(workload)?.[1];
}

type Port = { protocol: 'TCP' | 'UDP'; port: number };
const portsOf = (flows: readonly Flow[]): Port[] =>
  [...new Map(flows.map((f) => [`${f.protocol}/${f.port}`, { protocol: f.protocol, port: f.port }])).values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));

/**
 * A Kubernetes NetworkPolicy (networking.k8s.io/v1) from a learned profile and
 * the profiles of its peers: ingress from the workloads seen connecting to it,
 * on the ports they used; egress to the peers it connected to, by their
 * labels when the peer is a known workload, by /32 (or /128) otherwise; DNS
 * to any resolver. Everything else is denied in both directions.
 */
export function networkPolicy(profile: Profile, all: readonly Profile[]): Record<string, unknown> {
  const byWorkload = new Map(all.map((p) => [p.workload, p]));
  const namespace = namespaceOf(profile.workload);
  const peerSelector = (workload: string): Record<string, unknown> => {
    const peerNamespace = namespaceOf(workload);
    return {
      podSelector: { matchLabels: selectorOf(byWorkload.get(workload), workload) },
      ...(peerNamespace && peerNamespace !== namespace ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': peerNamespace } } } : {}),
    };
  };
  const ingressBy = groupBy(inboundFlows(profile, all), (f) => f.from);
  const ingress = [...ingressBy].sort(([a], [b]) => a.localeCompare(b)).map(([from, flows]) => ({ from: [peerSelector(from)], ports: portsOf(flows) }));
  const egressBy = groupBy(outboundFlows(profile), (f) => f.workload ?? `ip:${f.address}`);
  const egress = [...egressBy].sort(([a], [b]) => a.localeCompare(b)).map(([peer, flows]) => ({
    to: [peer.startsWith('ip:') ? { ipBlock: { cidr: `${peer.slice(3)}/${isIP(peer.slice(3)) === 6 ? 128 : 32}` } } : peerSelector(peer)],
    ports: portsOf(flows),
  }));
  egress.push({ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: DNS_PORT }, { protocol: 'TCP', port: DNS_PORT }] } as never);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: hardeningName(profile.workload).toLowerCase().replace(/[^a-z0-9.-]+/g, '-').slice(0, 253),
      ...(namespace ? { namespace } : {}),
      annotations: { 'vigil.dev/profile': `${profile.workload}@${profile.version}` },
    },
    spec: {
      podSelector: { matchLabels: selectorOf(profile, profile.workload) },
      policyTypes: ['Ingress', 'Egress'],
      ingress,
      egress,
    },
  };
}

/**
 * The same flows for a Docker host: a user-defined network for the
 * application and DOCKER-USER rules that let only the learned flows (and
 * DNS) through between its containers. A shell script; the addresses are
 * looked up when it runs, since containers get new ones when they restart.
 */
export function dockerNetworkPlan(profile: Profile, all: readonly Profile[]): string {
  const network = `${hardeningName(application(profile.workload))}-net`;
  const lines = [
    '#!/bin/sh',
    `# Network plan generated by Vigil from the learned profile of ${profile.workload} (version ${profile.version}).`,
    '# Containers of the application join one user-defined network; DOCKER-USER lets through only',
    '# the flows the profiles learned and DNS, and drops the rest of that network\'s traffic.',
    'set -eu',
    `NET=${shellQuote(network)}`,
    'docker network inspect "$NET" >/dev/null 2>&1 || docker network create "$NET"',
    '# containers of a workload, by the label Vigil identifies it with',
    'ips() { for c in $(docker ps -q --filter "label=$1"); do docker inspect -f "{{(index .NetworkSettings.Networks \\"$NET\\").IPAddress}}" "$c"; done; }',
    'SUBNET=$(docker network inspect -f "{{(index .IPAM.Config 0).Subnet}}" "$NET")',
    `for c in $(docker ps -q --filter ${shellQuote(`label=${labelFilter(profile.workload)}`)}); do docker network connect "$NET" "$c" 2>/dev/null || true; done`,
  ];
  const allow = (fromLabel: string, toLabel: string | undefined, address: string | undefined, flow: Flow): string => {
    const to = toLabel ? `$(ips ${shellQuote(toLabel)})` : shellQuote(address!);
    return `for s in $(ips ${shellQuote(fromLabel)}); do for d in ${to}; do iptables -I DOCKER-USER -s "$s" -d "$d" -p ${flow.protocol.toLowerCase()} --dport ${flow.port} -j ACCEPT; done; done`;
  };
  for (const flow of outboundFlows(profile)) lines.push(allow(labelFilter(profile.workload), flow.workload ? labelFilter(flow.workload) : undefined, flow.address, flow));
  for (const flow of inboundFlows(profile, all)) lines.push(allow(labelFilter(flow.from), labelFilter(profile.workload), undefined, flow));
  lines.push(
    'iptables -I DOCKER-USER -s "$SUBNET" -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    'iptables -A DOCKER-USER -s "$SUBNET" -p udp --dport 53 -j ACCEPT',
    'iptables -A DOCKER-USER -s "$SUBNET" -p tcp --dport 53 -j ACCEPT',
    'iptables -A DOCKER-USER -s "$SUBNET" -j DROP',
    'iptables -A DOCKER-USER -d "$SUBNET" -j DROP',
    '',
  );
  return lines.join('\n');
}

/** The application a workload belongs to: its compose project or Kubernetes namespace, else the workload. */
function application(workload: string): string {
  const compose = /^compose:([^/]+)\//.exec(workload);
  if (compose) return compose[1]!;
  const k8s = /^k8s:([^/]+)\//.exec(workload);
  return k8s ? k8s[1]! : workload;
}

/** The `docker ps --filter label=` form of a workload's identity. */
function labelFilter(workload: string): string {
  const compose = /^compose:([^/]+)\/(.+)$/.exec(workload);
  if (compose) return `com.docker.compose.service=${compose[2]}`;
  const image = /^image:(.+)$/.exec(workload);
  if (image) return `vigil.dev/workload=${workload}`;
  return `vigil.dev/workload=${workload}`;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}
