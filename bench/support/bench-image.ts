/**
 * The image the image-scan scenario reads, built once and cached:
 * a `docker save` tarball (Docker 20.10 writes its layers uncompressed) and
 * the same image as an OCI layout tar with gzip layers, so that
 * decompression is part of the second measurement.
 *
 * Full runs use a Debian bookworm root filesystem made by `debootstrap`
 * (minbase plus python3, perl, curl, git: a few hundred MB); when debootstrap
 * or its mirror is missing, a Debian-like tree copied from this host
 * (/usr, /etc without its secrets, /var/lib/dpkg). Quick runs use a smaller
 * tree from this host. The image is imported into Docker only to be saved,
 * then removed again: a big image left in the shared engine would slow down
 * every test that scans the engine's images.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { docker, imageExists, importTree } from './docker.js';

const exec = promisify(execFile);

export interface BenchImage {
  /** `docker save` output as the engine wrote it. */
  dockerSave: string;
  /** The same image as an OCI image layout in a tar, layers gzip-compressed. */
  ociGzip: string;
  /** Where the root filesystem came from, for the notes. */
  origin: string;
  reference: string;
  /** True when this run built it (the timings of a first run include none of that). */
  built: boolean;
}

export const DEBIAN_PACKAGES = ['python3', 'perl', 'curl', 'ca-certificates', 'git', 'openssl'];

export function benchCacheDir(): string {
  return process.env['VIGIL_BENCH_DIR'] ?? path.join(os.homedir(), '.cache', 'vigil', 'bench');
}

/** The full-size Debian image (`big`) or the quick run's small one. */
export async function benchImage(size: 'big' | 'small'): Promise<BenchImage> {
  const dir = benchCacheDir();
  await fs.mkdir(dir, { recursive: true });
  const name = size === 'big' ? 'debian' : 'small';
  const reference = `vigil-bench/${name}:1`;
  const dockerSave = path.join(dir, `${name}-save.tar`);
  const ociGzip = path.join(dir, `${name}-oci-gzip.tar`);
  const originFile = path.join(dir, `${name}-origin.txt`);
  let built = false;
  if (!existsSync(dockerSave)) {
    built = true;
    const origin = size === 'big' ? await importDebian(dir, reference) : await importSmallTree(reference);
    await docker(['save', '-o', `${dockerSave}.part`, reference]);
    await fs.rename(`${dockerSave}.part`, dockerSave);
    await docker(['rmi', reference]);
    await fs.writeFile(originFile, origin);
    await fs.rm(ociGzip, { force: true });
  }
  if (!existsSync(ociGzip)) {
    built = true;
    await dockerSaveToOciGzip(dockerSave, ociGzip, reference);
  }
  const origin = (await fs.readFile(originFile, 'utf8').catch(() => 'unknown')).trim();
  return { dockerSave, ociGzip, origin, reference, built };
}

async function importDebian(dir: string, reference: string): Promise<string> {
  const rootfs = path.join(dir, 'debian-rootfs');
  let origin = `debootstrap --variant=minbase --include=${DEBIAN_PACKAGES.join(',')} bookworm`;
  if (!existsSync(path.join(rootfs, 'usr', 'bin', 'dpkg'))) {
    const failure = await debootstrap(rootfs);
    if (failure !== undefined) {
      await importTree('/', ['usr', 'etc', 'var/lib/dpkg'], reference, HOST_SECRETS);
      return `host tree (/usr, /etc without keys and shadow files, /var/lib/dpkg): debootstrap failed: ${failure}`;
    }
  } else {
    origin += ' (root filesystem cached)';
  }
  if (await imageExists(reference)) await docker(['rmi', reference]);
  // Like Docker's own debian images: no downloaded .debs, no apt lists.
  await importTree(rootfs, ['.'], reference, ['./var/cache/apt/archives/*.deb', './var/lib/apt/lists/*_*', './proc/*', './sys/*']);
  return origin;
}

const HOST_SECRETS = ['etc/ssh', 'etc/shadow*', 'etc/gshadow*', 'etc/ssl/private', 'etc/sudoers.d', '*.key'];

async function importSmallTree(reference: string): Promise<string> {
  const paths = ['var/lib/dpkg', 'usr/lib/python3', 'usr/lib/os-release', 'etc/os-release'].filter((p) => existsSync(path.join('/', p)));
  await importTree('/', paths, reference, HOST_SECRETS);
  return `small tree of this host (${paths.map((p) => `/${p}`).join(', ')}): quick runs do not build the Debian image`;
}

/** Runs debootstrap against the mirror apt uses; resolves with why it failed, or undefined. */
async function debootstrap(rootfs: string): Promise<string | undefined> {
  const binary = ['/usr/sbin/debootstrap', '/usr/bin/debootstrap'].find((p) => existsSync(p));
  if (!binary) return 'debootstrap is not installed (apt-get install -y debootstrap)';
  const partial = `${rootfs}.part`;
  await fs.rm(partial, { recursive: true, force: true });
  try {
    await exec(
      binary,
      ['--variant=minbase', `--include=${DEBIAN_PACKAGES.join(',')}`, 'bookworm', partial, await debianMirror()],
      { maxBuffer: 64 * 1024 * 1024, timeout: 20 * 60_000 },
    );
  } catch (error) {
    await fs.rm(partial, { recursive: true, force: true });
    return (error as Error).message.split('\n').slice(-3).join(' ');
  }
  await fs.rename(partial, rootfs);
  return undefined;
}

/** The Debian mirror named in apt's sources (deb822 or one-line format). */
export async function debianMirror(): Promise<string> {
  const files = ['/etc/apt/sources.list', ...(await fs.readdir('/etc/apt/sources.list.d').catch(() => [])).map((f) => `/etc/apt/sources.list.d/${f}`)];
  for (const file of files.filter((f) => f.endsWith('.list') || f.endsWith('.sources'))) {
    const text = await fs.readFile(file, 'utf8').catch(() => '');
    const uri = /^URIs:\s*(\S+\/debian)\/?\s*$/m.exec(text) ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\/?\s/m.exec(text);
    if (uri) return uri[1]!;
  }
  return 'http://deb.debian.org/debian';
}

interface SaveManifestEntry {
  Config: string;
  RepoTags?: string[];
  Layers: string[];
}

/**
 * Repackages a docker save tarball as an OCI image layout tar whose layers
 * are gzip-compressed (what a registry serves), with the manifest.json that
 * Docker 25+ writes beside index.json in its own `docker save`.
 */
async function dockerSaveToOciGzip(dockerSave: string, target: string, reference: string): Promise<void> {
  const work = await fs.mkdtemp(path.join(path.dirname(target), 'oci-build-'));
  try {
    const extracted = path.join(work, 'save');
    const layout = path.join(work, 'layout');
    await fs.mkdir(extracted);
    await fs.mkdir(path.join(layout, 'blobs', 'sha256'), { recursive: true });
    await exec('tar', ['-C', extracted, '-xf', dockerSave]);
    const [entry] = JSON.parse(await fs.readFile(path.join(extracted, 'manifest.json'), 'utf8')) as SaveManifestEntry[];
    if (!entry) throw new Error(`${dockerSave}: empty manifest.json`);
    const blob = async (bytes: Buffer): Promise<{ digest: string; size: number }> => {
      const hex = createHash('sha256').update(bytes).digest('hex');
      await fs.writeFile(path.join(layout, 'blobs', 'sha256', hex), bytes);
      return { digest: `sha256:${hex}`, size: bytes.length };
    };
    const config = await blob(await fs.readFile(path.join(extracted, entry.Config)));
    const layers = [];
    for (const layer of entry.Layers) {
      const temporary = path.join(layout, 'blobs', 'sha256', 'layer.part');
      const hash = createHash('sha256');
      const gzip = zlib.createGzip({ level: 6 });
      gzip.on('data', (chunk: Buffer) => hash.update(chunk));
      await pipeline(createReadStream(path.join(extracted, layer)), gzip, createWriteStream(temporary));
      const hex = hash.digest('hex');
      const size = (await fs.stat(temporary)).size;
      await fs.rename(temporary, path.join(layout, 'blobs', 'sha256', hex));
      layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${hex}`, size });
    }
    const manifest = await blob(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
          layers,
        }),
      ),
    );
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': '1', 'io.containerd.image.name': `docker.io/${reference}` },
        },
      ],
    };
    await fs.writeFile(path.join(layout, 'index.json'), JSON.stringify(index));
    await fs.writeFile(path.join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    // Docker 25+ writes this beside index.json in `docker save`; tools that read docker archives (Trivy) need it.
    const dockerManifest = [{ Config: `blobs/sha256/${config.digest.slice(7)}`, RepoTags: [reference], Layers: layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`) }];
    await fs.writeFile(path.join(layout, 'manifest.json'), JSON.stringify(dockerManifest));
    await exec('tar', ['-C', layout, '-cf', `${target}.part`, 'oci-layout', 'index.json', 'manifest.json', 'blobs']);
    await fs.rename(`${target}.part`, target);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
