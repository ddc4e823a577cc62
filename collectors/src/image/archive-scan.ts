/**
 * Scanning image archives: a file or directory (random access: the manifest
 * is read first, then each layer once, in order) or a one-pass stream
 * (`docker save` output from the Engine API or a gzipped tarball).
 *
 * `docker save` writes the manifest *after* the layers (Docker 20.10 here:
 * `<id>.json`, `<id>/layer.tar`…, then manifest.json and repositories; newer
 * engines write an OCI layout with index.json and manifest.json last too).
 * In a stream the layers are therefore summarised as they pass — entry
 * metadata and candidate findings only, never contents — and stacked once the
 * manifest says in which order.
 */
import fs from 'node:fs';
import { open, stat } from 'node:fs/promises';
import zlib from 'node:zlib';
import { assembleImage, type FactLabels, type ImageScanResult, type ScanContext } from './assemble.js';
import { reason, scanError, type ImageScanError } from '../errors.js';
import { GUNZIP_CHUNK_BYTES, LayerFeed } from './layer-feed.js';
import type { LayerSummary } from './layer-scan.js';
import { LayoutError, archiveName, planImages, type ImagePlan, type JsonSource } from './layout.js';
import { resolveLink } from './paths.js';
import { DirectoryStore, MemberTooLargeError, TarFileStore, type BlobStore } from './stores.js';
import { TarFormatError, TarReader, type TarEntrySink, type TarHeader } from './tar-reader.js';

export interface ArchiveTarget {
  label: string;
  /** Picks one image of a multi-image archive by repo tag; the first image otherwise. */
  reference?: string;
  /** Overrides of what the fact says about where it came from. */
  labels?: Partial<FactLabels>;
}

/** A docker save tarball (plain or gzip), an OCI layout directory, or an OCI layout tar. */
export async function scanPath(path: string, target: ArchiveTarget, context: ScanContext): Promise<ImageScanResult> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    return { errors: [scanError('VIGIL_ERR_IMAGE_SOURCE_READ', [path, reason(error)])] };
  }
  if (info.isDirectory()) return withStore(() => DirectoryStore.open(path, context.limits.maxJsonBytes), target, context);
  if (await isGzipFile(path)) {
    // Progress counts compressed bytes, against the file's size.
    const input = counted(fs.createReadStream(path, { highWaterMark: 256 * 1024 }), context);
    return scanStream(gunzipLimited(input, context), target, context);
  }
  return withStore(() => TarFileStore.open(path, context.limits.maxJsonBytes), target, context);
}

async function withStore(
  openStore: () => Promise<BlobStore>,
  target: ArchiveTarget,
  context: ScanContext,
): Promise<ImageScanResult> {
  let store: BlobStore;
  try {
    store = await openStore();
  } catch (error) {
    const code = error instanceof TarFormatError ? 'VIGIL_ERR_IMAGE_NOT_AN_IMAGE' : 'VIGIL_ERR_IMAGE_SOURCE_READ';
    return { errors: [scanError(code, [target.label, reason(error)])] };
  }
  try {
    return await scanStore(store, target, context);
  } finally {
    await store.close();
  }
}

async function scanStore(store: BlobStore, target: ArchiveTarget, context: ScanContext): Promise<ImageScanResult> {
  const errors = [...store.errors];
  const picked = await pickPlan(store, target, errors);
  if ('errors' in picked) return picked;
  const { plan } = picked;
  const config = await readMember(store, plan.configName, plan, target);
  return assembleImage(
    plan,
    config,
    async (layer) => {
      let opened;
      try {
        opened = await store.open(layer.name);
      } catch (error) {
        return scanError('VIGIL_ERR_IMAGE_SOURCE_READ', [`${target.label}:${layer.name}`, reason(error)]);
      }
      if (!opened) return scanError('VIGIL_ERR_IMAGE_LAYER_MISSING', [layer.name, layer.digest || 'no digest']);
      const feed = new LayerFeed(context.limits);
      try {
        for await (const chunk of opened.stream as AsyncIterable<Buffer>) {
          context.progress.add(chunk.length);
          await feed.write(chunk);
          if (feed.failed) break; // closes the file stream; the summary says why
        }
      } catch (error) {
        return scanError('VIGIL_ERR_IMAGE_SOURCE_READ', [`${target.label}:${layer.name}`, reason(error)]);
      }
      return feed.summary();
    },
    labelsFor(plan, target),
    context,
    errors,
  );
}

/**
 * One pass over a docker save (or OCI layout) tar stream: JSON members are
 * kept (bounded), layers are summarised as they pass, symlinked layers
 * (docker save links identical layers) are remembered as aliases.
 */
export async function scanStream(stream: AsyncIterable<Buffer>, target: ArchiveTarget, context: ScanContext): Promise<ImageScanResult> {
  const { limits } = context;
  const json = new Map<string, Buffer>();
  const tooLarge = new Map<string, number>();
  const summaries = new Map<string, LayerSummary>();
  const links = new Map<string, string>();
  const errors: ImageScanError[] = [];

  const jsonSink = (name: string): TarEntrySink => {
    const chunks: Buffer[] = [];
    return {
      write: (chunk) => void chunks.push(Buffer.from(chunk)),
      end: () => void json.set(name, Buffer.concat(chunks)),
    };
  };
  const layerSink = (name: string): TarEntrySink => {
    const feed = new LayerFeed(limits);
    return {
      write: (chunk) => feed.write(chunk),
      end: async () => void summaries.set(name, await feed.summary()),
    };
  };
  const onEntry = (header: TarHeader): TarEntrySink | null => {
    const name = archiveName(header.name);
    if (header.type === 'symlink') links.set(name, resolveLink(`/${name}`, header.linkname).slice(1));
    if (header.type === 'link') links.set(name, archiveName(header.linkname));
    if (header.type !== 'file') return null;
    const small = header.size <= limits.maxJsonBytes;
    if (name.endsWith('.json') || name === 'repositories' || name === 'oci-layout') {
      if (small) return jsonSink(name);
      tooLarge.set(name, header.size);
      return null;
    }
    if (name.endsWith('/layer.tar') || name.endsWith('/layer.tar.gz')) return layerSink(name);
    if (name.startsWith('blobs/')) return new SniffSink(() => (small ? jsonSink(name) : null), () => layerSink(name));
    return null; // VERSION, legacy v1 json
  };

  const reader = new TarReader(onEntry);
  try {
    for await (const chunk of stream) {
      await reader.push(chunk);
      if (reader.ended) break;
    }
    await reader.end();
  } catch (error) {
    if (error instanceof TarFormatError) {
      errors.push(scanError(error.truncated ? 'VIGIL_ERR_IMAGE_ARCHIVE_TRUNCATED' : 'VIGIL_ERR_IMAGE_NOT_AN_IMAGE', [target.label, error.message]));
    } else if (error instanceof LimitError) {
      errors.push(scanError('VIGIL_ERR_IMAGE_ARCHIVE_TRUNCATED', [target.label, error.message]));
    } else if ((error as NodeJS.ErrnoException | undefined)?.code === 'Z_BUF_ERROR') {
      errors.push(scanError('VIGIL_ERR_IMAGE_ARCHIVE_TRUNCATED', [target.label, `compressed stream ends early (${reason(error)})`]));
    } else {
      errors.push(scanError('VIGIL_ERR_IMAGE_SOURCE_READ', [target.label, reason(error)]));
    }
  }

  const resolve = (name: string): string => {
    let key = archiveName(name);
    for (let hops = 0; hops < 8 && links.has(key); hops++) key = links.get(key)!;
    return key;
  };
  const source: JsonSource = {
    read: async (name) => {
      const key = resolve(name);
      const size = tooLarge.get(key);
      if (size !== undefined) throw new MemberTooLargeError(key, size, limits.maxJsonBytes);
      return json.get(key);
    },
  };
  const picked = await pickPlan(source, target, errors);
  if ('errors' in picked) return picked;
  const { plan } = picked;
  const config = await readMember(source, plan.configName, plan, target);
  return assembleImage(
    plan,
    config,
    async (layer) =>
      summaries.get(resolve(layer.name)) ?? scanError('VIGIL_ERR_IMAGE_LAYER_MISSING', [layer.name, layer.digest || 'no digest']),
    labelsFor(plan, target),
    context,
    errors,
  );
}

async function pickPlan(
  source: JsonSource,
  target: ArchiveTarget,
  errors: ImageScanError[],
): Promise<{ plan: ImagePlan } | ImageScanResult> {
  let plans: ImagePlan[];
  try {
    plans = await planImages(source);
  } catch (error) {
    if (error instanceof LayoutError) {
      const code = error.what === 'not-an-image' ? 'VIGIL_ERR_IMAGE_NOT_AN_IMAGE' : 'VIGIL_ERR_IMAGE_MANIFEST';
      const args = error.what === 'not-an-image' ? [target.label, error.message] : [error.member || target.label, error.message];
      return { errors: [...errors, scanError(code, args)] };
    }
    if (error instanceof MemberTooLargeError) return { errors: [...errors, scanError('VIGIL_ERR_IMAGE_MANIFEST', [error.member, error.message])] };
    return { errors: [...errors, scanError('VIGIL_ERR_IMAGE_SOURCE_READ', [target.label, reason(error)])] };
  }
  const wanted = target.reference;
  const plan = (wanted ? plans.find((p) => p.repoTags.includes(wanted)) : undefined) ?? plans[0]!;
  return { plan };
}

async function readMember(source: JsonSource, name: string, plan: ImagePlan, target: ArchiveTarget): Promise<Buffer | ImageScanError> {
  try {
    const bytes = await source.read(name);
    return bytes ?? scanError('VIGIL_ERR_IMAGE_CONFIG', [name, `missing from ${target.label}`]);
  } catch (error) {
    return scanError('VIGIL_ERR_IMAGE_CONFIG', [name, reason(error)]);
  }
}

function labelsFor(plan: ImagePlan, target: ArchiveTarget): FactLabels {
  const reference =
    target.labels?.reference ?? (target.reference && plan.repoTags.includes(target.reference) ? target.reference : undefined) ?? plan.repoTags[0] ?? target.label;
  return {
    reference,
    source: target.labels?.source ?? plan.format,
    repoTags: target.labels?.repoTags ?? plan.repoTags,
    repoDigests: target.labels?.repoDigests ?? [],
  };
}

/** Decides from the first non-blank byte whether a blob is JSON (config, manifest) or a layer. */
class SniffSink implements TarEntrySink {
  private target: TarEntrySink | null | undefined;
  private held: Buffer[] = [];

  constructor(
    private readonly asJson: () => TarEntrySink | null,
    private readonly asLayer: () => TarEntrySink,
  ) {}

  write(chunk: Buffer): void | Promise<void> {
    if (this.target !== undefined) return this.target?.write(chunk);
    this.held.push(Buffer.from(chunk)); // kept across writes: the caller may reuse its buffer
    const first = firstNonBlank(this.held);
    if (first === undefined) return;
    this.target = first === 0x7b ? this.asJson() : this.asLayer();
    return this.replay();
  }

  end(): void | Promise<void> {
    if (this.target === undefined) this.target = this.asJson();
    if (this.held.length > 0) {
      const pending = this.replay();
      return pending.then(() => this.target?.end());
    }
    return this.target?.end();
  }

  private async replay(): Promise<void> {
    const held = this.held;
    this.held = [];
    for (const chunk of held) await this.target?.write(chunk);
  }
}

function firstNonBlank(chunks: Buffer[]): number | undefined {
  for (const chunk of chunks) {
    for (const byte of chunk) if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return byte;
  }
  return undefined;
}

class LimitError extends Error {}

/** Counts bytes into the scan's progress as they are read. */
export async function* counted(input: AsyncIterable<Buffer>, context: ScanContext): AsyncGenerator<Buffer> {
  for await (const chunk of input) {
    context.progress.add(chunk.length);
    yield chunk;
  }
}

/** Gunzips a whole archive, with the layers' ratio limit applied to the archive as a whole. */
async function* gunzipLimited(input: AsyncIterable<Buffer>, context: ScanContext): AsyncGenerator<Buffer> {
  const gunzip = zlib.createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  let compressed = 0;
  let decompressed = 0;
  const feeding = (async () => {
    try {
      for await (const chunk of input) {
        compressed += chunk.length;
        if (!gunzip.write(chunk)) await drainOrClose(gunzip);
        if (gunzip.destroyed) return;
      }
      gunzip.end();
    } catch (error) {
      gunzip.destroy(error as Error);
    }
  })();
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      decompressed += chunk.length;
      const { maxCompressionRatio, ratioCheckAfterBytes } = context.limits;
      if (decompressed > ratioCheckAfterBytes && decompressed > maxCompressionRatio * compressed) {
        throw new LimitError(
          `stopped after ${decompressed} decompressed bytes from ${compressed} compressed: ratio above ${maxCompressionRatio}:1 (possible decompression bomb)`,
        );
      }
      yield chunk;
    }
  } finally {
    gunzip.destroy();
    await feeding;
  }
}

function drainOrClose(stream: NodeJS.WritableStream & NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

async function isGzipFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}
