/**
 * A streaming tar reader that never buffers entry data it is not asked for.
 *
 * Chunks are pushed in; for each entry the caller's `onEntry` decides whether
 * it wants the data (returns a sink) or not (returns null, and the bytes are
 * counted off as they stream past, so a 10 GB entry costs nothing but the
 * time to read it). Understands ustar, GNU (long names, base-256 sizes) and
 * PAX headers, and keeps PAX extended-attribute values as raw bytes: a file
 * capability (`SCHILY.xattr.security.capability`) is binary and must not go
 * through a UTF-8 decoder (tar-stream decodes PAX values as UTF-8, which
 * mangles every byte ≥ 0x80 — that is why this reader exists).
 */

export type TarEntryType =
  | 'file'
  | 'link'
  | 'symlink'
  | 'character-device'
  | 'block-device'
  | 'directory'
  | 'fifo'
  | 'other';

export interface TarHeader {
  /** Path as stored in the archive (not normalised). */
  name: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  /** Bytes of data that follow the header (0 for header-only types). */
  size: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes from PAX `SCHILY.xattr.*` / `LIBARCHIVE.xattr.*`, values as raw bytes. */
  xattrs?: Map<string, Buffer>;
}

/** Receives one entry's data. A returned promise is awaited before more data is pushed. */
export interface TarEntrySink {
  write(chunk: Buffer): void | Promise<void>;
  end(): void | Promise<void>;
}

export class TarFormatError extends Error {
  constructor(
    message: string,
    readonly truncated: boolean,
  ) {
    super(message);
    this.name = 'TarFormatError';
  }
}

const BLOCK = 512;
/** PAX and GNU long-name headers larger than this are refused, not buffered. */
const MAX_META_BYTES = 1024 * 1024;

type State = 'header' | 'data' | 'padding' | 'meta' | 'end';

const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6']);

export class TarReader {
  /** Bytes consumed so far (headers, data and padding). */
  position = 0;
  /** Entries announced to `onEntry` (metadata headers not counted). */
  entries = 0;
  private state: State = 'header';
  private readonly block = Buffer.alloc(BLOCK);
  private blockFill = 0;
  private remaining = 0;
  private padding = 0;
  private sink: TarEntrySink | null = null;
  private current: TarHeader | undefined;
  private meta: { kind: string; chunks: Buffer[]; size: number } | undefined;
  private zeroBlocks = 0;
  private readonly pending = new PendingMeta();

  constructor(private readonly onEntry: (header: TarHeader) => TarEntrySink | null | undefined) {}

  /** True once the end-of-archive marker was read; later bytes are ignored. */
  get ended(): boolean {
    return this.state === 'end';
  }

  async push(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length && this.state !== 'end') {
      switch (this.state) {
        case 'header': {
          const take = Math.min(BLOCK - this.blockFill, chunk.length - offset);
          chunk.copy(this.block, this.blockFill, offset, offset + take);
          this.blockFill += take;
          offset += take;
          this.position += take;
          if (this.blockFill === BLOCK) {
            this.blockFill = 0;
            await this.header();
          }
          break;
        }
        case 'data': {
          const take = Math.min(this.remaining, chunk.length - offset);
          if (this.sink !== null) {
            const pending = this.sink.write(chunk.subarray(offset, offset + take));
            if (pending !== undefined) await pending;
          }
          offset += take;
          this.position += take;
          this.remaining -= take;
          if (this.remaining === 0) await this.finishData();
          break;
        }
        case 'meta': {
          const meta = this.meta!;
          const take = Math.min(this.remaining, chunk.length - offset);
          meta.chunks.push(Buffer.from(chunk.subarray(offset, offset + take)));
          offset += take;
          this.position += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.pending.absorb(meta.kind, Buffer.concat(meta.chunks, meta.size));
            this.meta = undefined;
            this.startPadding(meta.size);
          }
          break;
        }
        case 'padding': {
          const take = Math.min(this.padding, chunk.length - offset);
          offset += take;
          this.position += take;
          this.padding -= take;
          if (this.padding === 0) this.state = 'header';
          break;
        }
      }
    }
  }

  /** Call when the input ends. Throws a truncation error when it ended inside an entry. */
  async end(): Promise<void> {
    if (this.state === 'end' || (this.state === 'header' && this.blockFill === 0)) return;
    if (this.state === 'padding') return; // only the zero padding is missing: every byte of data arrived
    const where =
      this.state === 'data' && this.current
        ? `inside "${this.current.name}" (${this.current.size} bytes declared, ${this.current.size - this.remaining} present)`
        : `inside a header at byte ${this.position}`;
    if (this.sink !== null) {
      // Let the sink see what arrived; the truncation is reported either way.
      const pending = this.sink.end();
      if (pending !== undefined) await pending;
      this.sink = null;
    }
    throw new TarFormatError(`unexpected end of archive ${where}`, true);
  }

  private async header(): Promise<void> {
    const decoded = decodeHeaderBlock(this.block, this.position - BLOCK);
    if (decoded === null) {
      this.zeroBlocks++;
      if (this.zeroBlocks >= 2) this.state = 'end';
      return;
    }
    this.zeroBlocks = 0;
    if (decoded.meta) {
      if (decoded.size === 0) return;
      this.meta = { kind: decoded.typeflag, chunks: [], size: decoded.size };
      this.remaining = decoded.size;
      this.state = 'meta';
      return;
    }
    const header = this.pending.apply(decoded);
    this.entries++;
    this.current = header;
    this.sink = this.onEntry(header) ?? null;
    this.remaining = header.size;
    if (header.size === 0) {
      await this.finishData();
    } else {
      this.state = 'data';
    }
  }

  private async finishData(): Promise<void> {
    if (this.sink !== null) {
      const sink = this.sink;
      this.sink = null;
      const pending = sink.end();
      if (pending !== undefined) await pending;
    }
    this.startPadding(this.current?.size ?? 0);
  }

  private startPadding(size: number): void {
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    this.state = this.padding === 0 ? 'header' : 'padding';
  }

}

export interface DecodedBlock {
  typeflag: string;
  /** Bytes of data after the header block (PAX/long-name data for metadata headers). */
  size: number;
  /** A PAX or GNU long-name header, whose data describes the next entry. */
  meta: boolean;
  header: TarHeader;
}

/** Decodes one 512-byte header block; null for an all-zero block. `offset` is only for messages. */
export function decodeHeaderBlock(block: Buffer, offset: number): DecodedBlock | null {
  if (isZero(block)) return null;
  if (!checksumOk(block)) throw new TarFormatError(`invalid tar header at byte ${offset} (checksum mismatch)`, false);
  const typeflag = block[156] === 0 ? '0' : String.fromCharCode(block[156]!);
  const size = numeric(block, 124, 12);
  const meta = typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K';
  if (meta && size > MAX_META_BYTES) {
    throw new TarFormatError(`tar ${typeflag} header of ${size} bytes at byte ${offset} is too large`, false);
  }
  const magic = block.toString('latin1', 257, 263);
  let name = cString(block, 0, 100);
  if (magic === 'ustar\0') {
    const prefix = cString(block, 345, 155);
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  const header: TarHeader = {
    name,
    type: entryType(typeflag),
    mode: numeric(block, 100, 8),
    uid: numeric(block, 108, 8),
    gid: numeric(block, 116, 8),
    size: HEADER_ONLY.has(typeflag) ? 0 : size,
    linkname: cString(block, 157, 100),
    devmajor: numeric(block, 329, 8),
    devminor: numeric(block, 337, 8),
  };
  return { typeflag, size: meta ? size : header.size, meta, header };
}

/** GNU long names and PAX records waiting for the entry they describe. */
export class PendingMeta {
  private longName: string | undefined;
  private longLink: string | undefined;
  private pax: Map<string, Buffer> | undefined;

  absorb(typeflag: string, data: Buffer): void {
    if (typeflag === 'L') this.longName = cString(data, 0, data.length);
    else if (typeflag === 'K') this.longLink = cString(data, 0, data.length);
    else if (typeflag === 'x') this.pax = parsePax(data);
    // 'g' (global PAX) carries archive-wide defaults Vigil does not need.
  }

  apply(decoded: DecodedBlock): TarHeader {
    const header = decoded.header;
    if (this.longName !== undefined) header.name = this.longName;
    if (this.longLink !== undefined) header.linkname = this.longLink;
    if (this.pax !== undefined) applyPax(header, this.pax, HEADER_ONLY.has(decoded.typeflag));
    this.longName = undefined;
    this.longLink = undefined;
    this.pax = undefined;
    return header;
  }
}

function entryType(flag: string): TarEntryType {
  switch (flag) {
    case '0':
    case '7':
    case 'S': // GNU sparse: the stored data follows; its real layout does not matter here
      return 'file';
    case '1':
      return 'link';
    case '2':
      return 'symlink';
    case '3':
      return 'character-device';
    case '4':
      return 'block-device';
    case '5':
    case 'D':
      return 'directory';
    case '6':
      return 'fifo';
    default:
      return 'other';
  }
}

function isZero(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

function checksumOk(block: Buffer): boolean {
  const stored = numeric(block, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 32 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

function cString(buffer: Buffer, offset: number, length: number): string {
  let end = offset;
  const limit = Math.min(buffer.length, offset + length);
  while (end < limit && buffer[end] !== 0) end++;
  return buffer.toString('utf8', offset, end);
}

/** Octal (NUL/space terminated) or GNU base-256 when the high bit of the first byte is set. */
function numeric(buffer: Buffer, offset: number, length: number): number {
  const first = buffer[offset]!;
  if (first & 0x80) {
    let value = first & 0x3f; // bit 6 would be the sign: negative values are not valid here
    for (let i = 1; i < length; i++) value = value * 256 + buffer[offset + i]!;
    return value;
  }
  let value = 0;
  let seen = false;
  for (let i = offset; i < offset + length; i++) {
    const byte = buffer[i]!;
    if (byte >= 0x30 && byte <= 0x37) {
      value = value * 8 + (byte - 0x30);
      seen = true;
    } else if (seen) {
      break; // the terminating NUL or space
    }
  }
  return value;
}

/** PAX records: "<len> <key>=<value>\n", value kept as bytes. */
export function parsePax(data: Buffer): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space < 0) break;
    const length = Number.parseInt(data.toString('latin1', offset, space), 10);
    if (!Number.isSafeInteger(length) || length <= space - offset || offset + length > data.length) break;
    const record = data.subarray(space + 1, offset + length - 1); // drop the trailing newline
    const equals = record.indexOf(0x3d);
    if (equals > 0) records.set(record.toString('utf8', 0, equals), record.subarray(equals + 1));
    offset += length;
  }
  return records;
}

function applyPax(header: TarHeader, pax: Map<string, Buffer>, headerOnly: boolean): void {
  for (const [key, value] of pax) {
    switch (key) {
      case 'path':
        header.name = value.toString('utf8');
        break;
      case 'linkpath':
        header.linkname = value.toString('utf8');
        break;
      case 'size': {
        const size = Number.parseInt(value.toString('latin1'), 10);
        if (Number.isSafeInteger(size) && size >= 0 && !headerOnly) header.size = size;
        break;
      }
      case 'uid':
      case 'gid': {
        const id = Number.parseInt(value.toString('latin1'), 10);
        if (Number.isSafeInteger(id) && id >= 0) header[key] = id;
        break;
      }
      default:
        if (key.startsWith('SCHILY.xattr.')) {
          (header.xattrs ??= new Map()).set(key.slice('SCHILY.xattr.'.length), value);
        } else if (key.startsWith('LIBARCHIVE.xattr.')) {
          const name = safeDecodeURIComponent(key.slice('LIBARCHIVE.xattr.'.length));
          (header.xattrs ??= new Map()).set(name, Buffer.from(value.toString('latin1'), 'base64'));
        }
    }
  }
}

function safeDecodeURIComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
