/**
 * The test image: four layers exercising everything the scanner must see —
 * packages, os-release through a symlink, setuid/setgid, file capabilities
 * (ASCII-safe and binary), world-writable directories, secrets that survive,
 * secrets deleted by a whiteout or hidden by an opaque directory, path
 * traversal and absolute paths — and the exact facts expected from it.
 */
import {
  capabilityXattr,
  END_OF_ARCHIVE,
  gzip,
  imageConfig,
  layerTar,
  paxEntry,
  sha256,
} from './fixtures.js';
import type { ImageFactInit } from '../../src/image/index.js';

export const RSA_KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----\n';
export const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const GITHUB_TOKEN = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';

const DPKG_STATUS = `Package: libc6
Status: install ok installed
Priority: optional
Source: glibc (2.36-9+deb12u4)
Version: 2.36-9+deb12u4
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system.

Package: bash
Status: install ok installed
Version: 5.2.15-2+b2

Package: oldpkg
Status: deinstall ok config-files
Version: 1.0
`;

export interface TestImage {
  config: Buffer;
  /** Uncompressed layer tars. */
  tars: Buffer[];
  /** Layers as stored: layer 3 gzip-compressed, the others plain. */
  blobs: Buffer[];
}

export async function buildTestImage(): Promise<TestImage> {
  const layer0 = await layerTar([
    { name: 'etc/', type: 'directory' },
    { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
    { name: 'usr/', type: 'directory' },
    { name: 'usr/lib/', type: 'directory' },
    { name: 'usr/lib/os-release', content: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' },
    { name: 'var/lib/dpkg/status', content: DPKG_STATUS },
    { name: 'usr/bin/passwd', content: 'ELF', mode: 0o4755 },
    { name: 'usr/bin/wall', content: 'ELF', mode: 0o2755, gid: 5 },
    { name: 'usr/bin/ping', content: 'ELF', mode: 0o755, pax: { 'SCHILY.xattr.security.capability': capabilityXattr([13]).toString('latin1') } },
    { name: 'tmp/', type: 'directory', mode: 0o1777 },
    { name: 'usr/share/doc/readme', content: 'not interesting' },
  ]);
  const layer1 = await layerTar([
    { name: 'app/', type: 'directory' },
    { name: 'app/.env', content: `AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=${AWS_SECRET}\nDEBUG=false\n` },
    { name: 'app/secret.pem', content: RSA_KEY, mode: 0o600 },
    { name: 'opt/data/', type: 'directory', mode: 0o777 },
    { name: 'srv/conf/', type: 'directory' },
    { name: 'srv/conf/settings.yaml', content: `github_token: ${GITHUB_TOKEN}\n` },
    { name: 'srv/conf/tool', content: 'ELF', mode: 0o4755 },
    { name: 'var/lib/dpkg/status.d/tzdata', content: 'Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n' },
    { name: 'var/lib/dpkg/status.d/tzdata.md5sums', content: 'd41d8cd98f00b204e9800998ecf8427e  usr/share/zoneinfo/UTC\n' },
  ]);
  const layer2 = await layerTar([
    { name: 'app/.wh.secret.pem', content: '' },
    { name: 'srv/conf/.wh..wh..opq', content: '' },
    { name: 'srv/conf/new.conf', content: 'listen 8080\n' },
    { name: 'usr/bin/wall', content: 'ELF2', mode: 0o755 },
    { name: '../../etc/evil', content: 'escaped' },
    { name: '/usr/local/bin/abs', content: 'ELF', mode: 0o4755 },
    { name: 'app/link', type: 'symlink', linkname: '/etc/shadow' },
  ]);
  const layer3 = Buffer.concat([
    paxEntry('usr/sbin/tool', { 'SCHILY.xattr.security.capability': capabilityXattr([7, 10, 21, 40]) }, Buffer.from('ELF'), 0o750),
    END_OF_ARCHIVE,
  ]);
  const tars = [layer0, layer1, layer2, layer3];
  const config = imageConfig({
    diffIds: tars.map((tar) => `sha256:${sha256(tar)}`),
    config: {
      User: 'app',
      Env: ['PATH=/usr/local/bin:/usr/bin', `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`],
      ExposedPorts: { '8080/tcp': {}, '53/udp': {} },
      Entrypoint: ['/app/run'],
      Cmd: ['--serve'],
      Healthcheck: { Test: ['CMD', '/app/health'], Interval: 30_000_000_000, Timeout: 5_000_000_000, Retries: 3 },
      Labels: { 'org.opencontainers.image.title': 'fixture' },
      WorkingDir: '/app',
    },
    history: [
      { created: '2024-05-01T10:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
      { created: '2024-05-01T10:01:00Z', created_by: `/bin/sh -c echo token=${GITHUB_TOKEN} > /dev/null` },
      { created: '2024-05-01T10:02:00Z', created_by: `/bin/sh -c #(nop)  ENV AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`, empty_layer: true },
      { created: '2024-05-01T10:03:00Z', created_by: 'COPY . /app # buildkit' },
      { created: '2024-05-01T10:04:00Z', created_by: 'RUN setcap cap_setuid,cap_net_bind_service,cap_sys_admin,cap_checkpoint_restore+ep /usr/sbin/tool' },
    ],
  });
  return { config, tars, blobs: [layer0, layer1, layer2, gzip(layer3)] };
}

/** Everything of the fact that does not depend on how the image was packaged. */
export function expectedContent(image: TestImage): Partial<ImageFactInit> {
  return {
    id: `sha256:${sha256(image.config)}`,
    config: {
      user: 'app',
      env: ['PATH=/usr/local/bin:/usr/bin', `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`],
      exposed_ports: ['53/udp', '8080/tcp'],
      entrypoint: ['/app/run'],
      cmd: ['--serve'],
      health_check: { test: ['CMD', '/app/health'], interval_ms: 30_000, timeout_ms: 5_000, retries: 3 },
      labels: { 'org.opencontainers.image.title': 'fixture' },
      working_dir: '/app',
    },
    history: [
      { created_by: '/bin/sh -c #(nop) ADD file:abc in / ', empty_layer: false, created_at_ms: Date.parse('2024-05-01T10:00:00Z') },
      { created_by: `/bin/sh -c echo token=${GITHUB_TOKEN} > /dev/null`, empty_layer: false, created_at_ms: Date.parse('2024-05-01T10:01:00Z') },
      { created_by: `/bin/sh -c #(nop)  ENV AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`, empty_layer: true, created_at_ms: Date.parse('2024-05-01T10:02:00Z') },
      { created_by: 'COPY . /app # buildkit', empty_layer: false, created_at_ms: Date.parse('2024-05-01T10:03:00Z') },
      {
        created_by: 'RUN setcap cap_setuid,cap_net_bind_service,cap_sys_admin,cap_checkpoint_restore+ep /usr/sbin/tool',
        empty_layer: false,
        created_at_ms: Date.parse('2024-05-01T10:04:00Z'),
      },
    ],
    os_release: 'debian 12',
    packages: [
      { name: 'bash', version: '5.2.15-2+b2', source_name: 'bash', manager: 'dpkg', arch: '', ecosystem: 'Debian:12', layer: 0 },
      { name: 'libc6', version: '2.36-9+deb12u4', source_name: 'glibc', manager: 'dpkg', arch: '', ecosystem: 'Debian:12', layer: 0 },
      { name: 'tzdata', version: '2024a-0+deb12u1', source_name: 'tzdata', manager: 'dpkg', arch: 'all', ecosystem: 'Debian:12', layer: 1 },
    ],
    files: [
      file('/opt/data', 0o777, { world_writable: true, is_dir: true, layer: 1 }),
      file('/tmp', 0o1777, { world_writable: true, sticky: true, is_dir: true, layer: 0 }),
      file('/usr/bin/passwd', 0o4755, { setuid: true, layer: 0 }),
      file('/usr/bin/ping', 0o755, { capabilities: ['NET_RAW'], layer: 0 }),
      file('/usr/local/bin/abs', 0o4755, { setuid: true, layer: 2 }),
      file('/usr/sbin/tool', 0o750, { capabilities: ['SETUID', 'NET_BIND_SERVICE', 'SYS_ADMIN', 'CHECKPOINT_RESTORE'], layer: 3 }),
    ],
    secrets: [
      secret('aws-secret-access-key', 'env', 'AWS_SECRET_ACCESS_KEY', -1, 'AWS_SECRET_ACCESS_KEY=wJal****'),
      secret('github-token', 'history', 'history[1]', 1, 'ghp_****'),
      secret('aws-secret-access-key', 'history', 'history[2]', 1, 'AWS_SECRET_ACCESS_KEY=wJal****'),
      secret('aws-access-key-id', 'file', '/app/.env', 1, 'AKIA****'),
      secret('aws-secret-access-key', 'file', '/app/.env', 1, 'AWS_SECRET_ACCESS_KEY=wJal****'),
      secret('private-key', 'file', '/app/secret.pem', 1, '-----BEGIN RSA PRIVATE KEY-----', true),
      secret('github-token', 'file', '/srv/conf/settings.yaml', 1, 'ghp_****', true),
    ],
    size_bytes: image.tars.reduce((sum, tar) => sum + tar.length, 0),
    layer_count: 4,
  };
}

function file(path: string, mode: number, extra: Partial<NonNullable<ImageFactInit['files']>[number]>) {
  return {
    path,
    mode,
    uid: 0,
    gid: 0,
    setuid: false,
    setgid: false,
    world_writable: false,
    sticky: false,
    is_dir: false,
    capabilities: [],
    ...extra,
  };
}

function secret(rule: string, location: string, path: string, layer: number, redacted: string, deleted = false) {
  return { rule, location, path, layer, deleted_later: deleted, redacted };
}
