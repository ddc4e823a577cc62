/**
 * Merges layer summaries bottom-up into the image's final filesystem view,
 * the way overlayfs would: an entry replaces what lower layers had at its
 * path (a non-directory also hides everything below that path), a whiteout
 * deletes a path and everything below it, an opaque directory hides what lower
 * layers put inside it. Only notable paths are tracked, so the view stays
 * small however many files the image has. Secrets of records that disappear
 * are kept, flagged `deleted_later`: the bytes are still in the lower layer.
 */
import { scanError, type ImageScanError } from '../errors.js';
import { OS_RELEASE_PATHS, type LayerRecord, type LayerSummary } from './layer-scan.js';
import { osvEcosystem, parseOsRelease, type OsRelease } from './packages.js';
import { isUnder, resolveLink } from './paths.js';
import type { ImageFileInit, PackageInit, SecretFindingInit } from './types.js';

interface Tracked {
  layer: number;
  record: LayerRecord;
  secrets: SecretFindingInit[];
}

export interface MergedFilesystem {
  files: ImageFileInit[];
  packages: PackageInit[];
  secrets: SecretFindingInit[];
  osRelease: OsRelease | undefined;
  errors: ImageScanError[];
  /** Decompressed tar bytes of all layers. */
  bytes: number;
}

export class FilesystemView {
  private readonly tracked = new Map<string, Tracked>();
  /** Every ancestor directory of a tracked path (never pruned: a stale entry only costs a scan). */
  private readonly ancestors = new Set<string>();
  private readonly secrets: SecretFindingInit[] = [];
  private readonly errors: ImageScanError[] = [];
  /** Per package database path, each layer's `name@version` set, in layer order: where each package came from. */
  private readonly packageHistory = new Map<string, Array<{ layer: number; present: Set<string> }>>();
  private bytes = 0;

  apply(summary: LayerSummary, layer: number, layerName: string): void {
    this.bytes += summary.bytes;
    for (const problem of summary.problems) {
      this.errors.push(scanError(problem.code, [layer, layerName, ...problem.args], layer));
    }
    for (const path of summary.whiteouts) {
      this.removeLower(path, layer);
      this.removeBelow(path, layer);
    }
    for (const dir of summary.opaques) this.removeBelow(dir, layer);
    for (const path of summary.plainDirs) this.removeLower(path, layer);
    for (const path of summary.plainFiles) {
      this.removeLower(path, layer);
      if (this.ancestors.has(path)) this.removeBelow(path, layer);
    }
    for (const path of [...summary.whiteouts, ...summary.plainFiles]) this.packageHistory.get(path)?.push({ layer, present: new Set() });
    for (const record of summary.records) {
      if (record.packages) {
        const history = this.packageHistory.get(record.path) ?? [];
        history.push({ layer, present: new Set(record.packages.map((p) => `${p.name}@${p.version}`)) });
        this.packageHistory.set(record.path, history);
      }
      this.removeLower(record.path, layer);
      if (!record.isDir && this.ancestors.has(record.path)) this.removeBelow(record.path, layer);
      const secrets = (record.secrets ?? []).map(
        (match): SecretFindingInit => ({
          rule: match.rule,
          location: 'file',
          path: record.path,
          layer,
          deleted_later: false,
          redacted: match.redacted,
        }),
      );
      this.secrets.push(...secrets);
      const previous = this.tracked.get(record.path);
      if (previous) this.retire(previous); // the same path twice in one layer: the later entry wins
      this.tracked.set(record.path, { layer, record, secrets });
      for (let dir = parentOf(record.path); dir !== '/'; dir = parentOf(dir)) {
        if (this.ancestors.has(dir)) break;
        this.ancestors.add(dir);
      }
    }
  }

  /** Adds an error that belongs to a layer but was found outside its summary (a missing blob). */
  addError(error: ImageScanError): void {
    this.errors.push(error);
  }

  /** The lowest layer from which the database at `path` holds `key` without a gap up to `top`. */
  private introducedIn(path: string, key: string, top: number): number {
    const history = (this.packageHistory.get(path) ?? []).filter((h) => h.layer <= top);
    let layer = top;
    for (let i = history.length - 1; i >= 0 && history[i]!.present.has(key); i--) layer = history[i]!.layer;
    return layer;
  }

  result(): MergedFilesystem {
    const osRelease = this.osRelease();
    const files: ImageFileInit[] = [];
    const packages: PackageInit[] = [];
    for (const [path, { layer, record }] of this.tracked) {
      if (record.file) files.push({ ...record.file, path, layer });
      for (const pkg of record.packages ?? []) {
        packages.push({ ...pkg, ecosystem: osvEcosystem(pkg.manager, osRelease), layer: this.introducedIn(path, `${pkg.name}@${pkg.version}`, layer) });
      }
    }
    files.sort((a, b) => compare(a.path ?? '', b.path ?? ''));
    packages.sort((a, b) => compare(a.name ?? '', b.name ?? '') || compare(a.version ?? '', b.version ?? ''));
    const secrets = [...this.secrets].sort(
      (a, b) => (a.layer ?? 0) - (b.layer ?? 0) || compare(a.path ?? '', b.path ?? '') || compare(a.rule ?? '', b.rule ?? ''),
    );
    return { files, packages, secrets, osRelease, errors: [...this.errors], bytes: this.bytes };
  }

  private osRelease(): OsRelease | undefined {
    for (const path of OS_RELEASE_PATHS) {
      let record = this.tracked.get(path)?.record;
      for (let hops = 0; record?.symlink !== undefined && hops < 4; hops++) {
        record = this.tracked.get(resolveLink(record.path, record.symlink))?.record;
      }
      if (record?.osRelease !== undefined) return parseOsRelease(record.osRelease);
    }
    return undefined;
  }

  private removeLower(path: string, layer: number): void {
    const entry = this.tracked.get(path);
    if (entry && entry.layer < layer) {
      this.tracked.delete(path);
      this.retire(entry);
    }
  }

  private removeBelow(dir: string, layer: number): void {
    if (!this.ancestors.has(dir) && dir !== '/') return;
    for (const [path, entry] of this.tracked) {
      if (entry.layer < layer && isUnder(path, dir)) {
        this.tracked.delete(path);
        this.retire(entry);
      }
    }
  }

  private retire(entry: Tracked): void {
    for (const secret of entry.secrets) secret.deleted_later = true;
  }
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
