import { describe, expect, it } from '@jest/globals';
import { BpftraceLineParser } from '../../src/runtime/index.js';
import { splitArgs, stdioKind } from '../../src/runtime/bpftrace/parser.js';

// Lines as the generated program prints them on this kernel (captured, then trimmed).
const EXEC = [
  'S\t21372\ta\tcat\\x00/etc/shadow\\x00',
  'S\t21372\tf\t/proc/self/exe',
  'E\t21372\t21372\t21366\t0\t0\t0\t158\t1\ta80425fb\t0\t16\t1000\t8630\t1048579\t4480\t0\t49590\t0\texe',
];

describe('runtime - bpftrace line parser', () => {
  it('bpftrace parser - exec record gathers its string and fd lines', () => {
    const parser = new BpftraceLineParser('ebpf', () => 1000);
    const events = EXEC.map((line) => parser.parse(line));
    expect(events.slice(0, 2)).toEqual([undefined, undefined]);
    expect(events[2]).toMatchObject({
      kind: 'exec',
      source: 'ebpf',
      cgroupId: '158',
      previousEuid: 0,
      process: {
        pid: 21372,
        ppid: 21366,
        uid: 0,
        euid: 0,
        comm: 'exe',
        exe: '/proc/self/exe',
        args: ['cat', '/etc/shadow'],
        tty: false,
        stdio: ['null', 'pipe', 'socket'],
        loginUid: 1000,
      },
    });
    expect((events[2] as { process: { capabilities: string[] } }).process.capabilities).toContain('NET_BIND_SERVICE');
    expect(parser.malformed).toBe(0);
  });

  it('bpftrace parser - records of different threads interleave safely', () => {
    const parser = new BpftraceLineParser();
    parser.parse('S\t1\tp\t/etc/shadow');
    parser.parse('S\t2\tp\t/etc/passwd');
    const second = parser.parse('F\t2\t2\t1\t0\t0\t0\t158\topen\t577\tsh');
    const first = parser.parse('F\t1\t1\t1\t0\t0\t0\t158\topen\t0\tcat');
    expect(first).toMatchObject({ kind: 'file', path: '/etc/shadow', read: true, write: false, operation: 'open' });
    expect(second).toMatchObject({ kind: 'file', path: '/etc/passwd', read: false, write: true });
  });

  it('bpftrace parser - connect ports arrive in network order, v4-mapped addresses unmapped', () => {
    const parser = new BpftraceLineParser();
    expect(parser.parse('N\t5\t5\t1\t0\t0\t0\t158\to\t2\t1\t6\t0.0.0.0\t0\t127.0.0.1\t2304\tnc')).toMatchObject({
      kind: 'network',
      direction: 'outbound',
      protocol: 'tcp',
      remoteAddress: '127.0.0.1',
      remotePort: 9,
    });
    expect(parser.parse('N\t6\t6\t1\t0\t0\t0\t158\ti\t10\t1\t6\t::ffff:127.0.0.1\t7777\t::ffff:127.0.0.1\t50316\tnc')).toMatchObject({
      direction: 'inbound',
      localAddress: '127.0.0.1',
      localPort: 7777,
      remotePort: 36036,
    });
  });

  it('bpftrace parser - privilege records', () => {
    const parser = new BpftraceLineParser();
    expect(parser.parse('P\t7\t7\t1\t1000\t0\t0\t158\tsetuid\t1000\t-1\t-1\tbusybox')).toMatchObject({
      kind: 'privilege',
      change: 'setuid',
      oldUid: 0,
      newUid: 1000,
    });
    expect(parser.parse('P\t7\t7\t1\t0\t0\t0\t158\tsetresuid\t4294967295\t0\t4294967295\tx')).toMatchObject({ newUid: 0 });
    expect(parser.parse(`P\t7\t7\t1\t0\t0\t0\t158\tcapset\t${0x200000 | 0x1}\t1\t0\tx`)).toMatchObject({
      change: 'capset',
      capabilitiesGained: ['SYS_ADMIN'],
    });
    parser.parse('S\t8\td\t/host');
    parser.parse('S\t8\tt\tproc');
    parser.parse('S\t8\ts\tproc');
    expect(parser.parse('P\t8\t8\t1\t0\t0\t0\t158\tmount\t0\t0\t0\tmount')).toMatchObject({ target: '/host (proc from proc)' });
    expect(parser.parse('P\t9\t9\t1\t0\t0\t0\t158\tunshare\t1879048192\t0\t0\tunshare')).toMatchObject({ target: 'user,pid,net' });
  });

  it('bpftrace parser - links with their target, truncation, traversal resolved, memfd, packet sockets, PTRACE_TRACEME', () => {
    const parser = new BpftraceLineParser();
    parser.parse('S\t10\tt\t/etc/shadow');
    parser.parse('S\t10\tp\t/tmp/s');
    expect(parser.parse('F\t10\t10\t1\t0\t0\t0\t158\tsymlink\t0\tln')).toMatchObject({ kind: 'file', operation: 'symlink', path: '/tmp/s', target: '/etc/shadow', write: true });
    parser.parse('S\t11\tp\t/var/log/app.log');
    expect(parser.parse(`F\t11\t11\t1\t0\t0\t0\t158\topen\t${0x1 | 0x200}\tsh`)).toMatchObject({ operation: 'open', write: true, truncated: true });
    parser.parse('S\t12\tp\t/tmp/../etc/shadow');
    expect(parser.parse('F\t12\t12\t1\t0\t0\t0\t158\topen\t0\tcat')).toMatchObject({ path: '/etc/shadow', requestedPath: '/tmp/../etc/shadow', read: true, write: false });
    parser.parse('S\t13\tp\t../../etc/shadow');
    expect(parser.parse('F\t13\t13\t1\t0\t0\t0\t158\topen\t0\tcat')).toMatchObject({ path: '/etc/shadow', requestedPath: '../../etc/shadow' });
    parser.parse('S\t14\tp\tpayload');
    expect(parser.parse('F\t14\t14\t1\t0\t0\t0\t158\tmemfd_create\t1\tx')).toMatchObject({ operation: 'memfd_create', path: 'memfd:payload', write: false });
    parser.parse('S\t15\ta\tpayload\\x00noop\\x00');
    parser.parse('S\t15\tf\t/dev/fd/3');
    parser.parse('S\t15\tx\tmemfd:payload');
    expect(parser.parse('E\t15\t15\t1\t0\t0\t0\t158\t0\t0\t0\t13\t4294967295\t0\t0\t0\t0\t0\t0\t3')).toMatchObject({ kind: 'exec', process: { exe: 'memfd:payload', args: ['payload', 'noop'], loginUid: -1 } });
    parser.parse('S\t16\tf\t/bin/sh');
    parser.parse('S\t16\tx\tbusybox');
    expect(parser.parse('E\t16\t16\t1\t0\t0\t0\t158\t0\t0\t0\t3\t4294967295\t0\t0\t0\t0\t0\t0\tsh')).toMatchObject({ process: { exe: '/bin/sh' } });
    expect(parser.parse('N\t17\t17\t1\t0\t0\t0\t158\ts\t17\t3\t768\t-\t0\t-\t0\tsniff')).toMatchObject({ kind: 'network', direction: 'socket', family: 'packet', protocol: 'packet' });
    expect(parser.parse('N\t18\t18\t1\t0\t0\t0\t158\ts\t2\t3\t1\t-\t0\t-\t0\tping')).toMatchObject({ direction: 'socket', family: 'inet', protocol: 'raw' });
    expect(parser.parse('P\t19\t19\t1\t0\t0\t0\t158\tptrace\t0\t0\t0\tevil')).toMatchObject({ change: 'ptrace', target: 'TRACEME' });
    expect(parser.malformed).toBe(0);
  });

  it('bpftrace parser - comm with a tab, lost events and garbage', () => {
    const parser = new BpftraceLineParser();
    expect(parser.parse('F\t1\t1\t1\t0\t0\t0\t1\tunlink\t0\tev\til')).toMatchObject({ process: { comm: 'ev\til' } });
    parser.parse('Lost 42 events');
    parser.parse('F\t1\t2');
    parser.parse('zzz');
    expect(parser.lost).toBe(42);
    expect(parser.malformed).toBe(2);
  });

  it('bpftrace parser - argv decoding and fd kinds', () => {
    expect(splitArgs('a\\x00b c\\x00\\x09tab\\x00')).toEqual(['a', 'b c', '\ttab']);
    expect(splitArgs('')).toEqual([]);
    expect(stdioKind(0o020620, (136 << 20) | 0)).toBe('tty');
    expect(stdioKind(0o020666, (1 << 20) | 3)).toBe('null');
    expect(stdioKind(0o010600, 0)).toBe('pipe');
    expect(stdioKind(0o100644, 0)).toBe('file');
    expect(stdioKind(0, 0)).toBe('none');
  });
});
