import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import {
  addItem,
  apparmorProfile,
  composePatch,
  diffProfiles,
  dockerNetworkPlan,
  hardeningName,
  kubernetesPatch,
  networkPolicy,
  seccompProfile,
  isProfileCategory,
  normalised,
  PROFILE_CATEGORIES,
  profileProblem,
  ProfileStore,
  VigilEngineError,
  type Profile,
} from '../../../engine/src/index.js';
import { parseDuration } from '../args.js';
import { CliError, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, UsageError } from '../errors.js';
import { apparmorStatus } from '../hardening/apparmor-parser.js';
import { verifyHardening, verifyText } from '../hardening/verify.js';
import { connectNats, NATS_SECURITY_OPTIONS, natsSecurity, natsUrl } from '../nats.js';

export const PROFILE_USAGE = `Usage (learned workload profiles, in the vigil-profiles KV bucket; all take --nats URL):
  vigil profile list [--format table|json]                 every profile: state, version, items
  vigil profile show WORKLOAD [--format yaml|json]         one profile
  vigil profile diff WORKLOAD [--from V] [--to V]          what changed between two stored versions
                                                           (default: the previous and the current)
  vigil profile lock WORKLOAD                              start enforcing now
  vigil profile reset WORKLOAD                             back to learning, items cleared
  vigil profile extend WORKLOAD DURATION                   learn longer (e.g. 30m) before enforcing
  vigil profile approve WORKLOAD CATEGORY:ITEM...          accept drift into the profile, e.g.
                                                           executables:/usr/bin/curl  listen_ports:tcp/8080
  vigil profile export WORKLOAD [--out FILE] [--format F]  write the profile out (YAML by default), or hardening
                                                           generated from it; F is one of
      yaml | json         the profile itself
      seccomp             Docker/OCI seccomp JSON (default action SCMP_ACT_ERRNO)
      apparmor            an AppArmor profile (load with apparmor_parser -r -W FILE)
      networkpolicy       a Kubernetes NetworkPolicy from this and its peers' profiles
      docker-network      the same for a Docker host: a network and DOCKER-USER rules (sh)
      compose             a compose override for the workload's service
      k8s                 a strategic merge patch for the workload's pod template
    with --target NAME (the compose service or k8s container when the workload does not say),
    --seccomp-path PATH (where the seccomp JSON will be), --apparmor (apply the AppArmor profile too)
  vigil profile verify WORKLOAD --image IMG [--exercise CMD] [--run-arg=ARG]... [--format text|json] [-- COMMAND...]
                                                           run IMG again under the generated hardening, run CMD in it
                                                           (exit 0 = it works), check no call was refused, then try
                                                           unshare, mount, ptrace, a raw socket and a call never seen:
                                                           each must answer EPERM. Exit 0 verified, 1 not, 2 error
  vigil profile import FILE                                load a profile (YAML or JSON); replaces the stored one
export and verify take --profile FILE in place of WORKLOAD: an exported profile instead of the one in NATS.
Categories: ${PROFILE_CATEGORIES.join(', ')}`;

export async function profileCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    process.stdout.write(`${PROFILE_USAGE}\n`);
    return sub === undefined ? EXIT_ERROR : EXIT_OK;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      nats: { type: 'string' },
      format: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
      profile: { type: 'string' },
      target: { type: 'string' },
      'seccomp-path': { type: 'string' },
      apparmor: { type: 'boolean' },
      image: { type: 'string' },
      exercise: { type: 'string' },
      'run-arg': { type: 'string', multiple: true },
      settle: { type: 'string' },
      ...NATS_SECURITY_OPTIONS,
    },
  });
  const needs = (n: number, what: string): void => {
    if (positionals.length < n) throw new UsageError(`vigil profile ${sub} needs ${what}\n\n${PROFILE_USAGE}`);
  };
  const known = ['list', 'show', 'diff', 'lock', 'reset', 'extend', 'approve', 'export', 'import', 'verify'];
  if (!known.includes(sub)) throw new UsageError(`unknown profile command ${sub}\n\n${PROFILE_USAGE}`);
  if (sub === 'import') needs(1, 'a FILE');
  else if (sub === 'extend') needs(2, 'WORKLOAD DURATION');
  else if (sub === 'approve') needs(2, 'WORKLOAD and at least one CATEGORY:ITEM');
  else if (sub !== 'list' && !(values.profile && (sub === 'export' || sub === 'verify'))) needs(1, 'a WORKLOAD');
  if (sub === 'verify' && !values.image) throw new UsageError(`vigil profile verify needs --image IMG\n\n${PROFILE_USAGE}`);
  // Everything a user typed is checked before connecting.
  const extendMs = sub === 'extend' ? parseDuration('extend', positionals[1]!) : 0;
  const approvals = sub === 'approve' ? positionals.slice(1).map(parseApproval) : [];
  const imported = sub === 'import' ? await readProfileFile(positionals[0]!) : undefined;
  const format = values.format;
  const exportFormat = sub === 'export' ? (format ?? 'yaml') : undefined;
  if (exportFormat !== undefined && !EXPORT_FORMATS.includes(exportFormat)) throw new UsageError(`--format: expected one of ${EXPORT_FORMATS.join(', ')} (actual: ${exportFormat})`);
  const settleMs = values.settle ? parseDuration('settle', values.settle) : undefined;
  const fromFile = values.profile && (sub === 'export' || sub === 'verify') ? await readProfileFile(values.profile) : undefined;
  if (fromFile && exportFormat !== 'networkpolicy' && exportFormat !== 'docker-network') {
    return sub === 'verify' ? verify(fromFile, positionals.slice(values.profile ? 0 : 1), values, settleMs) : writeExport(fromFile, [fromFile], exportFormat!, values);
  }

  const nc = await connectNats(natsUrl(values.nats, true)!, 'vigil-profile', natsSecurity(values));
  try {
    const store = await ProfileStore.open(nc);
    const workload = positionals[0] ?? '';
    const must = async (): Promise<Profile> => {
      const stored = await store.get(workload);
      if (!stored) throw new VigilEngineError('VIGIL_ERR_PROFILE_NOT_FOUND', [workload]);
      return stored.profile;
    };
    const change = async (fn: (p: Profile) => void): Promise<Profile> => {
      const updated = await store.update(workload, (current) => {
        if (!current) throw new VigilEngineError('VIGIL_ERR_PROFILE_NOT_FOUND', [workload]);
        fn(current);
        return current;
      });
      return updated!;
    };
    switch (sub) {
      case 'list': {
        const profiles = (await Promise.all((await store.workloads()).map(async (w) => (await store.get(w))?.profile))).filter((p): p is Profile => p !== undefined);
        if (format === 'json') process.stdout.write(`${JSON.stringify(profiles.map(summary), null, 2)}\n`);
        else process.stdout.write(listTable(profiles));
        return EXIT_OK;
      }
      case 'export': {
        const profile = fromFile ?? (await must());
        const peers = exportFormat === 'networkpolicy' || exportFormat === 'docker-network' ? await everyProfile(store) : [profile];
        return await writeExport(profile, peers, exportFormat!, values);
      }
      case 'verify':
        return await verify(await must(), positionals.slice(1), values, settleMs);
      case 'show': {
        const text = render(await must(), format ?? 'yaml');
        if (values.out) await fs.writeFile(values.out, text);
        else process.stdout.write(text);
        return EXIT_OK;
      }
      case 'diff': {
        const history = await store.history(workload);
        if (history.length === 0) throw new VigilEngineError('VIGIL_ERR_PROFILE_NOT_FOUND', [workload]);
        const to = values.to === undefined ? history[history.length - 1]! : byVersion(history, values.to, workload);
        const from = values.from === undefined ? (history[history.indexOf(to) - 1] ?? to) : byVersion(history, values.from, workload);
        process.stdout.write(`${JSON.stringify(diffProfiles(from, to), null, 2)}\n`);
        return EXIT_OK;
      }
      case 'lock': {
        const p = await change((p) => {
          if (p.state !== 'enforcing') p.enforcing_since_ms = Date.now();
          p.state = 'enforcing';
        });
        process.stdout.write(`${workload}: enforcing (version ${p.version})\n`);
        return EXIT_OK;
      }
      case 'reset': {
        const p = await change((p) => {
          Object.assign(p, { state: 'learning', active_s: 0, last_active_ms: 0, items: Object.fromEntries(PROFILE_CATEGORIES.map((c) => [c, {}])) });
          delete p.enforcing_since_ms;
        });
        process.stdout.write(`${workload}: learning again (version ${p.version})\n`);
        return EXIT_OK;
      }
      case 'extend': {
        const p = await change((p) => {
          p.learn_window_s += extendMs / 1000;
          if (p.state === 'enforcing') {
            p.state = 'learning';
            delete p.enforcing_since_ms;
          }
        });
        process.stdout.write(`${workload}: learning for ${Math.max(0, p.learn_window_s - p.active_s).toFixed(0)} s more of activity (version ${p.version})\n`);
        return EXIT_OK;
      }
      case 'approve': {
        const now = Date.now();
        const p = await change((p) => {
          for (const { category, key } of approvals) addItem(p, category, key, { replicas: ['approved'], hosts: [], first_seen: now, last_seen: now });
        });
        process.stdout.write(`${workload}: approved ${approvals.length} item(s) (version ${p.version})\n`);
        return EXIT_OK;
      }
      case 'import': {
        const profile = imported!;
        const p = await store.update(profile.workload, () => ({ ...profile }));
        process.stdout.write(`${profile.workload}: imported (${profile.state}, version ${p!.version})\n`);
        return EXIT_OK;
      }
    }
    return EXIT_ERROR;
  } finally {
    await nc.close();
  }
}

const EXPORT_FORMATS = ['yaml', 'json', 'seccomp', 'apparmor', 'networkpolicy', 'docker-network', 'compose', 'k8s'];

async function everyProfile(store: ProfileStore): Promise<Profile[]> {
  return (await Promise.all((await store.workloads()).map(async (w) => (await store.get(w))?.profile))).filter((p): p is Profile => p !== undefined);
}

interface HardeningValues {
  out?: string;
  target?: string;
  'seccomp-path'?: string;
  apparmor?: boolean;
  image?: string;
  exercise?: string;
  'run-arg'?: string[];
  format?: string;
}

/** The profile, or hardening generated from it, to --out or stdout. */
async function writeExport(profile: Profile, all: readonly Profile[], format: string, values: HardeningValues): Promise<number> {
  const name = hardeningName(profile.workload);
  let text: string;
  try {
    switch (format) {
      case 'seccomp':
        text = `${JSON.stringify(seccompProfile(profile), null, 2)}\n`;
        break;
      case 'apparmor':
        text = apparmorProfile(profile);
        break;
      case 'networkpolicy':
        text = `# NetworkPolicy generated by Vigil from the learned profiles of ${profile.workload} and its peers\n${YAML.stringify(networkPolicy(profile, all))}`;
        break;
      case 'docker-network':
        text = dockerNetworkPlan(profile, all);
        break;
      case 'compose': {
        // Docker refuses an AppArmor profile on a host without AppArmor: by default applied only where this host has it.
        const apparmor = values.apparmor ?? (await apparmorStatus()).enabled;
        const patch = composePatch(profile, { seccompPath: values['seccomp-path'] ?? `./vigil/${name}.seccomp.json`, apparmor, ...(values.target ? { target: values.target } : {}) });
        text = `# compose override generated by Vigil (profile ${profile.workload}, version ${profile.version}):\n#   docker-compose -f docker-compose.yml -f THIS up -d\n${YAML.stringify(patch)}`;
        break;
      }
      case 'k8s': {
        const patch = kubernetesPatch(profile, { seccompPath: values['seccomp-path'] ?? `vigil/${name}.seccomp.json`, apparmor: values.apparmor ?? true, ...(values.target ? { target: values.target } : {}) });
        text = `# strategic merge patch generated by Vigil (profile ${profile.workload}, version ${profile.version}):\n#   kubectl patch deployment NAME --patch-file THIS\n${YAML.stringify(patch)}`;
        break;
      }
      default:
        text = render(profile, format);
    }
  } catch (error) {
    throw new CliError('VIGIL_ERR_CLI_EXPORT', [profile.workload, format, (error as Error).message]);
  }
  if (values.out) await fs.writeFile(values.out, text);
  else process.stdout.write(text);
  return EXIT_OK;
}

async function verify(profile: Profile, command: string[], values: HardeningValues, settleMs: number | undefined): Promise<number> {
  const report = await verifyHardening({
    profile,
    image: values.image!,
    ...(values.exercise ? { exercise: values.exercise } : {}),
    ...(command.length > 0 ? { command } : {}),
    ...(values['run-arg'] ? { runArgs: values['run-arg'] } : {}),
    ...(settleMs !== undefined ? { settleMs } : {}),
  });
  process.stdout.write(values.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : verifyText(report));
  return report.ok ? EXIT_OK : EXIT_FINDINGS;
}

function parseApproval(text: string): { category: (typeof PROFILE_CATEGORIES)[number]; key: string } {
  const colon = text.indexOf(':');
  const category = colon < 0 ? '' : text.slice(0, colon);
  const key = colon < 0 ? '' : text.slice(colon + 1);
  if (!isProfileCategory(category) || key === '') {
    throw new UsageError(`approve: expected CATEGORY:ITEM with CATEGORY one of ${PROFILE_CATEGORIES.join(', ')} (actual: ${text})`);
  }
  return { category, key };
}

async function readProfileFile(file: string): Promise<Profile> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = YAML.parse(text);
  } catch (error) {
    throw new VigilEngineError('VIGIL_ERR_PROFILE_INVALID', [file, (error as Error).message]);
  }
  const problem = profileProblem(value);
  if (problem) throw new VigilEngineError('VIGIL_ERR_PROFILE_INVALID', [file, problem]);
  return normalised(value as Profile);
}

function byVersion(history: readonly Profile[], text: string, workload: string): Profile {
  const version = Number(text);
  const found = history.find((p) => p.version === version);
  if (!found) {
    throw new UsageError(`${workload} has no stored version ${text}: the bucket keeps versions ${history.map((p) => p.version).join(', ')}`);
  }
  return found;
}

function summary(p: Profile): Record<string, unknown> {
  return {
    workload: p.workload,
    state: p.state,
    version: p.version,
    learned_s: Math.round(p.active_s),
    learn_window_s: p.learn_window_s,
    items: Object.fromEntries(PROFILE_CATEGORIES.map((c) => [c, Object.keys(p.items[c]).length])),
  };
}

function listTable(profiles: readonly Profile[]): string {
  if (profiles.length === 0) return 'no profiles yet: they appear once an engine learning profiles sees runtime facts\n';
  const rows = profiles.map((p) => [
    p.workload,
    p.state,
    String(p.version),
    `${Math.round(p.active_s)}/${Math.round(p.learn_window_s)} s`,
    PROFILE_CATEGORIES.map((c) => Object.keys(p.items[c]).length).reduce((a, b) => a + b, 0).toString(),
  ]);
  const head = ['WORKLOAD', 'STATE', 'VERSION', 'LEARNED', 'ITEMS'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

/** YAML meant to be read and committed: times as ISO dates, items sorted. */
function render(profile: Profile, format: string): string {
  if (format !== 'yaml' && format !== 'json') throw new UsageError(`--format: expected yaml or json (actual: ${format})`);
  if (format === 'json') return `${JSON.stringify(profile, null, 2)}\n`;
  const iso = (ms: number | undefined): string | undefined => (ms ? new Date(ms).toISOString() : undefined);
  const items = Object.fromEntries(
    PROFILE_CATEGORIES.map((c) => [
      c,
      Object.fromEntries(
        Object.keys(profile.items[c])
          .sort()
          .map((k) => {
            const i = profile.items[c][k]!;
            return [k, { replicas: i.replicas, hosts: i.hosts, first_seen: i.first_seen, last_seen: i.last_seen, ...(i.origin ? { origin: i.origin } : {}) }];
          }),
      ),
    ]),
  );
  const doc = {
    workload: profile.workload,
    version: profile.version,
    state: profile.state,
    learn_window_s: profile.learn_window_s,
    active_s: Math.round(profile.active_s * 10) / 10,
    last_active_ms: profile.last_active_ms,
    created_ms: profile.created_ms,
    updated_ms: profile.updated_ms,
    ...(profile.enforcing_since_ms ? { enforcing_since_ms: profile.enforcing_since_ms } : {}),
    items,
  };
  const header = `# Learned profile of ${profile.workload}: ${profile.state}, version ${profile.version}, updated ${iso(profile.updated_ms)}\n`;
  return header + YAML.stringify(doc);
}
