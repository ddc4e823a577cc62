import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { kernelFilterOf, readBundleFile } from '../engine/src/index.js';
import { createContainer, removeContainersByPrefix, startNats, type ContainerNats } from './harness/index.js';
import { spawnVigilUp, untilRuntimeCollector } from './support/vigil-process.js';

/**
 * The runtime collector's in-kernel filter follows the policies: a rule about
 * a path nothing watched before declares it in METADATA, the bundle's manifest
 * carries it, and `vigil up` reports opens of that path with no collector change.
 */

const run = promisify(execFile);
const PREFIX = `vigil-kfilter-${process.pid}-`;
const CANARY = '/opt/vigil-canary/';

/** A one-rule policy directory: a read below the canary directory, with or without its kernel filter. */
async function canaryPolicies(dir: string, withFilter: boolean): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const filter = withFilter ? `#   kernel_filter:\n#     read_paths: ["${CANARY}"]\n` : '';
  await fs.writeFile(
    path.join(dir, 'canary.rego'),
    `# METADATA
# title: Canary file read
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: TEST-CANARY-001
#   kind: file_access
#   severity: HIGH
#   recommended_action: "None: a test rule."
${filter}#   frameworks:
#     mitre: ["T1005"]
package vigil.runtime.canary

deny contains msg if {
	fact := input.file_access
	startswith(fact.path, "${CANARY}")
	msg := sprintf("%s read canary %s", [fact.process.exe, fact.path])
}
`,
  );
}

async function buildCanaryBundle(dir: string, withFilter: boolean): Promise<string> {
  await canaryPolicies(dir, withFilter);
  const out = path.join(dir, 'canary.tar.gz');
  await run(process.execPath, [path.resolve('bin', 'vigil.js'), 'policy', 'build', '--policies', dir, '--name', 'canary', '--output', out, '--quiet'], { timeout: 120_000 });
  return out;
}

describe('kernel filter - derived from the bundle vigil up serves', () => {
  let nats: ContainerNats;
  let work: string;

  beforeAll(async () => {
    await removeContainersByPrefix(PREFIX);
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-kfilter-'));
    nats = await startNats();
  }, 60_000);
  afterAll(async () => {
    await removeContainersByPrefix(PREFIX);
    await nats?.stop();
    await fs.rm(work, { recursive: true, force: true });
  });

  /** Runs vigil up with the bundle, reads a canary file in a container, returns the canary alerts within 3 s. */
  async function readCanary(bundle: string, name: string): Promise<string[]> {
    const up = spawnVigilUp(['--nats', nats.url, '--collectors', 'runtime', '--bundle', bundle]);
    const container = await createContainer({ name: `${PREFIX}${name}`, cmd: ['sh', '-c', `mkdir -p ${CANARY} && echo x > ${CANARY}secret && sleep 300`] });
    try {
      await untilRuntimeCollector(up);
      await run('docker', ['exec', container.name, 'cat', `${CANARY}secret`]);
      const canary = (): string[] => up.alerts.filter((a) => a.rule_id === 'TEST-CANARY-001' && a.subject.name === container.name).map((a) => a.message);
      const until = Date.now() + 3_000;
      while (canary().length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
      return canary();
    } finally {
      expect(await up.stop()).toBe(0);
      await container.remove();
    }
  }

  it('kernel filter - a rule declaring a new path in custom.kernel_filter makes the kernel report it: the read alerts', async () => {
    const bundle = await buildCanaryBundle(path.join(work, 'with'), true);
    expect(kernelFilterOf((await readBundleFile(bundle)).manifest).read_paths).toEqual([CANARY]);
    expect(await readCanary(bundle, 'with')).toEqual([`/bin/cat read canary ${CANARY}secret`]);
  }, 120_000);

  it('kernel filter - the same rule without the declaration never sees the read: the kernel does not report the path', async () => {
    const bundle = await buildCanaryBundle(path.join(work, 'without'), false);
    expect(kernelFilterOf((await readBundleFile(bundle)).manifest).read_paths).toEqual([]);
    expect(await readCanary(bundle, 'without')).toEqual([]);
  }, 120_000);
});
