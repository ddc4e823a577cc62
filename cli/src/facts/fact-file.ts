import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import protobuf from 'protobufjs/minimal.js';
import { decodeFactBatch, type FactBatch } from '../../../proto/src/index.js';
import { CliError } from '../errors.js';

/**
 * A fact file: gzip of length-delimited FactBatch messages (each a varint
 * byte length, then the batch's protobuf bytes), as protobufjs'
 * `encodeDelimited` writes them. The bytes are the ones collectors published,
 * so a file replays exactly what the engine judged.
 */

/** A batch longer than this is not a batch Vigil wrote (NATS' own payload limit is far lower). */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** Writes the batches to `file` (replaced if it exists); resolves with how many were written. */
export async function writeFactFile(file: string, batches: AsyncIterable<Uint8Array>): Promise<number> {
  let count = 0;
  async function* records(): AsyncGenerator<Buffer> {
    for await (const batch of batches) {
      count++;
      yield Buffer.from(protobuf.Writer.create().bytes(batch).finish());
    }
  }
  try {
    await pipeline(Readable.from(records()), zlib.createGzip(), fs.createWriteStream(file));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError('VIGIL_ERR_CLI_FACT_FILE', [file, `cannot be written: ${(error as Error).message}`]);
  }
  return count;
}

/** One batch of a fact file: its bytes as published, and decoded. */
export interface FactFileRecord {
  bytes: Uint8Array;
  batch: FactBatch;
}

/**
 * The batches of a fact file, in order. A damaged file fails with
 * VIGIL_ERR_CLI_FACT_FILE naming the record, after the records before it were yielded.
 */
export async function* readFactFile(file: string): AsyncGenerator<FactFileRecord> {
  const gunzip = fs.createReadStream(file).pipe(zlib.createGunzip());
  let pending: Buffer = Buffer.alloc(0);
  let record = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      for (;;) {
        const header = readVarint(pending);
        if (header === undefined) break;
        if (header.value > MAX_RECORD_BYTES) throw damaged(file, record, `a record of ${header.value} bytes`);
        if (pending.length < header.bytes + header.value) break;
        const bytes = pending.subarray(header.bytes, header.bytes + header.value);
        pending = pending.subarray(header.bytes + header.value);
        let batch: FactBatch;
        try {
          batch = decodeFactBatch(bytes);
        } catch (error) {
          throw damaged(file, record, `not a FactBatch (${(error as Error).message})`);
        }
        record++;
        yield { bytes, batch };
      }
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not a gzip fact file (${(error as Error).message})`;
    throw new CliError('VIGIL_ERR_CLI_FACT_FILE', [file, record === 0 ? reason : `after record ${record}: ${reason}`]);
  }
  if (pending.length > 0) throw damaged(file, record, 'truncated');
}

function damaged(file: string, record: number, what: string): CliError {
  return new CliError('VIGIL_ERR_CLI_FACT_FILE', [file, `record ${record + 1} is damaged: ${what}`]);
}

/** The varint at the start of `buffer`, or undefined when it is not all there yet. */
function readVarint(buffer: Buffer): { value: number; bytes: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < Math.min(buffer.length, 8); i++) {
    const byte = buffer[i]!;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return { value, bytes: i + 1 };
    scale *= 128;
  }
  if (buffer.length >= 8) return { value: Number.MAX_SAFE_INTEGER, bytes: 8 };
  return undefined;
}
