/**
 * Resource quantities. Kubernetes: `128Mi`, `0.5Gi`, `500m`, `1e3` (binary
 * suffixes Ki…Ei, decimal n u m k M G T P E). Compose: `512m`, `1g`, `1.5gb`
 * (binary multiples, as Docker's go-units RAMInBytes reads them).
 */
const K8S_SUFFIX: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const K8S_QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/;

/** A Kubernetes quantity as a number of base units, or undefined when malformed. */
export function parseKubernetesQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = K8S_QUANTITY.exec(value.trim());
  if (!match) return undefined;
  const base = Number(match[1]);
  if (match[2] !== undefined) return Number(`${match[1]}${match[2]}`);
  return base * (K8S_SUFFIX[match[3] ?? ''] ?? 1);
}

/** Memory: bytes, rounded up the way resource.Quantity.Value() does. */
export function kubernetesBytes(value: unknown): number | undefined {
  const quantity = parseKubernetesQuantity(value);
  return quantity === undefined ? undefined : Math.ceil(quantity);
}

/** CPU: cores → nano-CPUs (Docker's NanoCpus unit). */
export function kubernetesNanoCpus(value: unknown): number | undefined {
  const quantity = parseKubernetesQuantity(value);
  return quantity === undefined ? undefined : Math.round(quantity * 1e9);
}

/** kubelet's MilliCPUToShares: 1 core = 1024 shares, at least 2. */
export function kubernetesCpuShares(value: unknown): number | undefined {
  const quantity = parseKubernetesQuantity(value);
  if (quantity === undefined) return undefined;
  const milli = Math.ceil(quantity * 1000);
  return Math.max(2, Math.floor((milli * 1024) / 1000));
}

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

/** Compose/Docker byte values: `512m`, `1g`, `1.5GB`, `2GiB`, or a plain number of bytes. */
export function composeBytes(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.round(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$/i.exec(value.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * (BYTE_UNITS[(match[2] ?? '').toLowerCase()] ?? 1));
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go durations as compose writes them (`1m30s`, `500ms`) → milliseconds. */
export function composeDurationMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  let total = 0;
  let rest = trimmed;
  while (rest !== '') {
    const match = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * (DURATION_UNITS[match[2] ?? ''] ?? 0);
    rest = rest.slice(match[0].length);
  }
  return Math.round(total);
}
