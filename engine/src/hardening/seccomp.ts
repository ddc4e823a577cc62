import type { Profile } from '../profiles/model.js';

/** Docker's seccomp profile format (moby profiles/seccomp), the parts Vigil writes. */
export interface SeccompProfile {
  defaultAction: 'SCMP_ACT_ERRNO';
  defaultErrnoRet: number;
  archMap: Array<{ architecture: string; subArchitectures: string[] }>;
  syscalls: SeccompRule[];
}

export interface SeccompRule {
  names: string[];
  action: 'SCMP_ACT_ALLOW' | 'SCMP_ACT_ERRNO';
  errnoRet?: number;
  args?: Array<{ index: number; value: number; valueTwo: number; op: 'SCMP_CMP_EQ' | 'SCMP_CMP_MASKED_EQ' }>;
  includes?: { arches: string[] };
  comment?: string;
}

const EPERM = 1;
const ENOSYS = 38;

/**
 * What the container runtime itself calls after it has installed the filter
 * and before the workload's first instruction (runc's init finishing, then
 * execve), and what every process needs to start and exit. The syscall set
 * probe never sees these for runc (its comm is excluded), so a profile built
 * from observations alone would stop the container starting.
 */
export const RUNTIME_STARTUP_SYSCALLS: readonly string[] = [
  'arch_prctl', 'brk', 'capget', 'capset', 'chdir', 'close', 'close_range', 'dup2', 'dup3', 'epoll_create1', 'faccessat', 'faccessat2', 'getcwd',
  'epoll_ctl', 'epoll_pwait', 'epoll_wait', 'execve', 'exit', 'exit_group', 'fchdir', 'fchown', 'fcntl', 'fstat',
  'fstatfs', 'futex', 'getdents64', 'getegid', 'geteuid', 'getgid', 'getpid', 'getppid', 'getrandom', 'gettid',
  'getuid', 'madvise', 'mmap', 'mprotect', 'munmap', 'nanosleep', 'newfstatat', 'openat', 'prctl', 'pread64',
  'prlimit64', 'read', 'readlinkat', 'rseq', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'sched_getaffinity',
  'sched_yield', 'set_robust_list', 'set_tid_address', 'setgid', 'setgroups', 'setresgid', 'setresuid', 'setuid',
  'sigaltstack', 'tgkill', 'write',
];

/**
 * Harmless calls whose use varies with timing and libc (poll only when a read
 * would block): always allowed, as they are never drift. The same list is
 * data.vigil.config.profile_syscall_baseline (policies/data.json); a test keeps them equal.
 */
export const SYSCALL_BASELINE: readonly string[] = [
  'alarm', 'brk', 'clock_getres', 'clock_gettime', 'clock_nanosleep', 'close', 'close_range', 'dup', 'dup2', 'dup3',
  'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_pwait', 'epoll_pwait2', 'epoll_wait', 'exit', 'exit_group', 'fcntl', 'fstat',
  'futex', 'get_robust_list', 'getcwd', 'getegid', 'geteuid', 'getgid', 'getgroups', 'getitimer', 'getpgid', 'getpgrp',
  'getpid', 'getppid', 'getrandom', 'getresgid', 'getresuid', 'getrusage', 'getsid', 'gettid', 'gettimeofday', 'getuid',
  'lseek', 'madvise', 'mmap', 'mprotect', 'mremap', 'munmap', 'nanosleep', 'newfstatat', 'pause', 'pipe',
  'pipe2', 'poll', 'ppoll', 'pread64', 'preadv', 'pselect6', 'pwrite64', 'pwritev', 'read', 'readv',
  'restart_syscall', 'rseq', 'rt_sigaction', 'rt_sigpending', 'rt_sigprocmask', 'rt_sigreturn', 'rt_sigsuspend', 'rt_sigtimedwait', 'sched_getaffinity', 'sched_yield',
  'select', 'set_robust_list', 'set_tid_address', 'setitimer', 'sigaltstack', 'statx', 'sysinfo', 'time', 'times', 'uname',
  'wait4', 'waitid', 'write', 'writev',
];

/**
 * x86_64 calls that arm64 does not have, and the ones libc uses there instead.
 * Profiles are learned with x86_64 names; on arm64 the same program makes the
 * newer call, so it is allowed there too (and only there).
 */
const ARM64_EQUIVALENTS: Readonly<Record<string, readonly string[]>> = {
  open: ['openat'], creat: ['openat'], stat: ['newfstatat'], lstat: ['newfstatat'], access: ['faccessat', 'faccessat2'],
  poll: ['ppoll'], select: ['pselect6'], pipe: ['pipe2'], dup2: ['dup3'], epoll_wait: ['epoll_pwait'],
  epoll_create: ['epoll_create1'], fork: ['clone'], vfork: ['clone'], readlink: ['readlinkat'], mkdir: ['mkdirat'],
  rmdir: ['unlinkat'], unlink: ['unlinkat'], rename: ['renameat', 'renameat2'], link: ['linkat'], symlink: ['symlinkat'],
  chmod: ['fchmodat'], chown: ['fchownat'], lchown: ['fchownat'], getdents: ['getdents64'], utimes: ['utimensat'],
  futimesat: ['utimensat'], mknod: ['mknodat'], alarm: ['setitimer'], pause: ['ppoll'], time: ['clock_gettime'],
  signalfd: ['signalfd4'], eventfd: ['eventfd2'], inotify_init: ['inotify_init1'], getpgrp: ['getpgid'],
};

// clone flags that create namespaces (CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET): the mask Docker's default profile uses.
const CLONE_NAMESPACE_FLAGS = 0x7e020000;
// personality(2) values Docker's default profile allows: PER_LINUX, UNAME26, PER_LINUX32, PER_LINUX32|UNAME26, query.
const PERSONALITY_VALUES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];
const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const AF_NETLINK = 16;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_TYPE_MASK = 0xf;

/** The syscalls a seccomp profile generated from this learned profile allows, without argument filters. */
export function allowedSyscalls(profile: Profile): string[] {
  const observed = Object.keys(profile.items.syscalls);
  return [...new Set([...observed, ...RUNTIME_STARTUP_SYSCALLS, ...SYSCALL_BASELINE])].filter((name) => !FILTERED.has(name)).sort();
}

const FILTERED = new Set(['clone', 'clone3', 'personality', 'socket']);

/**
 * Docker/OCI seccomp JSON from a learned profile: refuse (EPERM) every call
 * but the observed ones and the runtime's start-up set, on x86_64 and arm64.
 * clone is allowed without namespace flags and personality only for Docker's
 * values, as in Docker's default profile; clone3, whose flags a filter cannot
 * read, answers ENOSYS so libc falls back to clone. socket is allowed for unix
 * and netlink, and for IPv4/IPv6 stream and datagram sockets: raw and packet
 * sockets are refused unless the profile saw the workload open one.
 */
export function seccompProfile(profile: Profile): SeccompProfile {
  const observed = new Set(Object.keys(profile.items.syscalls));
  const allowed = allowedSyscalls(profile);
  const allowedSet = new Set(allowed);
  const arm64 = [...new Set(allowed.flatMap((name) => ARM64_EQUIVALENTS[name] ?? []))].filter((name) => !allowedSet.has(name) && !FILTERED.has(name)).sort();
  const rules: SeccompRule[] = [{ names: allowed, action: 'SCMP_ACT_ALLOW', comment: 'observed by Vigil, plus the container runtime start-up set' }];
  if (arm64.length > 0) rules.push({ names: arm64, action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm64'] }, comment: 'what arm64 calls in place of the observed x86_64 calls' });
  const forks = observed.has('clone') || observed.has('clone3') || observed.has('fork') || observed.has('vfork');
  if (forks) {
    rules.push({ names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }], comment: 'clone without namespace flags' });
    rules.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, comment: 'flags out of a filter\'s reach: ENOSYS makes libc use clone' });
  }
  if (observed.has('personality')) {
    for (const value of PERSONALITY_VALUES) rules.push({ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value, valueTwo: 0, op: 'SCMP_CMP_EQ' }] });
  }
  if (observed.has('socket') || observed.has('socketpair')) {
    const raw = Object.keys(profile.items.sockets ?? {}).length > 0;
    if (raw) rules.push({ names: ['socket'], action: 'SCMP_ACT_ALLOW', comment: 'the workload opened raw or packet sockets while learning' });
    else {
      for (const family of [AF_UNIX, AF_NETLINK]) rules.push({ names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: family, valueTwo: 0, op: 'SCMP_CMP_EQ' }] });
      for (const family of [AF_INET, AF_INET6]) {
        for (const type of [SOCK_STREAM, SOCK_DGRAM]) {
          rules.push({
            names: ['socket'],
            action: 'SCMP_ACT_ALLOW',
            args: [
              { index: 0, value: family, valueTwo: 0, op: 'SCMP_CMP_EQ' },
              { index: 1, value: SOCK_TYPE_MASK, valueTwo: type, op: 'SCMP_CMP_MASKED_EQ' },
            ],
          });
        }
      }
    }
  }
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: EPERM,
    archMap: [
      { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
      { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
    ],
    syscalls: rules,
  };
}

/**
 * Whether the generated profile lets a call through on x86_64: with `args`,
 * argument filters are applied as the kernel would; without, a call allowed
 * for some arguments counts as allowed.
 */
export function seccompAllows(generated: SeccompProfile, name: string, args?: readonly number[]): boolean {
  return generated.syscalls.some(
    (rule) =>
      rule.action === 'SCMP_ACT_ALLOW' &&
      !rule.includes &&
      rule.names.includes(name) &&
      (args === undefined ||
        (rule.args ?? []).every((cmp) => {
          const value = BigInt(args[cmp.index] ?? 0);
          return cmp.op === 'SCMP_CMP_EQ' ? value === BigInt(cmp.value) : (value & BigInt(cmp.value)) === BigInt(cmp.valueTwo);
        })),
  );
}
