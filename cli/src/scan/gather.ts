import fs from 'node:fs/promises';
import path from 'node:path';
import {
  collectHostFact,
  detectFileKind,
  DockerApiImageSource,
  DockerApiSource,
  DockerDiskSource,
  EXCEPTIONS_KEY,
  dockerfileCandidate,
  finalStageLabels,
  ImageScanner,
  looksLikeDockerfile,
  parseDockerfile,
  normaliseDockerInspect,
  parseComposeFile,
  parseDeclaredExceptions,
  parseKubernetesManifests,
  scanImage,
  type ContainerSource,
  type ImageSource,
} from '../../../collectors/src/index.js';
import type { FactInit } from '../../../proto/src/index.js';
import { readFactFile } from '../facts/fact-file.js';
import { globMatches } from './ignore.js';
import { progressBar } from './progress.js';
import type { ScanError, ScanOptions, SourcedFact } from './scan.js';

const MANIFEST_EXTENSIONS = ['.json', '.yaml', '.yml'];
const ARCHIVE_PATTERN = /\.(tar|tar\.gz|tgz)$/i;
const MAX_TEXT_BYTES = 32 * 1024 * 1024;

interface Gathered {
  facts: SourcedFact[];
  errors: ScanError[];
}

/** Turns every scan target into facts; a target that cannot be read becomes an error, the rest go on. */
export async function gatherFacts(options: ScanOptions): Promise<Gathered> {
  const out: Gathered = { facts: [], errors: [] };
  for (const target of options.targets) await gatherPath(target, true, options, out);
  if (options.docker) {
    const socketPath = options.socketPath ?? '/var/run/docker.sock';
    await gatherContainers(new DockerApiSource({ socketPath }), `docker:${socketPath}`, out);
  }
  if (options.host) await gatherHost(options, out);
  if (options.hostRoot !== undefined && !(options.host && options.docker)) {
    await gatherContainers(new DockerDiskSource({ hostRoot: options.hostRoot }), `host-root:${options.hostRoot}`, out);
  }
  if (options.dockerImages) await gatherEngineImages(options, out);
  for (const file of options.factFiles ?? []) await gatherFactFile(file, out);
  return out;
}

/** A fact file's facts (`vigil facts export`), each sourced as its collector's host. */
async function gatherFactFile(file: string, out: Gathered): Promise<void> {
  try {
    for await (const { batch } of readFactFile(file)) {
      for (const fact of batch.facts) out.facts.push({ fact, source: fact.source?.host || file });
    }
  } catch (error) {
    out.errors.push({ source: file, error: (error as Error).message });
  }
}

/** The host's own settings, as the host collector reads them, in the scan. */
async function gatherHost(options: ScanOptions, out: Gathered): Promise<void> {
  const hostRoot = options.hostRoot ?? '/';
  const label = `host:${hostRoot}`;
  try {
    const { fact, errors } = await collectHostFact({ hostRoot, ...(options.socketPath ? { dockerSocket: options.socketPath } : {}) });
    out.facts.push({ fact: { host: fact }, source: label });
    for (const e of errors) out.errors.push({ source: label, error: e });
  } catch (error) {
    out.errors.push({ source: label, error: (error as Error).message });
  }
}

async function gatherContainers(source: ContainerSource, label: string, out: Gathered): Promise<void> {
  try {
    const { facts, failures } = await source.list();
    for (const container of facts) out.facts.push({ fact: { container }, source: label });
    for (const f of failures) out.errors.push({ source: `${label} ${f.path}`, error: f.message });
  } catch (error) {
    out.errors.push({ source: label, error: (error as Error).message });
  } finally {
    await source.close?.();
  }
}

async function gatherEngineImages(options: ScanOptions, out: Gathered): Promise<void> {
  const socketPath = options.socketPath ?? '/var/run/docker.sock';
  const engine = new DockerApiImageSource({ socketPath });
  const scanner = new ImageScanner();
  try {
    for (const image of await engine.list()) {
      const label = `docker-image:${image.repoTags[0] ?? image.id}`;
      const result = await scanner.scanEngineImage(engine, image, { onProgress: options.progress ? progressBar(label) : undefined });
      pushImage(result.fact, result.errors, label, out);
    }
  } catch (error) {
    out.errors.push({ source: `docker:${socketPath}`, error: (error as Error).message });
  } finally {
    await engine.close?.();
  }
}

async function gatherPath(target: string, explicit: boolean, options: ScanOptions, out: Gathered): Promise<void> {
  const relative = path.relative(process.cwd(), path.resolve(target)).split(path.sep).join('/');
  let stat;
  try {
    stat = await fs.stat(target);
  } catch (error) {
    out.errors.push({ source: target, error: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
    return;
  }
  if (stat.isDirectory()) {
    if (!explicit && options.skip?.dirs.some((g) => globMatches(g, relative))) return;
    if (await exists(path.join(target, 'oci-layout'))) {
      await gatherImage({ kind: 'oci-layout', path: target }, target, options, out);
      return;
    }
    const entries = (await fs.readdir(target)).sort();
    for (const entry of entries) {
      if (entry.startsWith('.') || entry === 'node_modules') continue;
      await gatherPath(path.join(target, entry), false, options, out);
    }
    return;
  }
  if (!explicit && options.skip?.files.some((g) => globMatches(g, relative))) return;
  if (ARCHIVE_PATTERN.test(target)) {
    await gatherImage({ kind: 'archive', path: target }, target, options, out);
    return;
  }
  const name = path.basename(target);
  const dockerfileByName = dockerfileCandidate(name);
  if (!dockerfileByName && !explicit && !MANIFEST_EXTENSIONS.includes(path.extname(target).toLowerCase())) return;
  if (stat.size > MAX_TEXT_BYTES) {
    out.errors.push({ source: target, error: `larger than ${MAX_TEXT_BYTES} bytes` });
    return;
  }
  const text = await fs.readFile(target, 'utf8');
  if (looksLikeDockerfile(name, text) && (dockerfileByName || explicit)) {
    gatherDockerfile(text, target, out);
    return;
  }
  if (dockerfileByName && !explicit) return;
  if (!MANIFEST_EXTENSIONS.includes(path.extname(target).toLowerCase())) {
    out.errors.push({ source: target, error: 'not a Dockerfile, docker inspect JSON, Kubernetes manifest, compose file or image tarball' });
    return;
  }
  gatherText(text, target, explicit, out);
}

function gatherDockerfile(text: string, file: string, out: Gathered): void {
  const { fact, errors } = parseDockerfile(text, file);
  if (fact) {
    const declared = finalStageLabels(fact)[EXCEPTIONS_KEY];
    if (declared) {
      const parsed = parseDeclaredExceptions(declared);
      fact.declared_exceptions = parsed.exceptions;
      for (const problem of parsed.problems) out.errors.push({ source: file, error: `${EXCEPTIONS_KEY} label: ${problem}` });
    }
    out.facts.push({ fact: { dockerfile: fact }, source: file });
  }
  for (const e of errors) out.errors.push({ source: e.file, error: e.message });
}

function gatherText(text: string, file: string, explicit: boolean, out: Gathered): void {
  switch (detectFileKind(text)) {
    case 'docker-inspect':
      gatherInspect(text, file, out);
      return;
    case 'kubernetes':
      pushManifests(parseKubernetesManifests(text, file), out);
      return;
    case 'compose':
      pushManifests(parseComposeFile(text, file), out);
      return;
    default:
      if (explicit) out.errors.push({ source: file, error: 'not a docker inspect JSON, Kubernetes manifest or compose file' });
  }
}

function gatherInspect(text: string, file: string, out: Gathered): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    out.errors.push({ source: file, error: `invalid JSON: ${(error as Error).message}` });
    return;
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  items.forEach((item, index) => {
    try {
      out.facts.push({ fact: { container: normaliseDockerInspect(item as Parameters<typeof normaliseDockerInspect>[0]) }, source: file });
    } catch (error) {
      out.errors.push({ source: `${file}[${index}]`, error: (error as Error).message });
    }
  });
}

function pushManifests(scan: ReturnType<typeof parseKubernetesManifests>, out: Gathered): void {
  for (const c of scan.containers) {
    out.facts.push({ fact: { container: c.fact }, source: c.source, ...(c.line !== undefined ? { line: c.line } : {}), ...(c.probe ? { probe: c.probe } : {}) });
  }
  for (const e of scan.errors) {
    out.errors.push({ source: e.document === undefined ? e.file : `${e.file}#${e.document}`, error: e.message });
  }
}

async function gatherImage(source: ImageSource, label: string, options: ScanOptions, out: Gathered): Promise<void> {
  const result = await scanImage(source, { onProgress: options.progress ? progressBar(label) : undefined });
  pushImage(result.fact, result.errors, label, out);
}

function pushImage(fact: FactInit['image'], errors: { code: string; message: string }[], label: string, out: Gathered): void {
  if (fact) {
    const declared = fact.config?.labels?.[EXCEPTIONS_KEY];
    if (declared) {
      const parsed = parseDeclaredExceptions(declared);
      fact.declared_exceptions = parsed.exceptions;
      for (const problem of parsed.problems) out.errors.push({ source: label, error: `${EXCEPTIONS_KEY} label: ${problem}` });
    }
    out.facts.push({ fact: { image: fact }, source: label });
  }
  // A fact with scan errors is still judged; the errors are reported beside it.
  for (const e of errors) out.errors.push({ source: label, error: e.message });
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
