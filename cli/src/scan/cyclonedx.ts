import { createHash } from 'node:crypto';
import type { FactInit } from '../../../proto/src/index.js';

type ImageFact = NonNullable<FactInit['image']>;
type PackageFact = NonNullable<ImageFact['packages']>[number];

/**
 * A CycloneDX 1.6 SBOM of one image: the image as the BOM's subject, each
 * installed package as a component with its purl (deb, apk) and the layer
 * that installed it (index, and the history command that made the layer).
 */
export function cyclonedxBom(image: ImageFact, tool: { version: string }, now = new Date()): Record<string, unknown> {
  const [osId = '', osVersion = ''] = (image.os_release ?? '').split(' ');
  const history = (image.history ?? []).filter((h) => !h.empty_layer);
  const imageRef = image.id || image.reference || 'image';
  const components = (image.packages ?? []).map((p) => component(p, osId, osVersion, history));
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    // Deterministic: the same image gives the same serial number.
    serialNumber: `urn:uuid:${uuidFrom(imageRef)}`,
    version: 1,
    metadata: {
      timestamp: now.toISOString(),
      tools: { components: [{ type: 'application', name: 'vigil', version: tool.version }] },
      component: {
        type: 'container',
        'bom-ref': imageRef,
        name: image.repo_tags?.[0] ?? image.reference ?? imageRef,
        ...(image.id ? { version: image.id } : {}),
        properties: [
          ...(image.os_release ? [{ name: 'vigil:os_release', value: image.os_release }] : []),
          { name: 'vigil:layer_count', value: String(image.layer_count ?? 0) },
        ],
      },
    },
    components,
    dependencies: [{ ref: imageRef, dependsOn: components.map((c) => c['bom-ref'] as string) }],
  };
}

function component(p: PackageFact, osId: string, osVersion: string, history: ReadonlyArray<{ created_by?: string | null }>): Record<string, unknown> {
  const purl = purlOf(p, osId, osVersion);
  const layer = p.layer ?? 0;
  const createdBy = history[layer]?.created_by ?? '';
  return {
    type: 'library',
    'bom-ref': purl ?? `${p.manager}:${p.name}@${p.version}`,
    name: p.name ?? '',
    version: p.version ?? '',
    ...(purl ? { purl } : {}),
    properties: [
      { name: 'vigil:package_manager', value: p.manager ?? '' },
      ...(p.source_name && p.source_name !== p.name ? [{ name: 'vigil:source_package', value: p.source_name }] : []),
      ...(p.ecosystem ? [{ name: 'vigil:osv_ecosystem', value: p.ecosystem }] : []),
      { name: 'vigil:layer_index', value: String(layer) },
      ...(createdBy ? [{ name: 'vigil:layer_created_by', value: createdBy }] : []),
    ],
  };
}

/** Package URLs as the purl spec has them for Debian and Alpine packages. */
export function purlOf(p: PackageFact, osId: string, osVersion: string): string | undefined {
  const type = p.manager === 'dpkg' ? 'deb' : p.manager === 'apk' ? 'apk' : undefined;
  if (!type || !p.name || !p.version) return undefined;
  const namespace = osId || (type === 'deb' ? 'debian' : 'alpine');
  const qualifiers = [
    ...(p.arch ? [`arch=${encodeURIComponent(p.arch)}`] : []),
    ...(osVersion ? [`distro=${encodeURIComponent(`${namespace}-${osVersion}`)}`] : []),
  ];
  return `pkg:${type}/${encodeURIComponent(namespace)}/${encodeURIComponent(p.name)}@${encodeURIComponent(p.version)}${qualifiers.length ? `?${qualifiers.join('&')}` : ''}`;
}

function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  // Version 5-style layout (name-based), variant 10xx.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
