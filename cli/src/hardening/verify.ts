import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CgroupIndex, startEpermTracer, type EpermCounts, type EpermTracer } from '../../../collectors/src/index.js';
import { apparmorProfile, dockerHardening, dockerRunFlags, hardeningName, seccompAllows, seccompProfile, type Profile } from '../../../engine/src/index.js';
import { NO_WORKLOAD, WORKLOAD_LABEL } from '../../../proto/src/index.js';
import { EPERM, outOfProfileProbes, probeElf } from './probes.js';
import { apparmorStatus, compileApparmor } from './apparmor-parser.js';

const run = promisify(execFile);

export interface VerifyOptions {
  profile: Profile;
  image: string;
  /** Run inside the container (`docker exec … sh -c`); exit 0 means the workload still works. */
  exercise?: string;
  /** The container's command, when not the image's. */
  command?: string[];
  /** Extra `docker run` arguments (a network, environment, volumes). */
  runArgs?: string[];
  /** How long the workload runs before the exercise (default 2 s). */
  settleMs?: number;
}

export interface ProbeResult {
  name: string;
  what: string;
  /** The errno the call answered with (0: it succeeded), or undefined when the probe could not run. */
  errno: number | undefined;
  refused: boolean;
  detail?: string;
}

export interface VerifyReport {
  workload: string;
  version: number;
  image: string;
  seccomp: { allowed: number; file: string };
  apparmor: 'enforced' | 'compiled (AppArmor is off in this kernel)' | string;
  flags: string[];
  works: boolean;
  started: boolean;
  exercise?: { command: string; exitCode: number; output: string };
  /** EPERM answers to calls the generated filter does not allow, during start-up and the exercise. */
  denials: Array<{ syscall: string; count: number }>;
  /** How denials were counted. */
  denialSource: string;
  probes: ProbeResult[];
  ok: boolean;
}

/**
 * Proves generated hardening before anyone applies it: the workload's image
 * runs again under the generated seccomp profile (and AppArmor where the
 * kernel has it), with capabilities dropped to the used ones and a read-only
 * root when the profile allows; its exercise must pass with no system call
 * refused; then out-of-profile actions run inside that container and each must
 * answer EPERM.
 */
export async function verifyHardening(options: VerifyOptions): Promise<VerifyReport> {
  const { profile } = options;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-verify-'));
  const name = `vigil-verify-${process.pid}-${Date.now().toString(36)}`;
  let tracer: EpermTracer | undefined;
  let denialSource = 'EPERM answers traced in the kernel (bpftrace, raw_syscalls:sys_exit) for the container\'s cgroup';
  try {
    const seccomp = seccompProfile(profile);
    const seccompFile = path.join(dir, 'seccomp.json');
    await fs.writeFile(seccompFile, `${JSON.stringify(seccomp, null, 2)}\n`);
    const aaStatus = await apparmorStatus();
    const aaFile = path.join(dir, 'apparmor');
    await fs.writeFile(aaFile, apparmorProfile(profile));
    let apparmor: VerifyReport['apparmor'];
    if (aaStatus.enabled) {
      await compileApparmor(aaFile, { load: true });
      apparmor = 'enforced';
    } else {
      await compileApparmor(aaFile, { load: false });
      apparmor = 'compiled (AppArmor is off in this kernel)';
    }
    const hardening = dockerHardening(profile, { seccompPath: seccompFile, apparmor: aaStatus.enabled });
    const flags = dockerRunFlags(hardening);

    const probes = outOfProfileProbes((call) => seccompAllows(seccomp, call));
    const probeDir = path.join(dir, 'probes');
    await fs.mkdir(probeDir);
    const probesRunnable = os.arch() === 'x64';
    if (probesRunnable) for (const probe of probes) await fs.writeFile(path.join(probeDir, probe.name), probeElf(probe), { mode: 0o755 });

    try {
      tracer = await startEpermTracer();
    } catch (error) {
      denialSource = `not counted: ${(error as Error).message}; the exercise's exit status alone decides`;
    }
    // Its behaviour under test must not teach any profile (nor the workload's own).
    const started = await docker(['run', '-d', '--name', name, '--label', `${WORKLOAD_LABEL}=${NO_WORKLOAD}`, ...flags, '-v', `${probeDir}:/.vigil-verify:ro`, ...(options.runArgs ?? []), options.image, ...(options.command ?? [])]);
    let works = started.code === 0;
    let exercise: VerifyReport['exercise'];
    if (works) {
      await new Promise((r) => setTimeout(r, options.settleMs ?? 2000));
      const state = await docker(['inspect', '-f', '{{.State.Running}} {{.State.ExitCode}}', name]);
      const [running, exitCode] = state.stdout.trim().split(' ');
      if (options.exercise) {
        if (running !== 'true') works = false;
        else {
          const result = await docker(['exec', name, 'sh', '-c', options.exercise]);
          exercise = { command: options.exercise, exitCode: result.code, output: (result.stdout + result.stderr).trim().slice(-2000) };
          works = result.code === 0;
        }
      } else {
        works = running === 'true' || exitCode === '0';
      }
    }
    const results: ProbeResult[] = [];
    const running = (await docker(['inspect', '-f', '{{.State.Running}}', name])).stdout.trim() === 'true';
    for (const probe of probes) {
      if (!probesRunnable) {
        results.push({ name: probe.name, what: probe.what, errno: undefined, refused: false, detail: `probes are x86_64 programs; this machine is ${os.arch()}` });
        continue;
      }
      if (!running) {
        results.push({ name: probe.name, what: probe.what, errno: undefined, refused: false, detail: 'the container is not running' });
        continue;
      }
      const r = await docker(['exec', name, `/.vigil-verify/${probe.name}`]);
      const errno = r.code >= 0 && r.code < 126 ? r.code : undefined;
      results.push({
        name: probe.name,
        what: probe.what,
        errno,
        refused: errno === EPERM,
        ...(errno === undefined ? { detail: (r.stderr || `exit ${r.code}`).trim().slice(0, 300) } : {}),
        ...(errno === EPERM ? { detail: seccompAllows(seccomp, probe.syscall, numericArgs(probe)) ? 'EPERM from the kernel (capabilities)' : 'EPERM from the seccomp filter' } : {}),
      });
    }
    const id = (await docker(['inspect', '-f', '{{.Id}}', name])).stdout.trim();
    const counts = tracer ? await tracer.stop() : undefined;
    tracer = undefined;
    const denials = counts ? await denialsOf(counts, id, (call) => seccompAllows(seccomp, call), new Set(probes.map((p) => p.syscall))) : [];
    const startFailed = started.code !== 0 ? started.stderr.trim() : undefined;
    const report: VerifyReport = {
      workload: profile.workload,
      version: profile.version,
      image: options.image,
      seccomp: { allowed: new Set(seccomp.syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW' && !r.includes).flatMap((r) => r.names)).size, file: `${hardeningName(profile.workload)}.seccomp.json` },
      apparmor,
      flags: flags.map((f) => f.replace(seccompFile, `${hardeningName(profile.workload)}.seccomp.json`)),
      works: works && denials.length === 0,
      started: started.code === 0,
      ...(exercise ? { exercise } : startFailed ? { exercise: { command: 'docker run', exitCode: started.code, output: startFailed } } : {}),
      denials,
      denialSource,
      probes: results,
      ok: false,
    };
    report.ok = report.works && results.every((p) => p.refused);
    return report;
  } finally {
    await tracer?.stop().catch(() => undefined);
    await docker(['rm', '-f', name]);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** A probe's arguments as the filter sees them (strings are pointers: any value). */
function numericArgs(probe: { args: ReadonlyArray<number | string> }): number[] {
  return probe.args.map((a) => (typeof a === 'number' ? a : 0));
}

/** EPERM answers in the container's cgroup to calls the filter refuses, the probes' own left out. */
async function denialsOf(counts: EpermCounts, containerId: string, allows: (call: string) => boolean, probeCalls: ReadonlySet<string>): Promise<Array<{ syscall: string; count: number }>> {
  const index = await CgroupIndex.locate('/');
  await index.rescan();
  const out = new Map<string, number>();
  for (const [cgroup, calls] of counts) {
    const owner = await index.lookup(cgroup);
    if (!owner || owner.id !== containerId) continue;
    for (const [call, n] of calls) {
      if (allows(call) || probeCalls.has(call)) continue;
      out.set(call, (out.get(call) ?? 0) + n);
    }
  }
  return [...out].map(([syscall, count]) => ({ syscall, count })).sort((a, b) => b.count - a.count);
}

async function docker(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('docker', args, { maxBuffer: 16 * 1024 * 1024, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message };
  }
}

/** The report as a person reads it. */
export function verifyText(r: VerifyReport): string {
  const lines = [
    `${r.workload} (profile version ${r.version}) on ${r.image}: ${r.ok ? 'VERIFIED' : 'NOT VERIFIED'}`,
    `  seccomp: ${r.seccomp.allowed} system calls allowed, default SCMP_ACT_ERRNO (EPERM)`,
    `  apparmor: ${r.apparmor}`,
    `  docker run ${r.flags.join(' ')}`,
    `  workload: ${r.works ? 'works' : 'BROKEN'}${r.exercise ? ` (exercise "${r.exercise.command}" exit ${r.exercise.exitCode})` : r.started ? ' (ran without an exercise)' : ''}`,
    ...(r.exercise && r.exercise.exitCode !== 0 && r.exercise.output ? [`    ${r.exercise.output.split('\n').slice(-5).join('\n    ')}`] : []),
    `  denied system calls: ${r.denials.length === 0 ? 'none' : r.denials.map((d) => `${d.syscall} ×${d.count}`).join(', ')}`,
    `    (${r.denialSource})`,
    '  out-of-profile actions:',
    ...r.probes.map((p) => `    ${p.refused ? 'refused' : 'ALLOWED'}  ${p.what}: ${p.errno === undefined ? 'did not run' : p.errno === 0 ? 'succeeded' : `errno ${p.errno}${p.errno === EPERM ? ' (EPERM)' : ''}`}${p.detail ? ` — ${p.detail}` : ''}`),
  ];
  return `${lines.join('\n')}\n`;
}
