import { StringDecoder } from 'node:string_decoder';

/**
 * Package databases, parsed as they stream (a Debian status file can be
 * several MB; only the current stanza is held), and /etc/os-release.
 */

export type PackageManager = 'dpkg' | 'apk';

export interface InstalledPackage {
  name: string;
  version: string;
  source_name: string;
  /** The source package's version when the database gives one apart from the binary's. */
  source_version?: string;
  manager: PackageManager;
  arch: string;
}

const MAX_LINE = 64 * 1024;

/** Feeds text in chunks and calls `onLine` per line; overlong lines are cut, never buffered whole. */
export class LineSplitter {
  private rest = '';
  private skipping = false;
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: Buffer): void {
    const text = this.rest + this.decoder.write(chunk);
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline < 0) break;
      if (!this.skipping) this.onLine(text.slice(start, newline));
      this.skipping = false;
      start = newline + 1;
    }
    this.rest = text.slice(start);
    if (this.rest.length > MAX_LINE) {
      if (!this.skipping) this.onLine(this.rest.slice(0, MAX_LINE));
      this.skipping = true;
      this.rest = '';
    }
  }

  end(): void {
    this.rest += this.decoder.end();
    if (this.rest !== '' && !this.skipping) this.onLine(this.rest);
    this.rest = '';
    this.onLine('');
  }
}

/**
 * Debian `status` / `status.d/*` stanzas: Package, Version, Source, Status.
 * Only packages whose status ends in "installed" are kept (not
 * "config-files" leftovers); status.d files (distroless) have no Status field.
 */
export class DpkgStatusParser {
  readonly packages: InstalledPackage[] = [];
  private fields = new Map<string, string>();
  private readonly lines = new LineSplitter((line) => this.line(line));

  write(chunk: Buffer): void {
    this.lines.write(chunk);
  }

  end(): InstalledPackage[] {
    this.lines.end();
    return this.packages;
  }

  private line(line: string): void {
    if (line.trim() === '') {
      this.flush();
      return;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) return; // continuation (Description, Conffiles)
    const colon = line.indexOf(':');
    if (colon <= 0) return;
    const key = line.slice(0, colon);
    if (key === 'Package' || key === 'Version' || key === 'Source' || key === 'Status' || key === 'Architecture') {
      this.fields.set(key, line.slice(colon + 1).trim());
    }
  }

  private flush(): void {
    const name = this.fields.get('Package');
    const status = this.fields.get('Status');
    if (name && (status === undefined || /\binstalled$/.test(status))) {
      const version = this.fields.get('Version') ?? '';
      // "Source: glibc (2.36-9)" names the source package and, when it differs, its version.
      const [sourceName, sourceVersion] = parseSourceField(this.fields.get('Source') ?? '');
      this.packages.push({
        name,
        version,
        source_name: sourceName || name,
        ...(sourceVersion && sourceVersion !== version ? { source_version: sourceVersion } : {}),
        manager: 'dpkg',
        arch: this.fields.get('Architecture') ?? '',
      });
    }
    this.fields = new Map();
  }
}

/** "glibc (2.36-9)" → ["glibc", "2.36-9"]; "glibc" → ["glibc", ""]. */
function parseSourceField(field: string): [string, string] {
  const match = /^(\S+)(?:\s+\(([^)]+)\))?/.exec(field.trim());
  return match ? [match[1]!, match[2]?.trim() ?? ''] : ['', ''];
}

/** Alpine `lib/apk/db/installed`: "P:name", "V:version", "o:origin", stanzas split by blank lines. */
export class ApkInstalledParser {
  readonly packages: InstalledPackage[] = [];
  private name = '';
  private version = '';
  private origin = '';
  private arch = '';
  private readonly lines = new LineSplitter((line) => this.line(line));

  write(chunk: Buffer): void {
    this.lines.write(chunk);
  }

  end(): InstalledPackage[] {
    this.lines.end();
    return this.packages;
  }

  private line(line: string): void {
    if (line.trim() === '') {
      if (this.name !== '') {
        this.packages.push({ name: this.name, version: this.version, source_name: this.origin || this.name, manager: 'apk', arch: this.arch });
      }
      this.name = this.version = this.origin = this.arch = '';
      return;
    }
    const value = line.slice(2);
    if (line.startsWith('P:')) this.name = value.trim();
    else if (line.startsWith('V:')) this.version = value.trim();
    else if (line.startsWith('o:')) this.origin = value.trim();
    else if (line.startsWith('A:')) this.arch = value.trim();
  }
}

export interface OsRelease {
  id: string;
  versionId: string;
  versionCodename: string;
}

/** Parses os-release (shell-style KEY=value lines, values optionally quoted). */
export function parseOsRelease(text: string): OsRelease {
  const values = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const equals = line.indexOf('=');
    if (line.startsWith('#') || equals <= 0) continue;
    let value = line.slice(equals + 1).trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) {
      value = value.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    }
    values.set(line.slice(0, equals), value);
  }
  return {
    id: (values.get('ID') ?? '').toLowerCase(),
    versionId: values.get('VERSION_ID') ?? '',
    versionCodename: values.get('VERSION_CODENAME') ?? '',
  };
}

/** "debian 12", "alpine 3.20.3"; "" when unknown. */
export function osReleaseString(os: OsRelease | undefined): string {
  if (!os || os.id === '') return '';
  return os.versionId === '' ? os.id : `${os.id} ${os.versionId}`;
}

/**
 * The OSV ecosystem of a package (https://ossf.github.io/osv-schema/#affectedpackage-field):
 * "Debian:12", "Ubuntu:22.04", "Alpine:v3.20"; without a release version just the distribution.
 */
export function osvEcosystem(manager: PackageManager, os: OsRelease | undefined): string {
  const id = os?.id ?? '';
  const version = os?.versionId ?? '';
  switch (id) {
    case 'debian':
      return version ? `Debian:${version.split('.')[0]}` : 'Debian';
    case 'ubuntu':
      return version ? `Ubuntu:${version}` : 'Ubuntu';
    case 'alpine': {
      const [major, minor] = version.split('.');
      return major && minor ? `Alpine:v${major}.${minor}` : 'Alpine';
    }
    case 'wolfi':
      return 'Wolfi';
    case 'chainguard':
      return 'Chainguard';
    default:
      return manager === 'dpkg' ? 'Debian' : 'Alpine';
  }
}
