import fs from 'node:fs/promises';
import path from 'node:path';
import { parseComposeFile, type ComposeOptions } from './compose.js';
import { detectFileKind } from './detect.js';
import { collectorMessage } from '../errors.js';
import { parseKubernetesManifests, type ManifestOptions } from './kubernetes.js';
import type { FileKind, ManifestScan } from './types.js';
import { yamlDocuments } from './yaml-documents.js';

export type ScanPathOptions = ManifestOptions & ComposeOptions;

export interface PathScan extends ManifestScan {
  /** Every candidate file read, in order, with what it was found to be. */
  files: { file: string; kind: FileKind }[];
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * A file or a directory (recursive, *.yaml/*.yml/*.json, dot-directories and
 * symlinked directories skipped, sorted so results are stable) → the
 * containers of its Kubernetes manifests and compose files. Docker inspect
 * arrays and other files are listed in `files` and otherwise left alone. A
 * file that cannot be read, or is not YAML at all, is an error value.
 */
export async function scanPath(target: string, options: ScanPathOptions = {}): Promise<PathScan> {
  const result: PathScan = { containers: [], errors: [], files: [] };
  let stat;
  try {
    stat = await fs.stat(target);
  } catch (error) {
    result.errors.push(readError(target, error));
    return result;
  }
  const files = stat.isDirectory() ? await listFiles(target, result) : [target];
  for (const file of files) {
    let content: string;
    try {
      content = await fs.readFile(file, 'utf8');
    } catch (error) {
      result.errors.push(readError(file, error));
      continue;
    }
    const kind = detectFileKind(content);
    result.files.push({ file, kind });
    const scanned =
      kind === 'kubernetes'
        ? parseKubernetesManifests(content, file, options)
        : kind === 'compose'
          ? parseComposeFile(content, file, options)
          : unreadable(content, file);
    result.containers.push(...scanned.containers);
    result.errors.push(...scanned.errors);
  }
  return result;
}

async function listFiles(directory: string, result: PathScan): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(directory, { withFileTypes: true });
  } catch (error) {
    result.errors.push(readError(directory, error));
    return [];
  }
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.')) out.push(...(await listFiles(full, result)));
    } else if ((entry.isFile() || entry.isSymbolicLink()) && EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
      if (entry.isSymbolicLink() && !(await isFile(full))) continue;
      out.push(full);
    }
  }
  return out;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/** An unknown file is skipped quietly unless it is not YAML at all: then every document's error is reported. */
function unreadable(content: string, file: string): ManifestScan {
  const documents = yamlDocuments(content);
  if (documents.length === 0 || documents.some((document) => 'value' in document)) return { containers: [], errors: [] };
  return {
    containers: [],
    errors: documents.flatMap((document) =>
      'error' in document
        ? [
            {
              file,
              document: document.index,
              code: 'VIGIL_ERR_MANIFEST_YAML' as const,
              message: collectorMessage('VIGIL_ERR_MANIFEST_YAML', file, document.index, document.error),
            },
          ]
        : [],
    ),
  };
}

function readError(file: string, error: unknown): ScanError {
  const code = (error as NodeJS.ErrnoException).code;
  const message = (error as Error).message ?? String(error);
  return { file, code: 'VIGIL_ERR_MANIFEST_READ', message: collectorMessage('VIGIL_ERR_MANIFEST_READ', file, code ?? message) };
}

type ScanError = ManifestScan['errors'][number];
