/**
 * Which images an archive holds and in what order their layers stack:
 * docker save's manifest.json, or an OCI image layout's index.json →
 * (nested index →) manifest → config + layers. Names are archive paths
 * ("<id>/layer.tar", "blobs/sha256/<hex>"), normalised so a hostile manifest
 * cannot point outside the archive.
 */
import { normaliseEntryPath } from './paths.js';

export interface PlannedLayer {
  /** Archive path of the layer blob. */
  name: string;
  digest: string;
  mediaType: string;
}

export interface ImagePlan {
  format: 'docker-save' | 'oci-layout';
  configName: string;
  /** Declared digest of the config ("sha256:…"), when the format states one. */
  configDigest: string;
  repoTags: string[];
  layers: PlannedLayer[];
}

export interface JsonSource {
  /** The bytes of an archive member, undefined when absent. Throws when it is larger than allowed. */
  read(name: string): Promise<Buffer | undefined>;
}

export class LayoutError extends Error {
  constructor(
    readonly what: 'not-an-image' | 'manifest',
    readonly member: string,
    message: string,
  ) {
    super(message);
  }
}

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

export function archiveName(name: string): string {
  return normaliseEntryPath(name).path.slice(1);
}

export function blobName(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  if (!algorithm || !hex || !/^[a-z0-9+._-]+$/.test(algorithm) || !/^[a-zA-Z0-9=_-]+$/.test(hex)) {
    throw new LayoutError('manifest', digest, `invalid digest ${JSON.stringify(digest)}`);
  }
  return `blobs/${algorithm}/${hex}`;
}

/** Every image in the archive, docker save's manifest.json preferred (it carries the tags). */
export async function planImages(source: JsonSource): Promise<ImagePlan[]> {
  const manifest = await source.read('manifest.json');
  if (manifest !== undefined) return dockerSavePlans(manifest);
  const index = await source.read('index.json');
  if (index !== undefined) return ociPlans(source, index);
  throw new LayoutError('not-an-image', '', 'no manifest.json or index.json found');
}

function dockerSavePlans(bytes: Buffer): ImagePlan[] {
  const entries = parseJson(bytes, 'manifest.json');
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new LayoutError('manifest', 'manifest.json', 'expected a non-empty JSON array');
  }
  return entries.map((entry, index) => {
    if (!isObject(entry) || typeof entry.Config !== 'string' || !Array.isArray(entry.Layers)) {
      throw new LayoutError('manifest', 'manifest.json', `entry ${index} lacks "Config" or "Layers"`);
    }
    const configName = archiveName(entry.Config);
    const hex = /([a-f0-9]{64})(?:\.json)?$/.exec(configName)?.[1];
    const layers = entry.Layers.map((layer, position): PlannedLayer => {
      if (typeof layer !== 'string') throw new LayoutError('manifest', 'manifest.json', `entry ${index} layer ${position} is not a path`);
      const name = archiveName(layer);
      const blob = /^blobs\/([a-z0-9]+)\/([a-f0-9]+)$/.exec(name);
      return { name, digest: blob ? `${blob[1]}:${blob[2]}` : '', mediaType: '' };
    });
    const tags = Array.isArray(entry.RepoTags) ? entry.RepoTags.filter((t): t is string => typeof t === 'string') : [];
    return { format: 'docker-save', configName, configDigest: hex ? `sha256:${hex}` : '', repoTags: tags, layers };
  });
}

async function ociPlans(source: JsonSource, indexBytes: Buffer): Promise<ImagePlan[]> {
  const plans: ImagePlan[] = [];
  const visit = async (bytes: Buffer, member: string, tags: string[], depth: number): Promise<void> => {
    const index = parseJson(bytes, member);
    if (!isObject(index) || !Array.isArray(index.manifests)) throw new LayoutError('manifest', member, 'expected "manifests" in an image index');
    const descriptors = index.manifests.filter(isObject).filter((d) => !isAttestation(d));
    for (const descriptor of depth === 0 ? descriptors : pickPlatform(descriptors)) {
      const digest = String(descriptor.digest ?? '');
      const name = blobName(digest);
      const annotations = isObject(descriptor.annotations) ? descriptor.annotations : {};
      const ownTags = [annotations['io.containerd.image.name'], annotations['org.opencontainers.image.ref.name']]
        .filter((t): t is string => typeof t === 'string' && t !== '')
        .slice(0, 1);
      const blob = await source.read(name);
      if (blob === undefined) throw new LayoutError('manifest', name, `manifest ${digest} is missing from the layout`);
      const mediaType = String(descriptor.mediaType ?? '');
      if (INDEX_TYPES.has(mediaType) || (mediaType === '' && isIndex(blob))) {
        if (depth >= 2) throw new LayoutError('manifest', name, 'image indexes nested too deep');
        await visit(blob, name, ownTags.length > 0 ? ownTags : tags, depth + 1);
      } else {
        plans.push(ociPlan(blob, name, ownTags.length > 0 ? ownTags : tags));
      }
    }
  };
  await visit(indexBytes, 'index.json', [], 0);
  if (plans.length === 0) throw new LayoutError('manifest', 'index.json', 'no image manifest in the index');
  return plans;
}

function ociPlan(bytes: Buffer, member: string, tags: string[]): ImagePlan {
  const manifest = parseJson(bytes, member);
  if (!isObject(manifest) || !isObject(manifest.config) || !Array.isArray(manifest.layers)) {
    throw new LayoutError('manifest', member, 'expected "config" and "layers" in an image manifest');
  }
  const configDigest = String(manifest.config.digest ?? '');
  const layers = manifest.layers.map((layer, position): PlannedLayer => {
    if (!isObject(layer)) throw new LayoutError('manifest', member, `layer ${position} is not a descriptor`);
    const digest = String(layer.digest ?? '');
    return { name: blobName(digest), digest, mediaType: String(layer.mediaType ?? '') };
  });
  return { format: 'oci-layout', configName: blobName(configDigest), configDigest, repoTags: tags, layers };
}

/** From a multi-platform index: linux on this machine's architecture, else linux/amd64, else the first. */
function pickPlatform(descriptors: Record<string, unknown>[]): Record<string, unknown>[] {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const platformOf = (d: Record<string, unknown>): { os: string; architecture: string } => {
    const p = isObject(d.platform) ? d.platform : {};
    return { os: String(p.os ?? ''), architecture: String(p.architecture ?? '') };
  };
  const match =
    descriptors.find((d) => platformOf(d).os === 'linux' && platformOf(d).architecture === arch) ??
    descriptors.find((d) => platformOf(d).os === 'linux' && platformOf(d).architecture === 'amd64') ??
    descriptors[0];
  return match ? [match] : [];
}

function isAttestation(descriptor: Record<string, unknown>): boolean {
  const annotations = isObject(descriptor.annotations) ? descriptor.annotations : {};
  return annotations['vnd.docker.reference.type'] === 'attestation-manifest';
}

function isIndex(bytes: Buffer): boolean {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return isObject(value) && Array.isArray(value.manifests);
  } catch {
    return false;
  }
}

function parseJson(bytes: Buffer, member: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new LayoutError('manifest', member, `not JSON: ${(error as Error).message}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
