import { X86_64_SYSCALLS } from '../../../collectors/src/index.js';

/**
 * Out-of-profile actions as tiny static x86_64 programs, so they run in any
 * image (no shell, no libc needed): each makes one system call with fixed
 * arguments and exits with its errno (0 when the call succeeded). EPERM (1)
 * is the answer a seccomp profile with SCMP_ACT_ERRNO gives.
 */
export interface Probe {
  /** File name in the probe directory, and the action's name in reports. */
  name: string;
  what: string;
  syscall: string;
  /** Arguments: numbers, or strings placed in the program and passed by address. */
  args: Array<number | string>;
}

const CLONE_NEWUSER = 0x10000000;
const AF_INET = 2;
const SOCK_RAW = 3;
const IPPROTO_ICMP = 1;
const PTRACE_TRACEME = 0;
export const EPERM = 1;

/** Calls a profile of a small service rarely makes; the first one the profile does not allow is the "never seen" probe. */
const NEVER_SEEN_CANDIDATES = ['getcpu', 'sysinfo', 'times', 'syslog', 'getrusage', 'sched_getparam', 'uname'];

export function outOfProfileProbes(allows: (syscall: string) => boolean): Probe[] {
  const probes: Probe[] = [
    { name: 'unshare', what: 'unshare(CLONE_NEWUSER)', syscall: 'unshare', args: [CLONE_NEWUSER] },
    { name: 'mount', what: 'mount("none", "/tmp", "tmpfs")', syscall: 'mount', args: ['none', '/tmp', 'tmpfs', 0, 0] },
    { name: 'ptrace', what: 'ptrace(PTRACE_TRACEME)', syscall: 'ptrace', args: [PTRACE_TRACEME, 0, 0, 0] },
    { name: 'raw-socket', what: 'socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)', syscall: 'socket', args: [AF_INET, SOCK_RAW, IPPROTO_ICMP] },
  ];
  const unseen = NEVER_SEEN_CANDIDATES.find((name) => !allows(name));
  if (unseen) probes.push({ name: 'never-seen', what: `${unseen}() (a call the profile never saw)`, syscall: unseen, args: [0, 0, 0] });
  return probes;
}

const BASE = 0x400000n;
const HEADERS = 64 + 56;
const ARG_REGISTERS = [
  [0x48, 0xbf], // rdi
  [0x48, 0xbe], // rsi
  [0x48, 0xba], // rdx
  [0x49, 0xba], // r10
  [0x49, 0xb8], // r8
];

/** The probe as an ELF64 x86_64 executable: one loadable segment, code then strings. */
export function probeElf(probe: Probe): Uint8Array {
  const nr = X86_64_SYSCALLS.indexOf(probe.syscall);
  if (nr < 0) throw new Error(`no x86_64 system call named ${probe.syscall}`);
  const movImm = (prefix: number[], value: bigint): number[] => [...prefix, ...le64(value)];
  // Code length is fixed by the argument count, so string addresses are known before the code is written.
  const codeLength = 10 + probe.args.length * 10 + 2 + 3 + 2 + 3 + 3 + 2 + 2 + 5 + 2;
  const strings: number[] = [];
  const argValues = probe.args.map((arg) => {
    if (typeof arg === 'number') return BigInt(arg);
    const address = BASE + BigInt(HEADERS + codeLength + strings.length);
    strings.push(...Buffer.from(arg, 'utf8'), 0);
    return address;
  });
  const code = [
    ...movImm([0x48, 0xb8], BigInt(nr)), // mov rax, nr
    ...argValues.flatMap((value, i) => movImm(ARG_REGISTERS[i]!, value)),
    0x0f, 0x05, // syscall
    0x48, 0x85, 0xc0, // test rax, rax
    0x79, 0x08, // jns ok
    0x48, 0xf7, 0xd8, // neg rax
    0x48, 0x89, 0xc7, // mov rdi, rax
    0xeb, 0x02, // jmp exit
    0x31, 0xff, // ok: xor edi, edi
    0xb8, 0x3c, 0x00, 0x00, 0x00, // exit: mov eax, 60 (exit)
    0x0f, 0x05, // syscall
  ];
  if (code.length !== codeLength) throw new Error('probe code length mismatch');
  const size = HEADERS + code.length + strings.length;
  const elf = Buffer.alloc(size);
  // ELF header
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  elf.writeUInt16LE(2, 16); // ET_EXEC
  elf.writeUInt16LE(0x3e, 18); // EM_X86_64
  elf.writeUInt32LE(1, 20);
  elf.writeBigUInt64LE(BASE + BigInt(HEADERS), 24); // entry
  elf.writeBigUInt64LE(64n, 32); // program headers at
  elf.writeBigUInt64LE(0n, 40);
  elf.writeUInt32LE(0, 48);
  elf.writeUInt16LE(64, 52);
  elf.writeUInt16LE(56, 54);
  elf.writeUInt16LE(1, 56);
  elf.writeUInt16LE(64, 58);
  elf.writeUInt16LE(0, 60);
  elf.writeUInt16LE(0, 62);
  // PT_LOAD, read + execute, the whole file at BASE
  elf.writeUInt32LE(1, 64);
  elf.writeUInt32LE(5, 68);
  elf.writeBigUInt64LE(0n, 72);
  elf.writeBigUInt64LE(BASE, 80);
  elf.writeBigUInt64LE(BASE, 88);
  elf.writeBigUInt64LE(BigInt(size), 96);
  elf.writeBigUInt64LE(BigInt(size), 104);
  elf.writeBigUInt64LE(0x1000n, 112);
  elf.set(code, HEADERS);
  elf.set(strings, HEADERS + code.length);
  return new Uint8Array(elf);
}

function le64(value: bigint): number[] {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, value));
  return [...b];
}
