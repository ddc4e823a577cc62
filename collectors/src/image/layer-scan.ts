/**
 * Scans one layer's entries into a `LayerSummary`: what the layer deletes
 * (whiteouts), what it puts where (paths only), and the few things worth
 * keeping (notable modes, capabilities, package databases, os-release,
 * secrets). Contents are read only for candidate files, and never more than
 * the limits allow; everything else streams past.
 *
 * A summary does not know its layer index: docker save streams its layers
 * before the manifest that orders them, so summaries are merged later.
 */
import { decodeFileCapabilities } from './capabilities.js';
import type { CollectorErrorCode } from '../errors.js';
import type { ScanLimits } from './limits.js';
import { ApkInstalledParser, DpkgStatusParser, type InstalledPackage } from './packages.js';
import { normaliseEntryPath, whiteoutOf } from './paths.js';
import {
  detectBinaryKeystore,
  detectSecrets,
  isContentScanCandidate,
  isSecretCandidate,
  looksBinary,
  type SecretMatch,
} from './secrets.js';
import type { TarEntrySink, TarHeader } from './tar-reader.js';

/** A notable file as found in one layer (the layer index is added when layers are merged). */
export interface LayerFile {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  setuid: boolean;
  setgid: boolean;
  world_writable: boolean;
  sticky: boolean;
  is_dir: boolean;
  capabilities: string[];
}

export interface LayerRecord {
  path: string;
  isDir: boolean;
  file?: LayerFile;
  secrets?: SecretMatch[];
  packages?: InstalledPackage[];
  osRelease?: string;
  symlink?: string;
}

/** A problem in a layer; the first two message arguments (layer index, layer name) are added at merge time. */
export interface LayerProblem {
  code: CollectorErrorCode;
  args: (string | number)[];
}

export interface LayerSummary {
  whiteouts: string[];
  opaques: string[];
  plainFiles: string[];
  plainDirs: string[];
  records: LayerRecord[];
  problems: LayerProblem[];
  entries: number;
  /** Tar bytes read (after decompression). */
  bytes: number;
  compressedBytes: number;
}

export const DPKG_STATUS = '/var/lib/dpkg/status';
const DPKG_STATUS_D = '/var/lib/dpkg/status.d/';
const APK_DBS = new Set(['/lib/apk/db/installed', '/usr/lib/apk/db/installed']);
export const OS_RELEASE_PATHS = ['/etc/os-release', '/usr/lib/os-release'] as const;
const MAX_OS_RELEASE_BYTES = 64 * 1024;

export function emptySummary(): LayerSummary {
  return {
    whiteouts: [],
    opaques: [],
    plainFiles: [],
    plainDirs: [],
    records: [],
    problems: [],
    entries: 0,
    bytes: 0,
    compressedBytes: 0,
  };
}

export class LayerScanner {
  readonly summary: LayerSummary = emptySummary();
  private escaped = 0;
  private firstEscaped = '';

  constructor(private readonly limits: ScanLimits) {}

  /** Classifies one entry; returns a sink when its contents are wanted. */
  onEntry(header: TarHeader): TarEntrySink | null {
    const summary = this.summary;
    summary.entries++;
    const { path, escaped } = normaliseEntryPath(header.name);
    if (escaped) {
      if (this.escaped === 0) this.firstEscaped = header.name;
      this.escaped++;
    }
    if (path === '/') return null;

    const whiteout = whiteoutOf(path);
    if (whiteout) {
      if (whiteout.kind === 'whiteout') summary.whiteouts.push(whiteout.path);
      else if (whiteout.kind === 'opaque') summary.opaques.push(whiteout.dir);
      return null;
    }

    const isDir = header.type === 'directory';
    const file = notableFile(path, header);
    if (header.type === 'symlink' && (OS_RELEASE_PATHS as readonly string[]).includes(path)) {
      summary.records.push({ path, isDir: false, symlink: header.linkname });
      return null;
    }
    if (header.type === 'file' && header.size > 0) {
      const sink = this.contentSink(path, header, file);
      if (sink) return sink;
    }
    if (file) summary.records.push({ path, isDir, file });
    else if (isDir) summary.plainDirs.push(path);
    else summary.plainFiles.push(path);
    return null;
  }

  /** Problems that are only known once the layer is complete. */
  finish(): LayerSummary {
    if (this.escaped > 0) {
      this.summary.problems.push({ code: 'VIGIL_ERR_IMAGE_PATH_ESCAPE', args: [this.escaped, JSON.stringify(this.firstEscaped)] });
      this.escaped = 0;
    }
    return this.summary;
  }

  private contentSink(path: string, header: TarHeader, file: LayerFile | undefined): TarEntrySink | null {
    const limits = this.limits;
    const record = (extra: Partial<LayerRecord>): void => {
      this.summary.records.push({ path, isDir: false, ...(file ? { file } : {}), ...extra });
    };
    if (path === DPKG_STATUS || (path.startsWith(DPKG_STATUS_D) && !path.slice(DPKG_STATUS_D.length).includes('/') && !path.endsWith('.md5sums'))) {
      const parser = new DpkgStatusParser();
      return this.parserSink(path, header, parser, (packages) => record({ packages }));
    }
    if (APK_DBS.has(path)) {
      const parser = new ApkInstalledParser();
      return this.parserSink(path, header, parser, (packages) => record({ packages }));
    }
    if ((OS_RELEASE_PATHS as readonly string[]).includes(path) && header.size <= MAX_OS_RELEASE_BYTES) {
      return new BufferSink(MAX_OS_RELEASE_BYTES, (data) => record({ osRelease: data.toString('utf8') }));
    }
    if (isSecretCandidate(path)) {
      return new BufferSink(limits.maxSecretFileBytes, (data) => {
        const keystore = detectBinaryKeystore(path, data, header.size);
        const secrets = keystore ? [keystore] : looksBinary(data) ? [] : detectSecrets(data.toString('utf8'), path);
        if (secrets.length > 0 || file) record(secrets.length > 0 ? { secrets } : {});
        else this.summary.plainFiles.push(path);
      });
    }
    if (header.size <= limits.maxContentScanBytes && isContentScanCandidate(path)) {
      return new BufferSink(limits.maxContentScanBytes, (data) => {
        const secrets = looksBinary(data) ? [] : detectSecrets(data.toString('utf8'), path);
        if (secrets.length > 0 || file) record(secrets.length > 0 ? { secrets } : {});
        else this.summary.plainFiles.push(path);
      });
    }
    return null;
  }

  private parserSink(
    path: string,
    header: TarHeader,
    parser: { write(chunk: Buffer): void; end(): InstalledPackage[] },
    done: (packages: InstalledPackage[]) => void,
  ): TarEntrySink {
    const cap = this.limits.maxPackageDbBytes;
    let read = 0;
    return {
      write: (chunk) => {
        if (read >= cap) return;
        const part = chunk.length > cap - read ? chunk.subarray(0, cap - read) : chunk;
        read += part.length;
        parser.write(part);
      },
      end: () => {
        if (header.size > cap) {
          this.summary.problems.push({ code: 'VIGIL_ERR_IMAGE_FILE_TOO_LARGE', args: [path, header.size, cap] });
        }
        done(parser.end());
      },
    };
  }
}

/** Keeps the first `cap` bytes of an entry and drops the rest as it streams past. */
class BufferSink implements TarEntrySink {
  private readonly chunks: Buffer[] = [];
  private length = 0;

  constructor(
    private readonly cap: number,
    private readonly done: (data: Buffer) => void,
  ) {}

  write(chunk: Buffer): void {
    if (this.length >= this.cap) return;
    const part = chunk.length > this.cap - this.length ? chunk.subarray(0, this.cap - this.length) : chunk;
    this.chunks.push(Buffer.from(part)); // a copy: the reader's chunk may be a view of a larger buffer
    this.length += part.length;
  }

  end(): void {
    this.done(Buffer.concat(this.chunks, this.length));
  }
}

function notableFile(path: string, header: TarHeader): LayerFile | undefined {
  const isDir = header.type === 'directory';
  if (!isDir && header.type !== 'file' && header.type !== 'link') return undefined;
  const mode = header.mode & 0o7777;
  const setuid = (mode & 0o4000) !== 0;
  const setgid = (mode & 0o2000) !== 0;
  const sticky = (mode & 0o1000) !== 0;
  const worldWritable = (mode & 0o002) !== 0;
  const capability = isDir ? undefined : header.xattrs?.get('security.capability');
  const capabilities = capability ? (decodeFileCapabilities(capability)?.names ?? ['UNKNOWN']) : [];
  if (!setuid && !setgid && !worldWritable && capabilities.length === 0) return undefined;
  return {
    path,
    mode,
    uid: header.uid,
    gid: header.gid,
    setuid,
    setgid,
    world_writable: worldWritable,
    sticky,
    is_dir: isDir,
    capabilities,
  };
}
