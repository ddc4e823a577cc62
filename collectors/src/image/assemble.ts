/**
 * Builds one image's fact from its plan, its config bytes and its layer
 * summaries (scanned now, in order, or earlier from a stream).
 */
import { createHash } from 'node:crypto';
import { ConfigError, configSecrets, parseImageConfig } from './config.js';
import { scanError, type ImageScanError } from '../errors.js';
import type { LayerSummary } from './layer-scan.js';
import type { ImagePlan, PlannedLayer } from './layout.js';
import type { ScanLimits } from './limits.js';
import { FilesystemView } from './merge.js';
import { osReleaseString } from './packages.js';
import type { Progress } from './progress.js';
import type { ImageFactInit } from './types.js';

export interface ImageScanResult {
  /** Absent when the image cannot be described at all (no or malformed config, not an image). */
  fact?: ImageFactInit;
  errors: ImageScanError[];
}

export interface ScanContext {
  limits: ScanLimits;
  progress: Progress;
  /** A cached result for an image id, consulted once the id is known and before layers are read. */
  lookup?: (id: string) => ImageScanResult | undefined;
}

export interface FactLabels {
  reference: string;
  source: string;
  repoTags?: string[];
  repoDigests?: string[];
}

export type LayerLoader = (layer: PlannedLayer, index: number) => Promise<LayerSummary | ImageScanError>;

export function imageIdOf(configBytes: Buffer): string {
  return `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
}

export function layerLabel(layer: PlannedLayer): string {
  return layer.digest || layer.name;
}

export async function assembleImage(
  plan: ImagePlan,
  configBytes: Buffer | ImageScanError,
  loadLayer: LayerLoader,
  labels: FactLabels,
  context: ScanContext,
  earlierErrors: ImageScanError[] = [],
): Promise<ImageScanResult> {
  const errors = [...earlierErrors];
  if (!Buffer.isBuffer(configBytes)) return { errors: [...errors, configBytes] };
  const id = imageIdOf(configBytes);
  if (plan.configDigest !== '' && plan.configDigest !== id) {
    errors.push(scanError('VIGIL_ERR_IMAGE_CONFIG_DIGEST', [plan.configName, id]));
  }
  let parsed;
  try {
    parsed = parseImageConfig(configBytes);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { errors: [...errors, scanError('VIGIL_ERR_IMAGE_CONFIG', [plan.configName, error.message])] };
  }
  const cached = context.lookup?.(id);
  if (cached?.fact) return relabel(cached, labels);

  if (parsed.diffIds.length !== plan.layers.length) {
    errors.push(
      scanError('VIGIL_ERR_IMAGE_MANIFEST', [
        plan.configName,
        `the manifest lists ${plan.layers.length} layers, the config's rootfs ${parsed.diffIds.length}`,
      ]),
    );
  }
  const view = new FilesystemView();
  for (const [index, layer] of plan.layers.entries()) {
    const loaded = await loadLayer(layer, index);
    if ('code' in loaded) view.addError(loaded);
    else view.apply(loaded, index, layerLabel(layer));
  }
  const merged = view.result();
  errors.push(...merged.errors);
  const fact: ImageFactInit = {
    id,
    repo_tags: labels.repoTags ?? plan.repoTags,
    repo_digests: labels.repoDigests ?? [],
    reference: labels.reference,
    config: parsed.config,
    history: parsed.history,
    os_release: osReleaseString(merged.osRelease),
    packages: merged.packages,
    files: merged.files,
    secrets: [...configSecrets(parsed), ...merged.secrets],
    size_bytes: merged.bytes,
    layer_count: plan.layers.length,
    source: labels.source,
    scan_errors: errors.map((error) => error.message),
  };
  return { fact, errors };
}

/** A cached result under the names of the current source (the same image may be scanned as a tag, a tarball, ...). */
export function relabel(result: ImageScanResult, labels: FactLabels): ImageScanResult {
  if (!result.fact) return result;
  const fact: ImageFactInit = { ...result.fact, reference: labels.reference, source: labels.source };
  if (labels.repoTags) fact.repo_tags = labels.repoTags;
  if (labels.repoDigests) fact.repo_digests = labels.repoDigests;
  return { fact, errors: result.errors };
}
