import { describe, expect, it } from '@jest/globals';
import { effectiveDaemonConfig, parseDaemonJson } from '../../src/host/index.js';

describe('host collector - daemon configuration', () => {
  it('daemon config - nothing configured gives Docker defaults', () => {
    const config = effectiveDaemonConfig({ file: {}, flags: {}, commandLine: ['dockerd'], configFilePresent: false });
    expect(config).toEqual({
      icc: true,
      log_level: 'info',
      iptables: true,
      insecure_registries: [],
      storage_driver: '',
      hosts: ['unix:///var/run/docker.sock'],
      tls: false,
      tls_verify: false,
      tls_cacert: '',
      tls_cert: '',
      tls_key: '',
      default_ulimits: [],
      userns_remap: '',
      cgroup_parent: '',
      base_device_size: '',
      authorization_plugins: [],
      log_driver: 'json-file',
      no_new_privileges: false,
      live_restore: false,
      userland_proxy: true,
      experimental: false,
      seccomp_profile: 'default',
      default_runtime: 'runc',
      selinux_enabled: false,
      command_line: ['dockerd'],
      config_file_present: false,
    });
  });

  it('daemon config - flags win over daemon.json, --tlsverify turns TLS on, --debug forces debug', () => {
    const config = effectiveDaemonConfig({
      file: { icc: false, log_level: 'warn', hosts: ['unix:///var/run/docker.sock'], tls_verify: false },
      flags: { icc: true, hosts: ['tcp://0.0.0.0:2375'], debug: true },
      commandLine: [],
      configFilePresent: true,
    });
    expect(config).toMatchObject({ icc: true, log_level: 'debug', hosts: ['tcp://0.0.0.0:2375'], tls: true, tls_verify: false });
  });

  it('daemon config - the running engine is the authority for drivers, runtime and security options', () => {
    const config = effectiveDaemonConfig({
      file: { userns_remap: 'default', selinux_enabled: true, log_driver: 'syslog', live_restore: false },
      flags: {},
      commandLine: [],
      configFilePresent: true,
      engine: {
        Driver: 'overlay2',
        LoggingDriver: 'journald',
        LiveRestoreEnabled: true,
        ExperimentalBuild: true,
        DefaultRuntime: 'runsc',
        SecurityOptions: ['name=seccomp,profile=builtin', 'name=no-new-privileges'],
      },
    });
    expect(config).toMatchObject({
      storage_driver: 'overlay2',
      log_driver: 'journald',
      live_restore: true,
      experimental: true,
      default_runtime: 'runsc',
      seccomp_profile: 'builtin',
      selinux_enabled: false, // the engine does not list selinux: not in effect
      userns_remap: '', // the engine does not list userns: the file was changed after start
      no_new_privileges: true,
    });
  });

  it('daemon.json - reads the keys that feed DaemonConfig', () => {
    const { settings, errors } = parseDaemonJson(
      JSON.stringify({
        icc: false,
        'insecure-registries': ['r.local:5000'],
        'default-ulimits': { nofile: { Name: 'nofile', Hard: 64000, Soft: 32000 } },
        'storage-opts': ['dm.basesize=20G'],
        runtimes: { runsc: { path: '/usr/bin/runsc', runtimeArgs: ['--debug'] } },
        'data-root': '/srv/docker',
      }),
      '/etc/docker/daemon.json',
    );
    expect(errors).toEqual([]);
    expect(settings).toEqual({
      icc: false,
      insecure_registries: ['r.local:5000'],
      default_ulimits: [{ name: 'nofile', soft: 32000, hard: 64000 }],
      storage_opts: ['dm.basesize=20G'],
      runtimes: { runsc: { path: '/usr/bin/runsc' } },
    });
    expect(effectiveDaemonConfig({ file: settings, flags: {}, commandLine: [], configFilePresent: true }).base_device_size).toBe('20G');
  });

  it('daemon.json - malformed JSON is an error value and no settings', () => {
    const { settings, errors } = parseDaemonJson('{ "icc": false,', '/etc/docker/daemon.json');
    expect(settings).toEqual({});
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^VIGIL_ERR_HOST_DAEMON_JSON_MALFORMED: \/etc\/docker\/daemon\.json is not a valid daemon\.json/);
  });

  it('daemon.json - a key of the wrong type is ignored with an error', () => {
    const { settings, errors } = parseDaemonJson('{ "icc": "no", "live-restore": true }', 'daemon.json');
    expect(settings).toEqual({ live_restore: true });
    expect(errors).toEqual(['VIGIL_ERR_HOST_DAEMON_JSON_FIELD: daemon.json: expected boolean for "icc" (actual: "no"); the value is ignored']);
  });
});
