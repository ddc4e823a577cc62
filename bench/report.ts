import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface ScenarioResult {
  scenario: string;
  /** Flat figures, printed as one JSON line and tabulated in docs/benchmarks.md. */
  metrics: Record<string, number | string>;
  notes?: string[];
}

export function machine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}, ${os.platform()} ${os.release()}`;
}

/** Rewrites docs/benchmarks.md with the results of this run and the command that made them. */
export async function writeMarkdown(file: string, command: string, results: ScenarioResult[]): Promise<void> {
  const lines = [
    '# Benchmarks',
    '',
    'Made by one run of the command below on the machine named; the ratios are what to read,',
    'absolute rates move with the machine and whatever else it was doing. A section marked',
    '"Run on its own" was made later by the command it names (`--only`).',
    '',
    '```',
    command,
    '```',
    '',
    `Machine: ${machine()}. Date: ${new Date().toISOString().slice(0, 10)}.`,
    '',
  ];
  for (const r of results) lines.push(...section(r));
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, lines.join('\n'));
}

function section(r: ScenarioResult, command?: string): string[] {
  const lines = [`## ${r.scenario}`, ''];
  if (command) lines.push(`Run on its own: \`${command}\`, ${new Date().toISOString().slice(0, 10)}, ${machine()}.`, '');
  lines.push('| metric | value |', '|---|---|');
  for (const [k, v] of Object.entries(r.metrics)) lines.push(`| ${k} | ${typeof v === 'number' ? formatNumber(v) : v} |`);
  lines.push('');
  for (const note of r.notes ?? []) lines.push(`- ${note}`);
  if (r.notes?.length) lines.push('');
  return lines;
}

/**
 * Replaces the sections of these scenarios in docs/benchmarks.md (or adds
 * them at the end), each marked with the command that made it: for a
 * scenario run on its own, the rest of the file is left as its full run made it.
 */
export async function updateSections(file: string, command: string, results: ScenarioResult[]): Promise<void> {
  const text = await fs.readFile(file, 'utf8').catch(() => '# Benchmarks\n');
  const parts = text.split(/\n(?=## )/);
  for (const r of results) {
    const body = section(r, command).join('\n');
    const at = parts.findIndex((p) => p.startsWith(`## ${r.scenario}\n`));
    if (at >= 0) parts[at] = body;
    else parts.push(body);
  }
  await fs.writeFile(file, `${parts.join('\n').replace(/\n*$/, '')}\n`);
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(3);
}
