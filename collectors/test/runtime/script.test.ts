import { describe, expect, it } from '@jest/globals';
import { buildScript } from '../../src/runtime/index.js';
import { containsCondition, prefixCondition, PROBE_NAMES, PROBE_TRACEPOINTS } from '../../src/runtime/bpftrace/script.js';

/** Evaluates a generated prefix condition the way the BPF program would, on a path. */
function matches(condition: string, path: string): boolean {
  const bytes = Buffer.alloc(24);
  Buffer.from(path).copy(bytes);
  const words = [0, 8, 16].map((o) => bytes.readBigUInt64LE(o));
  const js = condition
    .replace(/\$w(\d)/g, (_, i: string) => `w[${i}]`)
    .replace(/0x([0-9a-f]+)/g, (_, hex: string) => `0x${hex}n`)
    .replace(/(<<|>>) (\d+)/g, (_, op: string, n: string) => `${op} ${n}n`);
  return new Function('w', `return ${js};`)(words) as boolean;
}

describe('runtime - bpftrace program generator', () => {
  it('bpftrace script - prefix words match the prefix and nothing shorter or different', () => {
    const shadow = prefixCondition('/etc/shadow');
    expect(matches(shadow, '/etc/shadow')).toBe(true);
    expect(matches(shadow, '/etc/shadow-')).toBe(true);
    expect(matches(shadow, '/etc/shado')).toBe(false);
    expect(matches(shadow, '/etc/passwd')).toBe(false);
    const sock = prefixCondition('/var/run/docker.sock');
    expect(matches(sock, '/var/run/docker.sock')).toBe(true);
    expect(matches(sock, '/var/run/docker.pid')).toBe(false);
  });

  it('bpftrace script - a ../ anywhere in the first 24 bytes, or a relative ../ start, matches; other paths do not', () => {
    const traversal = containsCondition('/../');
    for (const path of ['/tmp/../etc/shadow', '/../etc', '/a/b/c/d/e/f/g/h/i/j/../x', '../../etc/shadow', '/var/www/html/../../etc']) {
      expect({ path, match: matches(traversal, path) }).toEqual({ path, match: true });
    }
    for (const path of ['/etc/shadow', '/tmp/..x/y', '/tmp/.../etc', './etc/x', '/aaaaaaaaaaaaaaaaaaaaaaaaa/../x']) {
      expect({ path, match: matches(traversal, path) }).toEqual({ path, match: false });
    }
  });

  it('bpftrace script - only probes whose tracepoints exist, in-kernel filters present', () => {
    const available = new Set(['sched:sched_process_exec', 'syscalls:sys_enter_execve', 'syscalls:sys_exit_execve', 'syscalls:sys_enter_openat']);
    const script = buildScript(
      {
        filter: { read_paths: ['/etc/shadow'], write_paths: ['/etc/'], socket_paths: ['/var/run/docker.sock'], link_targets: ['/etc'] },
        probes: new Set(['exec', 'open']),
        excludePids: [4242],
        excludeCgroupId: '1',
        heartbeatMs: 1000,
      },
      available,
    );
    expect(script).toContain('tracepoint:sched:sched_process_exec /pid != 4242 && cgroup != 1/');
    expect(script).toContain(
      'tracepoint:syscalls:sys_enter_openat /pid != 4242 && cgroup != 1 && strncmp(comm, "runc:[", 6) != 0 && strncmp(comm, "runc", 5) != 0 && strncmp(comm, "crun", 5) != 0/',
    );
    expect(script).toContain(prefixCondition('/etc/shadow'));
    expect(script).toContain(prefixCondition('/etc/'));
    expect(script).not.toContain('sys_enter_openat2');
    expect(script).not.toContain('sys_enter_connect');
    expect(script.trimEnd().split('\n').pop()).toBe('interval:ms:1000 { printf("H\\n"); print(@F); }');
  });

  it('bpftrace script - every record arms the output flush', () => {
    const script = buildScript(
      {
        filter: { read_paths: ['/etc/shadow'], write_paths: ['/etc/'], socket_paths: ['/var/run/docker.sock'], link_targets: ['/etc'] },
        probes: new Set(PROBE_NAMES),
        excludePids: [],
        heartbeatMs: 1000,
      },
      new Set(Object.values(PROBE_TRACEPOINTS).flat()),
    );
    // Output is fully buffered: a record that does not arm the flush could wait for the next heartbeat.
    const records = script.match(/printf\("[EFNP]\\t[^;]*;( @P = \d+;)?/g) ?? [];
    expect(new Set(records.map((r) => r.charAt(8)))).toEqual(new Set(['E', 'F', 'N', 'P']));
    expect(records.filter((r) => !r.includes('@P ='))).toEqual([]);
  });
});
