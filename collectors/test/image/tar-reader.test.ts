import { describe, expect, it } from '@jest/globals';
import { TarFormatError, TarReader, type TarHeader } from '../../src/image/tar-reader.js';
import { decodeFileCapabilities } from '../../src/image/capabilities.js';
import { END_OF_ARCHIVE, capabilityXattr, layerTar, padded, paxEntry, rawHeader } from './fixtures.js';

interface Seen {
  header: TarHeader;
  data?: string;
}

async function read(archive: Buffer, want: (h: TarHeader) => boolean = () => true, chunkSize = 700): Promise<Seen[]> {
  const seen: Seen[] = [];
  const reader = new TarReader((header) => {
    const entry: Seen = { header };
    seen.push(entry);
    if (!want(header)) return null;
    const chunks: Buffer[] = [];
    return { write: (chunk) => void chunks.push(Buffer.from(chunk)), end: () => void (entry.data = Buffer.concat(chunks).toString()) };
  });
  for (let offset = 0; offset < archive.length; offset += chunkSize) await reader.push(archive.subarray(offset, offset + chunkSize));
  await reader.end();
  return seen;
}

describe('image tar reader', () => {
  it('tar reader - reads what tar-stream writes, in odd chunk sizes, long names included', async () => {
    const long = `usr/share/${'very-long-directory-name/'.repeat(8)}file.txt`;
    const archive = await layerTar([
      { name: 'etc/', type: 'directory', mode: 0o755 },
      { name: 'etc/hostname', content: 'box\n', uid: 1000, gid: 1001 },
      { name: long, content: 'deep' },
      { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' },
      { name: 'usr/bin/passwd', content: 'ELF', mode: 0o4755 },
    ]);
    for (const chunkSize of [1, 511, 513, 4096]) {
      const seen = await read(archive, (h) => h.type === 'file', chunkSize);
      expect(seen.map((s) => [s.header.name, s.header.type, s.header.mode, s.data ?? null])).toEqual([
        ['etc/', 'directory', 0o755, null],
        ['etc/hostname', 'file', 0o644, 'box\n'],
        [long, 'file', 0o644, 'deep'],
        ['bin/sh', 'symlink', 0o644, null],
        ['usr/bin/passwd', 'file', 0o4755, 'ELF'],
      ]);
      expect(seen[1]!.header.uid).toBe(1000);
      expect(seen[3]!.header.linkname).toBe('/bin/busybox');
    }
  });

  it('tar reader - keeps binary PAX xattr values byte for byte (tar-stream would mangle bytes >= 0x80)', async () => {
    const caps = capabilityXattr([7, 10, 21, 40]); // SETUID is bit 7: byte 0x80
    expect(caps.includes(0x80)).toBe(true);
    const archive = Buffer.concat([
      paxEntry('usr/sbin/tool', { 'SCHILY.xattr.security.capability': caps, path: Buffer.from('usr/sbin/tool') }, Buffer.from('bin')),
      END_OF_ARCHIVE,
    ]);
    const [entry] = await read(archive);
    expect(entry!.header.xattrs?.get('security.capability')).toEqual(caps);
    expect(decodeFileCapabilities(caps)).toEqual({ names: ['SETUID', 'NET_BIND_SERVICE', 'SYS_ADMIN', 'CHECKPOINT_RESTORE'], effective: true });
    expect(entry!.data).toBe('bin');
  });

  it('tar reader - skips a 10 GB entry it was not asked for and reports where the archive ends', async () => {
    const archive = Buffer.concat([
      rawHeader({ name: 'small', size: 5 }),
      padded(Buffer.from('hello')),
      rawHeader({ name: 'huge.key', size: 10_000_000_000 }),
      Buffer.alloc(4096, 0x41),
    ]);
    const seen: TarHeader[] = [];
    const reader = new TarReader((header) => {
      seen.push(header);
      return null;
    });
    await reader.push(archive);
    const error = await reader.end().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TarFormatError);
    expect((error as TarFormatError).truncated).toBe(true);
    expect((error as Error).message).toBe('unexpected end of archive inside "huge.key" (10000000000 bytes declared, 4096 present)');
    expect(seen.map((h) => [h.name, h.size])).toEqual([
      ['small', 5],
      ['huge.key', 10_000_000_000],
    ]);
  });

  it('tar reader - refuses a header with a bad checksum', async () => {
    const header = rawHeader({ name: 'x', size: 0 });
    header[0] = 0x79; // 'y' without fixing the checksum
    const reader = new TarReader(() => null);
    await expect(reader.push(header)).rejects.toThrow('invalid tar header at byte 0 (checksum mismatch)');
  });
});

describe('image file capabilities', () => {
  it('capabilities - decodes revisions 1, 2 and 3 and rejects unknown ones', () => {
    const v1 = Buffer.alloc(12);
    v1.writeUInt32LE(0x01000000, 0);
    v1.writeUInt32LE(1 << 13, 4);
    expect(decodeFileCapabilities(v1)).toEqual({ names: ['NET_RAW'], effective: false });
    const v3 = Buffer.concat([capabilityXattr([12]), Buffer.from([0xe8, 0x03, 0, 0])]);
    v3.writeUInt32LE(0x03000001, 0);
    expect(decodeFileCapabilities(v3)).toEqual({ names: ['NET_ADMIN'], effective: true });
    expect(decodeFileCapabilities(Buffer.from([1, 2, 3]))).toBeUndefined();
    const bogus = capabilityXattr([1]);
    bogus.writeUInt32LE(0x07000000, 0);
    expect(decodeFileCapabilities(bogus)).toBeUndefined();
  });
});
