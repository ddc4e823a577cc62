import { describe, expect, it } from '@jest/globals';
import { parseProcNetTcp } from '../../src/runtime/index.js';
import { AggregationWindows } from '../../src/runtime/aggregate.js';
import { parseStat, parseStatus, stdioKindOfLink } from '../../src/runtime/procfs/proc.js';
import { TokenBuckets } from '../../src/runtime/rate-limit.js';

describe('runtime - rate limits, windows and procfs parsing', () => {
  it('rate limit - burst then refill per key, keys independent', () => {
    let now = 0;
    const buckets = new TokenBuckets(10, 3, () => now);
    expect([1, 2, 3, 4].map(() => buckets.take('a'))).toEqual([true, true, true, false]);
    expect(buckets.take('b')).toBe(true);
    now = 100; // 0.1 s at 10/s: one token
    expect(buckets.take('a')).toBe(true);
    expect(buckets.take('a')).toBe(false);
  });

  it('aggregation - identical events inside the window fold, a late one opens a new window', () => {
    let now = 0;
    const windows = new AggregationWindows<string>(1000, 100, () => now);
    expect(windows.offer('k', () => 'first').opened).toBe(true);
    now = 500;
    expect(windows.offer('k', () => 'second').opened).toBe(false);
    expect(windows.offer('k', () => 'third').opened).toBe(false);
    now = 1200;
    expect(windows.offer('k', () => 'fourth').opened).toBe(true);
    const closed = windows.expire();
    expect(closed.map((e) => [e.value, e.repeats])).toEqual([['first', 2]]);
    expect(windows.expire(true).map((e) => [e.value, e.repeats])).toEqual([['fourth', 0]]);
  });

  it('procfs - /proc/net/tcp and tcp6 lines', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000:1E61 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:9C40 0100007F:0009 01 00000000:00000000 00:00000000 00000000  1000        0 123457 1 0000000000000000 20 4 30 10 -1',
    ].join('\n');
    expect(parseProcNetTcp(tcp, false)).toEqual([
      { localAddress: '0.0.0.0', localPort: 7777, remoteAddress: '0.0.0.0', remotePort: 0, state: 'LISTEN', uid: 0, inode: '123456' },
      { localAddress: '127.0.0.1', localPort: 40000, remoteAddress: '127.0.0.1', remotePort: 9, state: 'ESTABLISHED', uid: 1000, inode: '123457' },
    ]);
    const tcp6 = 'header\n   0: 00000000000000000000000001000000:1F90 0000000000000000FFFF00000100007F:C350 01 0:0 0:0 0 0 0 555 1';
    expect(parseProcNetTcp(tcp6, true)[0]).toMatchObject({ localAddress: '::1', localPort: 8080, remoteAddress: '127.0.0.1', remotePort: 50000 });
  });

  it('procfs - status, stat with a tricky comm, fd link kinds', () => {
    const status = parseStatus('Name:\tsh\nPPid:\t17537\nUid:\t1000\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapEff:\t00000000a80425fb\nSeccomp:\t2\nNoNewPrivs:\t0\nNSpid:\t21366\t7\n');
    expect(status).toMatchObject({ name: 'sh', ppid: 17537, uid: [1000, 0, 0, 0], capEff: '00000000a80425fb', seccomp: 2, nspid: 7 });
    const stat = parseStat('4242 (a) b (c) S 1 4242 4242 34816 4242 4194560 1 2 3 4 5 6 7 8 20 0 1 0 987654 1 2');
    expect(stat).toMatchObject({ comm: 'a) b (c', state: 'S', ppid: 1, ttyNr: 34816, startTime: 987654 });
    expect(['socket:[1]', 'pipe:[2]', '/dev/pts/0', '/dev/null', '/tmp/x', ''].map(stdioKindOfLink)).toEqual(['socket', 'pipe', 'tty', 'null', 'file', 'none']);
  });
});
