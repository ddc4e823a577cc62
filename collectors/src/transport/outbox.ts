import fs from 'node:fs';
import path from 'node:path';
import type { BatchStore, QueuedBatch } from './batch-store.js';

/** One FactBatch waiting in the outbox. */
export interface OutboxEntry extends QueuedBatch {
  readonly segment: number;
  /** Offset of the record in its segment file. */
  readonly offset: number;
  /** Record size on disk, header included. */
  readonly size: number;
}

export interface OutboxOptions {
  dir: string;
  /** Bound on queued bytes; the oldest low-value batches are dropped first when it is exceeded. */
  maxBytes: number;
  /** Kinds whose facts are re-sent periodically, so dropping them loses little. */
  lowValueKinds: ReadonlySet<string>;
  /** A segment file is closed and a new one begun past this size. */
  segmentBytes?: number;
}

interface Cursor {
  segment: number;
  offset: number;
  /** Ids of batches beyond the cursor that were dropped to stay under maxBytes. */
  dropped: string[];
}

const CURSOR_FILE = 'cursor.json';
const SEGMENT_RE = /^segment-(\d{12})\.log$/;
const segmentName = (n: number): string => `segment-${String(n).padStart(12, '0')}.log`;

/**
 * Append-only on-disk queue of FactBatch records, in segment files of
 * length-prefixed records: u32 rest-length, u8 kind-length, kind, u32 fact count,
 * u8 id-length, id, batch bytes. A cursor file (replaced atomically by rename)
 * says where the first unacknowledged record is; segments wholly behind it are deleted.
 */
export class Outbox implements BatchStore<OutboxEntry> {
  private readonly entries: OutboxEntry[] = [];
  /** Dropped batches beyond the cursor, by id, with where they are (to forget them once the cursor passes). */
  private readonly droppedIds = new Map<string, { segment: number; offset: number }>();
  private readonly segmentBytes: number;
  private writeSegment: number;
  private writeOffset = 0;
  private writeFd: number;
  private liveBytes = 0;

  private constructor(
    private readonly options: OutboxOptions,
    writeSegment: number,
  ) {
    this.segmentBytes = options.segmentBytes ?? Math.max(64 * 1024, Math.min(8 * 1024 * 1024, Math.floor(options.maxBytes / 8)));
    this.writeSegment = writeSegment;
    this.writeFd = fs.openSync(this.segmentPath(writeSegment), 'a+');
  }

  /** Opens (or creates) the outbox in `dir`, loading every record beyond the cursor. */
  static open(options: OutboxOptions): Outbox {
    fs.mkdirSync(options.dir, { recursive: true });
    const cursor = readCursor(options.dir);
    const segments = fs
      .readdirSync(options.dir)
      .map((name) => SEGMENT_RE.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const loaded: OutboxEntry[] = [];
    for (const segment of segments) {
      const file = path.join(options.dir, segmentName(segment));
      if (segment < cursor.segment) {
        fs.rmSync(file, { force: true });
        continue;
      }
      loaded.push(...scanSegment(file, segment, segment === cursor.segment ? cursor.offset : 0));
    }
    // Always write into a fresh segment: a torn tail of the last one is never appended to.
    const outbox = new Outbox(options, (segments.at(-1) ?? 0) + 1);
    const dropped = new Set(cursor.dropped);
    for (const entry of loaded) {
      if (dropped.has(entry.id)) outbox.droppedIds.set(entry.id, { segment: entry.segment, offset: entry.offset });
      else {
        outbox.entries.push(entry);
        outbox.liveBytes += entry.size;
      }
    }
    return outbox;
  }

  get queuedBatches(): number {
    return this.entries.length;
  }

  get queuedBytes(): number {
    return this.liveBytes;
  }

  head(): OutboxEntry | undefined {
    return this.entries[0];
  }

  lastEntry(): OutboxEntry | undefined {
    return this.entries.at(-1);
  }

  atOrBefore(a: OutboxEntry, b: OutboxEntry): boolean {
    return a.segment < b.segment || (a.segment === b.segment && a.offset <= b.offset);
  }

  /** Appends one batch; returns the facts dropped to stay within maxBytes (never the head, which may be in flight). */
  append(batch: { id: string; kind: string; count: number; bytes: Uint8Array }): number {
    const kind = Buffer.from(batch.kind, 'utf8');
    const id = Buffer.from(batch.id, 'utf8');
    const rest = 1 + kind.length + 4 + 1 + id.length + batch.bytes.length;
    const record = Buffer.allocUnsafe(4 + rest);
    let at = record.writeUInt32BE(rest, 0);
    at = record.writeUInt8(kind.length, at);
    at += kind.copy(record, at);
    at = record.writeUInt32BE(batch.count, at);
    at = record.writeUInt8(id.length, at);
    at += id.copy(record, at);
    Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength).copy(record, at);

    if (this.writeOffset > 0 && this.writeOffset + record.length > this.segmentBytes) this.roll();
    fs.writeSync(this.writeFd, record);
    this.entries.push({ id: batch.id, kind: batch.kind, count: batch.count, segment: this.writeSegment, offset: this.writeOffset, size: record.length });
    this.writeOffset += record.length;
    this.liveBytes += record.length;
    return this.shed();
  }

  /** The FactBatch bytes of an entry. */
  read(entry: OutboxEntry): Uint8Array {
    const fd = entry.segment === this.writeSegment ? this.writeFd : fs.openSync(this.segmentPath(entry.segment), 'r');
    try {
      const record = Buffer.allocUnsafe(entry.size);
      fs.readSync(fd, record, 0, entry.size, entry.offset);
      const kindLength = record.readUInt8(4);
      const idLength = record.readUInt8(4 + 1 + kindLength + 4);
      return record.subarray(4 + 1 + kindLength + 4 + 1 + idLength);
    } finally {
      if (fd !== this.writeFd) fs.closeSync(fd);
    }
  }

  /** Marks the head as published: the cursor moves past it and segments behind the cursor are deleted. */
  ack(entry: OutboxEntry): void {
    if (this.entries[0] !== entry) return;
    this.entries.shift();
    this.liveBytes -= entry.size;
    this.persistCursor();
  }

  /** fsync of the segment being written and of the cursor. */
  sync(): void {
    fs.fsyncSync(this.writeFd);
    this.persistCursor(true);
  }

  close(): void {
    this.sync();
    fs.closeSync(this.writeFd);
  }

  private shed(): number {
    let dropped = 0;
    const lowValue = (e: OutboxEntry): boolean => this.options.lowValueKinds.has(e.kind);
    // Low-value kinds first, oldest first; then anything, oldest first. Index 0 may be in flight.
    for (const pick of [lowValue, () => true]) {
      for (let i = 1; i < this.entries.length && this.liveBytes > this.options.maxBytes; ) {
        const entry = this.entries[i]!;
        if (!pick(entry)) {
          i++;
          continue;
        }
        this.entries.splice(i, 1);
        this.liveBytes -= entry.size;
        this.droppedIds.set(entry.id, { segment: entry.segment, offset: entry.offset });
        dropped += entry.count;
      }
    }
    if (dropped > 0) this.persistCursor();
    return dropped;
  }

  private roll(): void {
    fs.fsyncSync(this.writeFd);
    fs.closeSync(this.writeFd);
    this.writeSegment++;
    this.writeOffset = 0;
    this.writeFd = fs.openSync(this.segmentPath(this.writeSegment), 'a+');
  }

  private persistCursor(durable = false): void {
    const head = this.entries[0];
    const cursor: Cursor = head
      ? { segment: head.segment, offset: head.offset, dropped: [] }
      : { segment: this.writeSegment, offset: this.writeOffset, dropped: [] };
    for (const [id, at] of this.droppedIds) {
      // Forget drops the cursor has passed: they are no longer read on open.
      const behind = at.segment < cursor.segment || (at.segment === cursor.segment && at.offset < cursor.offset);
      if (behind) this.droppedIds.delete(id);
      else cursor.dropped.push(id);
    }
    const file = path.join(this.options.dir, CURSOR_FILE);
    const temp = `${file}.tmp`;
    const fd = fs.openSync(temp, 'w');
    try {
      fs.writeSync(fd, JSON.stringify(cursor));
      if (durable) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
    for (const segment of this.segmentsBefore(cursor.segment)) fs.rmSync(this.segmentPath(segment), { force: true });
  }

  private deletedThrough = 0;

  private segmentsBefore(segment: number): number[] {
    const result: number[] = [];
    for (let n = Math.max(this.deletedThrough, 0); n < segment; n++) result.push(n);
    this.deletedThrough = Math.max(this.deletedThrough, segment);
    return result;
  }

  private segmentPath(segment: number): string {
    return path.join(this.options.dir, segmentName(segment));
  }
}

function readCursor(dir: string): Cursor {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, CURSOR_FILE), 'utf8')) as Partial<Cursor>;
    return { segment: Number(parsed.segment ?? 0), offset: Number(parsed.offset ?? 0), dropped: parsed.dropped ?? [] };
  } catch {
    return { segment: 0, offset: 0, dropped: [] };
  }
}

/** Records of one segment from `from`; a torn record at the tail (a crash mid-write) ends the scan. */
function scanSegment(file: string, segment: number, from: number): OutboxEntry[] {
  const data = fs.readFileSync(file);
  const entries: OutboxEntry[] = [];
  let at = from;
  while (at + 4 <= data.length) {
    const rest = data.readUInt32BE(at);
    if (at + 4 + rest > data.length) break;
    const kindLength = data.readUInt8(at + 4);
    const kind = data.toString('utf8', at + 5, at + 5 + kindLength);
    const count = data.readUInt32BE(at + 5 + kindLength);
    const idLength = data.readUInt8(at + 9 + kindLength);
    const id = data.toString('utf8', at + 10 + kindLength, at + 10 + kindLength + idLength);
    entries.push({ id, kind, count, segment, offset: at, size: 4 + rest });
    at += 4 + rest;
  }
  return entries;
}
