import { createContainer, removeContainersByPrefix, type TestContainer } from '../harness/index.js';

/**
 * The containers the whole-system tests judge: each risky one carries one
 * risky flag, the hardened one carries every hardening flag. Names are unique
 * per test process so parallel suites never touch each other's.
 */
export const RISKY = {
  capadd: { flags: ['--cap-add', 'SYS_ADMIN'], expect: 'VGL-CTR-002' },
  docker_sock: { flags: ['-v', '/var/run/docker.sock:/var/run/docker.sock'], expect: 'VGL-CTR-004' },
  pid_host: { flags: ['--pid', 'host'], expect: 'VGL-CTR-005' },
  seccomp: { flags: ['--security-opt', 'seccomp=unconfined'], expect: 'VGL-CTR-009' },
  untrusted_runc: { flags: ['--label', 'vigil.dev/untrusted=true'], expect: 'VGL-CTR-012' },
  privileged: { flags: ['--privileged'], expect: 'VGL-CTR-001', start: false },
} as const;

export const HARDENED_FLAGS = [
  '--read-only',
  '--cap-drop', 'ALL',
  '--user', '1000:1000',
  '--security-opt', 'no-new-privileges',
  '--memory', '64m',
  '--cpu-shares', '512',
  '--pids-limit', '64',
  '--health-cmd', 'true',
  '--restart', 'on-failure:3',
];

export const SANDBOXED_FLAGS = ['--runtime', 'runsc', '--label', 'vigil.dev/untrusted=true'];

export interface RiskySet {
  prefix: string;
  names: Record<keyof typeof RISKY | 'hardened' | 'untrusted_runsc', string>;
  containers: TestContainer[];
  remove(): Promise<void>;
}

export async function createRiskySet(area: string): Promise<RiskySet> {
  const prefix = `vigil-${area}-${process.pid}-`;
  await removeContainersByPrefix(prefix);
  const containers: TestContainer[] = [];
  const names = {} as RiskySet['names'];
  for (const [key, spec] of Object.entries(RISKY)) {
    const name = `${prefix}${key}`;
    names[key as keyof typeof RISKY] = name;
    containers.push(await createContainer({ name, flags: [...spec.flags], start: !('start' in spec && spec.start === false) }));
  }
  names.hardened = `${prefix}hardened`;
  containers.push(await createContainer({ name: names.hardened, flags: HARDENED_FLAGS }));
  names.untrusted_runsc = `${prefix}untrusted_runsc`;
  containers.push(await createContainer({ name: names.untrusted_runsc, flags: SANDBOXED_FLAGS }));
  return { prefix, names, containers, remove: async () => void (await removeContainersByPrefix(prefix)) };
}
