import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../engine/src/index.js';
import type { ScenarioResult } from '../report.js';
import { benchImage, DEBIAN_PACKAGES, type BenchImage } from '../support/bench-image.js';
import { archiveLayers, readLayers, readLayersWithShell, type ArchiveLayer, type LayerReadFigures } from '../support/layer-read.js';
import { runMeasured, type MeasuredRun } from '../support/run-measured.js';
import type { ScanChildReport } from '../support/scan-child.js';

export const TRIVY_VERSION = 'v0.67.2';
export const TRIVY_INSTALL = `GOEXPERIMENT=jsonv2 GOBIN=~/.cache/vigil/bin go install github.com/aquasecurity/trivy/cmd/trivy@${TRIVY_VERSION} (if the module proxy refuses the @v/list query go install makes, build it from a throw-away module that requires trivy ${TRIVY_VERSION}: go build -mod=mod -o ~/.cache/vigil/bin/trivy github.com/aquasecurity/trivy/cmd/trivy)`;

const MB = 2 ** 20;
const SCAN_CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'support', 'scan-child.js');

/**
 * Image scan throughput on a real image, twice — as `docker save` wrote it
 * (layers uncompressed) and as an OCI layout with gzip layers — each beside
 * its ceiling: the same layer bytes read and decompressed by Node and by the
 * shell's tar and gzip, doing nothing else. Trivy reads the same tarball when
 * it is installed.
 */
export async function imageScan(options: { quick: boolean }): Promise<ScenarioResult> {
  const image = await benchImage(options.quick ? 'small' : 'big');
  const rounds = options.quick ? 1 : 2; // the best of `rounds` of each, interleaved
  const plain = await measureArchive(image.dockerSave, rounds);
  const gzip = await measureArchive(image.ociGzip, rounds);
  const metrics: Record<string, number | string> = {
    image: options.quick ? 'small host tree' : 'debian bookworm',
    layers: plain.layers.length,
    layer_mb: round(plain.ceiling.layerBytes / MB, 1),
    gzip_layer_mb: round(gzip.ceiling.compressedBytes / MB, 1),
    ceiling_node_mb_s: rate(plain.ceiling),
    ceiling_shell_mb_s: rate(plain.shell),
    vigil_mb_s: rate(plain.vigil),
    vigil_to_ceiling: round(rate(plain.vigil) / rate(plain.ceiling), 3),
    vigil_peak_rss_mb: round(plain.vigilPeakRssMb, 1),
    gz_ceiling_node_mb_s: rate(gzip.ceiling),
    gz_ceiling_shell_mb_s: rate(gzip.shell),
    gz_vigil_mb_s: rate(gzip.vigil),
    gz_vigil_to_ceiling: round(rate(gzip.vigil) / rate(gzip.ceiling), 3),
    gz_vigil_peak_rss_mb: round(gzip.vigilPeakRssMb, 1),
    vigil_packages: plain.report.packages,
    vigil_secrets: plain.report.secrets,
  };
  const notes = [
    `Image: ${image.origin}${image.built ? ' (built by this run)' : ''}; docker save ${path.basename(image.dockerSave)} and the OCI layout with gzip layers ${path.basename(image.ociGzip)} are cached in ${path.dirname(image.dockerSave)} and rebuilt only when missing (delete them to rebuild).`,
    'MB/s are MiB of decompressed layer data per second, for every row. Each figure is the best of ' +
      `${rounds} interleaved run(s) with the archive in the page cache.`,
    'ceiling_node: positioned reads of the outer tar, each layer streamed from its offset (1 MiB reads) through zlib.createGunzip({ chunkSize: 64 KiB }) when compressed, bytes counted, nothing else. ceiling_shell: `tar -xOf ARCHIVE LAYER [| gzip -dc] | wc -c` per layer.',
    'vigil: scanImage({ kind: "archive", path }) from collectors/src/image in a child process (`node dist/bench/support/scan-child.js ARCHIVE`), timed inside it (start-up excluded); peak RSS is its maxrss from GNU time.',
  ];
  if (plain.errors.length + gzip.errors.length > 0) notes.push(`Scan errors: ${[...plain.errors, ...gzip.errors].join('; ')}`);
  if (options.quick) notes.push(`--quick scans a smaller tree of this host; the full run uses a debootstrap Debian bookworm (minbase + ${DEBIAN_PACKAGES.join(', ')}).`);

  // End to end, side by side with Trivy: the same tarballs, wall time from start to exit.
  const trivy = trivyBinary();
  const layerMb = plain.ceiling.layerBytes / MB;
  for (const [prefix, archive] of [
    ['', image.dockerSave],
    ['gz_', image.ociGzip],
  ] as const) {
    const clis = [];
    for (let i = 0; i < rounds; i++) clis.push(await runMeasured(process.execPath, [path.join(packageRoot(), 'bin', 'vigil.js'), 'scan', '--format', 'json', archive]));
    const cli = clis.reduce((a, b) => (b.wallSeconds < a.wallSeconds ? b : a));
    if (cli.code !== 0) throw new Error(`vigil scan ${archive} failed (exit ${cli.code}): ${cli.stderr.slice(-1000)}`);
    metrics[`${prefix}vigil_cli_wall_s`] = round(cli.wallSeconds, 2);
    metrics[`${prefix}vigil_cli_mb_s`] = round(layerMb / cli.wallSeconds, 1);
    metrics[`${prefix}vigil_cli_peak_rss_mb`] = round(cli.peakRssMb, 1);
    if (!trivy) continue;
    const runs = [];
    for (let i = 0; i < rounds; i++) runs.push(await runTrivy(trivy, archive));
    const best = runs.reduce((a, b) => (b.run.wallSeconds < a.run.wallSeconds ? b : a));
    if (best.run.code !== 0) {
      metrics[`${prefix}trivy`] = `failed (exit ${best.run.code})`;
      notes.push(`Trivy failed on ${path.basename(archive)}: ${best.run.stderr.slice(-500)}`);
      continue;
    }
    metrics[`${prefix}trivy_wall_s`] = round(best.run.wallSeconds, 2);
    metrics[`${prefix}trivy_mb_s`] = round(layerMb / best.run.wallSeconds, 1);
    metrics[`${prefix}trivy_peak_rss_mb`] = round(best.run.peakRssMb, 1);
    metrics[`${prefix}trivy_packages`] = best.packages;
    metrics[`${prefix}trivy_secrets`] = best.secrets;
    metrics[`${prefix}vigil_cli_to_trivy_speed`] = round(best.run.wallSeconds / cli.wallSeconds, 3);
    if (prefix === '') {
      notes.push(
        `Trivy ${best.version}: \`trivy image --input TAR --scanners secret --offline-scan --skip-db-update --skip-java-db-update --format json --quiet --cache-dir <fresh temporary dir>\` (no vulnerability database is reachable; OS and package detection run anyway, and secret scanning: the work Vigil does). trivy_mb_s: the same decompressed layer MiB over its wall time; vigil_cli_to_trivy_speed: Trivy's wall time over vigil scan's (> 1: Vigil faster).`,
      );
    }
  }
  notes.push('vigil_cli: `vigil scan --format json TAR` end to end (Node start-up, scan, policy evaluation), the figure to set beside Trivy\'s wall time.');
  if (!trivy) {
    metrics['trivy'] = 'not installed';
    notes.push(`Trivy: not installed. To compare, install ${TRIVY_VERSION}: ${TRIVY_INSTALL}.`);
  }
  return { scenario: 'image scan throughput (vs raw read + decompress, vs Trivy)', metrics, notes };
}

interface ArchiveFigures {
  layers: ArchiveLayer[];
  ceiling: LayerReadFigures;
  shell: LayerReadFigures;
  vigil: { layerBytes: number; seconds: number };
  vigilPeakRssMb: number;
  report: ScanChildReport;
  errors: string[];
}

async function measureArchive(archive: string, rounds: number): Promise<ArchiveFigures> {
  const layers = await archiveLayers(archive);
  await readLayers(archive, layers); // into the page cache: every run below reads from memory
  let ceiling: LayerReadFigures | undefined;
  let shell: LayerReadFigures | undefined;
  let best: { report: ScanChildReport; run: MeasuredRun } | undefined;
  for (let i = 0; i < rounds; i++) {
    const c = await readLayers(archive, layers);
    if (!ceiling || c.seconds < ceiling.seconds) ceiling = c;
    const v = await scanInChild(archive);
    if (!best || v.report.seconds < best.report.seconds) best = v;
    const s = await readLayersWithShell(archive, layers);
    if (!shell || s.seconds < shell.seconds) shell = s;
  }
  if (shell!.layerBytes !== ceiling!.layerBytes) {
    throw new Error(`${archive}: tar | gzip counted ${shell!.layerBytes} layer bytes, Node ${ceiling!.layerBytes}`);
  }
  return {
    layers,
    ceiling: ceiling!,
    shell: shell!,
    vigil: { layerBytes: ceiling!.layerBytes, seconds: best!.report.seconds },
    vigilPeakRssMb: best!.run.peakRssMb,
    report: best!.report,
    errors: best!.report.errors,
  };
}

async function scanInChild(archive: string): Promise<{ report: ScanChildReport; run: MeasuredRun }> {
  const run = await runMeasured(process.execPath, [SCAN_CHILD, archive]);
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.code !== 0 || !line.startsWith('{')) throw new Error(`scan-child ${archive} failed (exit ${run.code}): ${run.stderr.slice(-1000)}`);
  const report = JSON.parse(line) as ScanChildReport;
  if (report.layers === 0) throw new Error(`scan-child ${archive}: no image fact (${report.errors.join('; ')})`);
  return { report, run };
}

function trivyBinary(): string | undefined {
  const candidates = [path.join(os.homedir(), '.cache', 'vigil', 'bin', 'trivy'), ...(process.env['PATH'] ?? '').split(':').map((d) => path.join(d, 'trivy'))];
  return candidates.find((file) => existsSync(file));
}

async function runTrivy(trivy: string, archive: string): Promise<{ run: MeasuredRun; secrets: number; packages: number; version: string }> {
  const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-bench-trivy-'));
  try {
    const args = ['image', '--input', archive, '--scanners', 'secret', '--offline-scan', '--skip-db-update', '--skip-java-db-update'];
    const run = await runMeasured(trivy, [...args, '--format', 'json', '--quiet', '--cache-dir', cacheDir]);
    let secrets = 0;
    let packages = 0;
    let version = TRIVY_VERSION;
    try {
      const report = JSON.parse(run.stdout) as { Trivy?: { Version?: string }; Results?: Array<{ Secrets?: unknown[]; Packages?: unknown[] }> };
      secrets = (report.Results ?? []).reduce((sum, r) => sum + (r.Secrets?.length ?? 0), 0);
      packages = (report.Results ?? []).reduce((sum, r) => sum + (r.Packages?.length ?? 0), 0);
      if (report.Trivy?.Version && report.Trivy.Version !== 'dev') version = `v${report.Trivy.Version}`;
    } catch {
      // a failed run: its exit code says so
    }
    return { run, secrets, packages, version };
  } finally {
    await fs.rm(cacheDir, { recursive: true, force: true });
  }
}

function rate(figures: { layerBytes: number; seconds: number }): number {
  return round(figures.layerBytes / MB / figures.seconds, 1);
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
