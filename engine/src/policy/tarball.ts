import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import tar from 'tar-stream';

const MAX_FILE_BYTES = 256 * 1024 * 1024;

/**
 * The regular files of a bundle tarball, by name without the leading `/` (the
 * names `parseBundle` and OPA's signature use). Throws on anything that would
 * let the verified files differ from the loaded ones: a name given twice, or an
 * entry that is neither a file nor a directory.
 */
export async function readTarGz(bytes: Uint8Array): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const name = header.name.replace(/^\/+/, '');
    if (header.type === 'directory') {
      stream.resume();
      stream.on('end', () => next());
      return;
    }
    if (header.type !== 'file' && header.type !== 'contiguous-file') {
      extract.destroy(new Error(`entry ${name} is a ${header.type}, not a file`));
      return;
    }
    if (files.has(name)) {
      extract.destroy(new Error(`entry ${name} appears more than once`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (data: unknown) => {
      const chunk = data as Buffer;
      size += chunk.length;
      if (size > MAX_FILE_BYTES) extract.destroy(new Error(`entry ${name} is larger than ${MAX_FILE_BYTES} bytes`));
      else chunks.push(chunk);
    });
    stream.on('end', () => {
      files.set(name, Buffer.concat(chunks));
      next();
    });
  });
  await pipeline(Readable.from([Buffer.from(bytes)]), zlib.createGunzip(), extract);
  return files;
}
