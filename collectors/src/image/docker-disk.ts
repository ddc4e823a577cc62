/**
 * Docker's on-disk image store (overlay2), for when there is no socket:
 *   image/overlay2/imagedb/content/sha256/<id>          the image config
 *   image/overlay2/layerdb/sha256/<chain-id>/cache-id   → overlay2/<cache-id>/diff
 *   image/overlay2/repositories.json                    tags and digests
 * Layer directories are walked with lstat (symlinks never followed) and fed
 * to the same layer scanner as tar entries. overlayfs marks deletions with
 * 0/0 character devices and opaque directories with a trusted.overlay.opaque
 * xattr; Node cannot read xattrs, so a small python3 helper lists them.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { lstat, opendir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { assembleImage, type FactLabels, type ImageScanResult, type ScanContext } from './assemble.js';
import { parseImageConfig } from './config.js';
import type { EngineImage, EngineScanOptions, ImageEngineSource } from './engine.js';
import { reason, scanError, type ImageScanError } from '../errors.js';
import { LayerScanner, type LayerSummary } from './layer-scan.js';
import type { ImagePlan, PlannedLayer } from './layout.js';
import { Progress } from './progress.js';
import type { TarEntryType, TarHeader } from './tar-reader.js';

const run = promisify(execFile);

export interface DockerDiskOptions {
  /** Where the host's filesystem is mounted: "/" on the host, "/host" in the collector container. */
  hostRoot: string;
  /** Docker's data-root relative to hostRoot. Default var/lib/docker. */
  dockerRoot?: string;
}

class DiskPaths {
  readonly root: string;
  constructor(options: DockerDiskOptions) {
    this.root = path.join(options.hostRoot, options.dockerRoot ?? 'var/lib/docker');
  }
  get imagedb(): string {
    return path.join(this.root, 'image/overlay2/imagedb/content/sha256');
  }
  layerdb(chainId: string): string {
    return path.join(this.root, 'image/overlay2/layerdb/sha256', hexOf(chainId));
  }
  get repositories(): string {
    return path.join(this.root, 'image/overlay2/repositories.json');
  }
  diff(cacheId: string): string {
    return path.join(this.root, 'overlay2', cacheId, 'diff');
  }
}

/** The image collector's source when only Docker's files are readable. */
export class DockerDiskImageSource implements ImageEngineSource {
  readonly name = 'docker-disk';
  private readonly paths: DiskPaths;

  constructor(private readonly options: DockerDiskOptions) {
    this.paths = new DiskPaths(options);
  }

  async list(): Promise<EngineImage[]> {
    const ids = (await fs.promises.readdir(this.paths.imagedb)).filter((name) => /^[a-f0-9]{64}$/.test(name));
    const names = await this.repositories();
    const images: EngineImage[] = [];
    for (const hex of ids.sort()) {
      const id = `sha256:${hex}`;
      const named = names.get(id) ?? { tags: [], digests: [] };
      images.push({ id, repoTags: named.tags, repoDigests: named.digests, size: 0 });
    }
    return images;
  }

  scan(image: EngineImage, options: EngineScanOptions): Promise<ImageScanResult> {
    const labels: FactLabels = {
      reference: image.repoTags[0] ?? image.id,
      source: 'docker',
      repoTags: image.repoTags,
      repoDigests: image.repoDigests,
    };
    return scanDockerDisk(this.options, image.id, labels, options);
  }

  /** tags ("name:tag") and digests ("name@sha256:…") per image id, from repositories.json. */
  private async repositories(): Promise<Map<string, { tags: string[]; digests: string[] }>> {
    const byId = new Map<string, { tags: string[]; digests: string[] }>();
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(this.paths.repositories, 'utf8'));
    } catch {
      return byId; // no tags yet, or mid-write: images are still listed by id
    }
    const repositories = (parsed as { Repositories?: Record<string, Record<string, string>> }).Repositories ?? {};
    for (const references of Object.values(repositories)) {
      for (const [reference, id] of Object.entries(references ?? {})) {
        const entry = byId.get(id) ?? { tags: [], digests: [] };
        (reference.includes('@') ? entry.digests : entry.tags).push(reference);
        byId.set(id, entry);
      }
    }
    return byId;
  }
}

/** Scans one image of the on-disk store by id. */
export async function scanDockerDisk(
  options: DockerDiskOptions,
  imageId: string,
  labels: FactLabels,
  scanOptions: EngineScanOptions,
): Promise<ImageScanResult> {
  const paths = new DiskPaths(options);
  const configPath = path.join(paths.imagedb, hexOf(imageId));
  let configBytes: Buffer | ImageScanError;
  try {
    configBytes = await readFile(configPath);
  } catch (error) {
    configBytes = scanError('VIGIL_ERR_IMAGE_CONFIG', [configPath, reason(error)]);
  }
  let diffIds: string[] = [];
  if (Buffer.isBuffer(configBytes)) {
    try {
      diffIds = parseImageConfig(configBytes).diffIds;
    } catch {
      // assembleImage reports the malformed config
    }
  }
  const chainIds = chainIdsOf(diffIds);
  const layers: PlannedLayer[] = diffIds.map((diffId, index) => ({ name: `layerdb/sha256/${hexOf(chainIds[index]!)}`, digest: diffId, mediaType: '' }));
  const plan: ImagePlan = { format: 'oci-layout', configName: configPath, configDigest: imageId, repoTags: labels.repoTags ?? [], layers };

  const total = await layerSizes(paths, chainIds);
  const context: ScanContext = { limits: scanOptions.limits, progress: new Progress(scanOptions.onProgress, total) };
  if (scanOptions.lookup) context.lookup = scanOptions.lookup;
  const xattrProblems: ImageScanError[] = [];
  const result = await assembleImage(
    plan,
    configBytes,
    async (layer, index) => {
      let diffDir: string;
      try {
        const cacheId = (await readFile(path.join(paths.layerdb(chainIds[index]!), 'cache-id'), 'utf8')).trim();
        if (!/^[A-Za-z0-9_-]+$/.test(cacheId)) throw new Error(`unexpected cache-id ${JSON.stringify(cacheId.slice(0, 80))}`);
        diffDir = paths.diff(cacheId);
      } catch (error) {
        return scanError('VIGIL_ERR_IMAGE_DISK_LAYER', [layer.digest, imageId, reason(error)], index);
      }
      const xattrs = await readXattrs(diffDir);
      if (!(xattrs instanceof Map) && xattrProblems.length === 0) xattrProblems.push(xattrs);
      try {
        const summary = await walkLayer(diffDir, xattrs instanceof Map ? xattrs : new Map(), context);
        // Docker's own size of the layer (the tar it would export), so size_bytes matches the other sources.
        const size = await readFile(path.join(paths.layerdb(chainIds[index]!), 'size'), 'utf8').then(Number, () => Number.NaN);
        if (Number.isSafeInteger(size) && size > 0) summary.bytes = size;
        return summary;
      } catch (error) {
        return scanError('VIGIL_ERR_IMAGE_DISK_LAYER', [layer.digest, imageId, reason(error)], index);
      }
    },
    labels,
    context,
  );
  context.progress.finish();
  if (result.fact && xattrProblems.length > 0) {
    result.errors.push(...xattrProblems);
    result.fact.scan_errors = result.errors.map((error) => error.message);
  }
  return result;
}

/** chain[0] = diff[0]; chain[i] = sha256(chain[i-1] + " " + diff[i]) (image-spec config.md). */
export function chainIdsOf(diffIds: string[]): string[] {
  const chain: string[] = [];
  for (const diffId of diffIds) {
    const previous = chain[chain.length - 1];
    chain.push(previous === undefined ? diffId : `sha256:${createHash('sha256').update(`${previous} ${diffId}`).digest('hex')}`);
  }
  return chain;
}

async function layerSizes(paths: DiskPaths, chainIds: string[]): Promise<number> {
  let total = 0;
  for (const chainId of chainIds) {
    try {
      total += Number.parseInt(await readFile(path.join(paths.layerdb(chainId), 'size'), 'utf8'), 10) || 0;
    } catch {
      // progress only
    }
  }
  return total;
}

type XattrMap = Map<string, Map<string, Buffer>>;

const XATTR_SCRIPT = `
import os, sys
root = sys.argv[1]
wanted = {'security.capability', 'trusted.overlay.opaque', 'user.overlay.opaque'}
out = sys.stdout.buffer
def emit(p):
    try:
        names = os.listxattr(p, follow_symlinks=False)
    except OSError:
        return
    for name in names:
        if name in wanted:
            try:
                value = os.getxattr(p, name, follow_symlinks=False)
            except OSError:
                continue
            rel = os.path.relpath(p, root).encode('utf-8', 'surrogateescape')
            out.write(rel.hex().encode() + b'\\t' + name.encode() + b'\\t' + value.hex().encode() + b'\\n')
for d, dirs, files in os.walk(root):
    for n in dirs + files:
        emit(os.path.join(d, n))
`;

/** Relative path → xattr name → value, for the few xattrs the scan needs. */
async function readXattrs(dir: string): Promise<XattrMap | ImageScanError> {
  try {
    const { stdout } = await run('python3', ['-c', XATTR_SCRIPT, dir], { maxBuffer: 256 * 1024 * 1024, encoding: 'latin1' });
    const map: XattrMap = new Map();
    for (const line of stdout.split('\n')) {
      const [pathHex, name, valueHex] = line.split('\t');
      if (!pathHex || !name || valueHex === undefined) continue;
      const rel = Buffer.from(pathHex, 'hex').toString('utf8');
      const entry = map.get(rel) ?? new Map<string, Buffer>();
      entry.set(name, Buffer.from(valueHex, 'hex'));
      map.set(rel, entry);
    }
    return map;
  } catch (error) {
    return scanError('VIGIL_ERR_IMAGE_DISK_XATTR', [dir, reason(error)]);
  }
}

/** Walks one overlay2 diff directory as if it were a layer tar. */
async function walkLayer(root: string, xattrs: XattrMap, context: ScanContext): Promise<LayerSummary> {
  const scanner = new LayerScanner(context.limits);
  const readCap = Math.max(context.limits.maxPackageDbBytes, context.limits.maxSecretFileBytes);
  let bytes = 0;
  const visit = async (rel: string): Promise<void> => {
    const dir = await opendir(path.join(root, rel));
    for await (const dirent of dir) {
      const relPath = rel === '' ? dirent.name : `${rel}/${dirent.name}`;
      const full = path.join(root, relPath);
      const info = await lstat(full);
      if (info.isCharacterDevice() && info.rdev === 0) {
        scanner.onEntry(syntheticHeader(`${rel}/.wh.${dirent.name}`));
        continue;
      }
      const attributes = xattrs.get(relPath);
      const header: TarHeader = {
        name: relPath,
        type: typeOf(info),
        mode: info.mode & 0o7777,
        uid: info.uid,
        gid: info.gid,
        size: info.isFile() ? info.size : 0,
        linkname: info.isSymbolicLink() ? await readlink(full) : '',
        devmajor: 0,
        devminor: 0,
      };
      const capability = attributes?.get('security.capability');
      if (capability) header.xattrs = new Map([['security.capability', capability]]);
      const sink = scanner.onEntry(header);
      if (info.isFile()) {
        bytes += info.size;
        context.progress.add(info.size);
      }
      if (sink) {
        const handle = await fs.promises.open(full, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
        try {
          for await (const chunk of handle.createReadStream({ end: Math.min(info.size, readCap) - 1, autoClose: false })) {
            await sink.write(chunk as Buffer);
          }
        } finally {
          await handle.close();
        }
        await sink.end();
      }
      if (info.isDirectory()) {
        const opaque = attributes?.get('trusted.overlay.opaque') ?? attributes?.get('user.overlay.opaque');
        if (opaque?.toString('latin1') === 'y') scanner.onEntry(syntheticHeader(`${relPath}/.wh..wh..opq`));
        await visit(relPath);
      }
    }
  };
  await visit('');
  const summary = scanner.finish();
  summary.bytes = bytes;
  summary.compressedBytes = bytes;
  return summary;
}

function syntheticHeader(name: string): TarHeader {
  return { name, type: 'file', mode: 0, uid: 0, gid: 0, size: 0, linkname: '', devmajor: 0, devminor: 0 };
}

function typeOf(info: fs.Stats): TarEntryType {
  if (info.isFile()) return 'file';
  if (info.isDirectory()) return 'directory';
  if (info.isSymbolicLink()) return 'symlink';
  if (info.isCharacterDevice()) return 'character-device';
  if (info.isBlockDevice()) return 'block-device';
  if (info.isFIFO()) return 'fifo';
  return 'other';
}

function hexOf(id: string): string {
  const hex = id.startsWith('sha256:') ? id.slice(7) : id;
  if (!/^[a-f0-9]{64}$/.test(hex)) throw new Error(`not a sha256 id: ${JSON.stringify(id.slice(0, 80))}`);
  return hex;
}
