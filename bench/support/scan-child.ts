/**
 * One image scan in a process of its own, so that its peak RSS is the scan's:
 * `node dist/bench/support/scan-child.js ARCHIVE` scans the archive through
 * the image collector's `scanImage` (what `vigil scan ARCHIVE` does before
 * judging the fact) and prints one JSON line with the time and what it found.
 */
import { scanImage } from '../../collectors/src/index.js';

export interface ScanChildReport {
  seconds: number;
  layers: number;
  sizeBytes: number;
  packages: number;
  files: number;
  secrets: number;
  errors: string[];
}

const archive = process.argv[2];
if (!archive) {
  process.stderr.write('usage: scan-child.js ARCHIVE\n');
  process.exit(2);
}
const started = process.hrtime.bigint();
const result = await scanImage({ kind: 'archive', path: archive });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const fact = result.fact;
const report: ScanChildReport = {
  seconds,
  layers: fact?.layer_count ?? 0,
  sizeBytes: Number(fact?.size_bytes ?? 0),
  packages: fact?.packages?.length ?? 0,
  files: fact?.files?.length ?? 0,
  secrets: fact?.secrets?.length ?? 0,
  errors: result.errors.map((e) => e.message),
};
process.stdout.write(JSON.stringify(report) + '\n');
