import { describe, expect, it } from '@jest/globals';
import { parseDockerdFlags } from '../../src/host/index.js';

describe('host collector - dockerd flag parser', () => {
  it('host flags - reads --flag=value, --flag value and short forms', () => {
    const { settings, errors } = parseDockerdFlags([
      '/usr/bin/dockerd',
      '--log-level=warn',
      '--storage-driver',
      'overlay2',
      '-H',
      'fd://',
      '-Htcp://0.0.0.0:2376',
      '--host=unix:///run/alt.sock',
      '--userns-remap',
      'default',
      '--cgroup-parent=/vigil',
      '--seccomp-profile',
      '/etc/docker/seccomp.json',
    ]);
    expect(errors).toEqual([]);
    expect(settings).toEqual({
      log_level: 'warn',
      storage_driver: 'overlay2',
      hosts: ['fd://', 'tcp://0.0.0.0:2376', 'unix:///run/alt.sock'],
      userns_remap: 'default',
      cgroup_parent: '/vigil',
      seccomp_profile: '/etc/docker/seccomp.json',
    });
  });

  it('host flags - -l and -s are --log-level and --storage-driver, with = or attached values', () => {
    expect(parseDockerdFlags(['dockerd', '-l', 'debug', '-s=vfs']).settings).toEqual({ log_level: 'debug', storage_driver: 'vfs' });
    expect(parseDockerdFlags(['dockerd', '-lerror']).settings).toEqual({ log_level: 'error' });
  });

  it('host flags - a bare boolean is true, =false and Go spellings turn it off', () => {
    const { settings, errors } = parseDockerdFlags([
      'dockerd',
      '--icc=false',
      '--iptables=0',
      '--userland-proxy=F',
      '--live-restore',
      '--no-new-privileges=true',
      '--experimental=T',
      '--selinux-enabled',
      '--tls=1',
    ]);
    expect(errors).toEqual([]);
    expect(settings).toEqual({
      icc: false,
      iptables: false,
      userland_proxy: false,
      live_restore: true,
      no_new_privileges: true,
      experimental: true,
      selinux_enabled: true,
      tls: true,
    });
  });

  it('host flags - a boolean never swallows the next argument', () => {
    const { settings } = parseDockerdFlags(['dockerd', '--icc', '--log-level', 'warn']);
    expect(settings).toEqual({ icc: true, log_level: 'warn' });
  });

  it('host flags - an invalid boolean is an error and leaves the setting unset', () => {
    const { settings, errors } = parseDockerdFlags(['dockerd', '--icc=nope']);
    expect(settings.icc).toBeUndefined();
    expect(errors).toEqual(['VIGIL_ERR_HOST_FLAG: dockerd flag --icc=nope: expected true or false (actual: nope)']);
  });

  it('host flags - repeated list flags accumulate', () => {
    const { settings } = parseDockerdFlags([
      'dockerd',
      '--insecure-registry',
      'a.local:5000',
      '--insecure-registry=10.0.0.0/8',
      '--authorization-plugin=authz-broker',
      '--authorization-plugin',
      'opa',
      '--storage-opt',
      'dm.basesize=20G',
    ]);
    expect(settings.insecure_registries).toEqual(['a.local:5000', '10.0.0.0/8']);
    expect(settings.authorization_plugins).toEqual(['authz-broker', 'opa']);
    expect(settings.storage_opts).toEqual(['dm.basesize=20G']);
  });

  it('host flags - ulimits, runtimes and the config file', () => {
    const { settings, configFile, errors } = parseDockerdFlags([
      'dockerd',
      '--default-ulimit',
      'nofile=1024:2048',
      '--default-ulimit=nproc=512',
      '--default-ulimit=nofile=4096:8192',
      '--add-runtime',
      'runsc=/usr/local/bin/runsc',
      '--add-runtime=kata=/opt/kata/bin/kata-runtime',
      '--config-file=/etc/vigil/daemon.json',
      '--tlsverify',
      '--tlscacert=/tls/ca.pem',
      '--tlscert',
      '/tls/cert.pem',
      '--tlskey=/tls/key.pem',
    ]);
    expect(errors).toEqual([]);
    expect(settings.default_ulimits).toEqual([
      { name: 'nproc', soft: 512, hard: 512 },
      { name: 'nofile', soft: 4096, hard: 8192 },
    ]);
    expect(settings.runtimes).toEqual({ runsc: { path: '/usr/local/bin/runsc' }, kata: { path: '/opt/kata/bin/kata-runtime' } });
    expect(configFile).toBe('/etc/vigil/daemon.json');
    expect(settings).toMatchObject({ tls_verify: true, tls_cacert: '/tls/ca.pem', tls_cert: '/tls/cert.pem', tls_key: '/tls/key.pem' });
  });

  it('host flags - unknown flags are skipped with their values, the last of a repeated scalar wins', () => {
    const { settings, errors } = parseDockerdFlags([
      'dockerd',
      '--containerd',
      '/run/containerd/containerd.sock',
      '--raw-logs',
      '--data-root=/srv/docker',
      '--log-level',
      'warn',
      '--log-level=error',
      '-D',
    ]);
    expect(errors).toEqual([]);
    expect(settings).toEqual({ log_level: 'error', debug: true });
  });

  it('host flags - a value flag at the end without a value is an error', () => {
    const { settings, errors } = parseDockerdFlags(['dockerd', '--userns-remap']);
    expect(settings).toEqual({});
    expect(errors).toEqual(['VIGIL_ERR_HOST_FLAG: dockerd flag --userns-remap: needs a value']);
  });

  it('host flags - malformed ulimits and runtimes are errors', () => {
    const { settings, errors } = parseDockerdFlags(['dockerd', '--default-ulimit=nofile', '--add-runtime=runsc']);
    expect(settings).toEqual({});
    expect(errors).toHaveLength(2);
    expect(errors[0]).toContain('expected NAME=SOFT[:HARD] (actual: nofile)');
    expect(errors[1]).toContain('expected NAME=PATH (actual: runsc)');
  });
});
