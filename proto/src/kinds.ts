/** Every kind of fact Vigil carries, as named by the `kind` oneof of `Fact`. */
export const FACT_KINDS = [
  'host',
  'container',
  'image',
  'process_exec',
  'file_access',
  'network_connection',
  'privilege_change',
  'syscall_set',
  'dockerfile',
] as const;

export type FactKind = (typeof FACT_KINDS)[number];

/** Fact kinds produced by the runtime collector; their rules live under `vigil.runtime`. */
export const RUNTIME_KINDS: readonly FactKind[] = [
  'process_exec',
  'file_access',
  'network_connection',
  'privilege_change',
  'syscall_set',
];

export function isFactKind(value: string): value is FactKind {
  return (FACT_KINDS as readonly string[]).includes(value);
}

export const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type SeverityName = (typeof SEVERITIES)[number];

export function isSeverityName(value: string): value is SeverityName {
  return (SEVERITIES as readonly string[]).includes(value);
}

/** Ordinal for comparisons: LOW < MEDIUM < HIGH < CRITICAL. Unknown is below LOW. */
export function severityRank(severity: string): number {
  return (SEVERITIES as readonly string[]).indexOf(severity.toUpperCase());
}
