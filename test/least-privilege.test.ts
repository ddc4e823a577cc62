// The collector image under exactly the `docker run` flags docs/operations.md documents: no
// --privileged, no Docker socket, two capabilities, read-only everything. Facts must still arrive.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeFactBatch, ensureStreams, type Fact } from '../proto/src/index.js';
import { BUSYBOX_IMAGE, createContainer, docker, removeContainersByPrefix, startLocalNats, type LocalNats, type TestContainer } from './harness/index.js';
import { packageRoot } from '../engine/src/index.js';

const COLLECTOR_IMAGE = 'vigil/collector:dev';
const PREFIX = 'vigil-lp-';
const HEADING = '## The collector in a least-privilege container';
// Kernel capability bits (include/uapi/linux/capability.h).
const CAP_DAC_READ_SEARCH = 2n;
const CAP_SYS_PTRACE = 19n;

describe('least privilege - collector image under the documented flags', () => {
  const id = randomUUID().slice(0, 8);
  const name = `${PREFIX}${id}-collector`;
  const volume = `${PREFIX}${id}-outbox`;
  const host = `${PREFIX}${id}`;
  let nats: LocalNats;
  let nc: NatsConnection;
  let sub: Subscription;
  const facts: Fact[] = [];
  let documented: string[];
  let target: TestContainer;

  beforeAll(async () => {
    await docker(['image', 'inspect', COLLECTOR_IMAGE]).catch((error: unknown) => {
      throw new Error(`${COLLECTOR_IMAGE} is missing: build it with bash scripts/setup.sh --test (${String(error)})`);
    });
    documented = await documentedDockerRun(HEADING);
    nats = await startLocalNats();
    nc = await connect({ servers: nats.url });
    await ensureStreams(nc);
    sub = nc.subscribe('vigil.facts.>');
    void (async () => {
      for await (const message of sub) facts.push(...(decodeFactBatch(message.data).facts as Fact[]));
    })();
  }, 60_000);

  afterAll(async () => {
    await removeContainersByPrefix(PREFIX).catch(() => undefined);
    await docker(['volume', 'rm', '--force', volume]).catch(() => undefined);
    await nc?.close();
    await nats?.stop();
  });

  it('least privilege - the documented command drops every capability but two and mounts the host read-only', () => {
    const flags = documented.join(' ');
    expect(documented).not.toContain('--privileged');
    expect(flags).not.toMatch(/docker\.sock/);
    expect(flags).toContain('--cap-drop ALL --cap-add DAC_READ_SEARCH --cap-add SYS_PTRACE');
    expect(documented.filter((word) => word === '--cap-add')).toHaveLength(2);
    expect(documented).toEqual(expect.arrayContaining(['--read-only', '-v', '/:/host:ro,rslave', '--security-opt', 'no-new-privileges']));
    expect(documented).toContain(COLLECTOR_IMAGE);
  });

  it('least privilege - host, container and image facts arrive from the collector container', async () => {
    const args = documented.map((word) =>
      word === 'vigil-collector'
        ? name
        : word.startsWith('vigil-outbox:')
          ? word.replace('vigil-outbox', volume)
          : word.startsWith('VIGIL_NATS_URL=')
            ? `VIGIL_NATS_URL=${nats.url}`
            : word.startsWith('VIGIL_HOST=')
              ? `VIGIL_HOST=${host}`
              : word,
    );
    const containerId = await docker(['run', ...args]);

    // What the kernel says about the collector's process, not what Docker was asked for.
    const pid = await docker(['inspect', '--format', '{{.State.Pid}}', containerId]);
    const status = await readFile(path.join('/proc', pid, 'status'), 'utf8');
    const field = (key: string): string => new RegExp(`^${key}:\\s*(\\S+)`, 'm').exec(status)?.[1] ?? '';
    expect(BigInt(`0x${field('CapEff')}`)).toBe((1n << CAP_DAC_READ_SEARCH) | (1n << CAP_SYS_PTRACE));
    expect(BigInt(`0x${field('CapBnd')}`)).toBe((1n << CAP_DAC_READ_SEARCH) | (1n << CAP_SYS_PTRACE));
    expect(field('NoNewPrivs')).toBe('1');
    expect(field('Uid').split(/\s+/)[0]).toBe('0');
    const inspect = JSON.parse(await docker(['inspect', containerId])) as [
      { HostConfig: { Privileged: boolean; ReadonlyRootfs: boolean; PidMode: string }; Mounts: { Destination: string; RW: boolean; Propagation: string }[] },
    ];
    expect(inspect[0].HostConfig.Privileged).toBe(false);
    expect(inspect[0].HostConfig.ReadonlyRootfs).toBe(true);
    expect(inspect[0].HostConfig.PidMode).toBe('host');
    expect(inspect[0].Mounts.find((mount) => mount.Destination === '/host')).toMatchObject({ RW: false, Propagation: 'rslave' });

    // A container started after the collector: it must show up through the read-only host mount.
    await waitFor(() => facts.some((fact) => fact.source?.host === host && fact.host), 30_000, 'a host fact', name);
    target = await createContainer({ name: `${PREFIX}${id}-target`, flags: ['--cap-add', 'NET_ADMIN'], cmd: ['sh', '-c', 'while true; do sleep 1; done'] });
    const busyboxId = await docker(['image', 'inspect', '--format', '{{.Id}}', BUSYBOX_IMAGE]);
    const mine = (): Fact[] => facts.filter((fact) => fact.source?.host === host);
    await waitFor(() => mine().some((fact) => fact.container?.id === target.id), 30_000, `a container fact for ${target.name}`, name);
    await waitFor(() => mine().some((fact) => fact.image?.id === busyboxId), 45_000, `an image fact for ${BUSYBOX_IMAGE}`, name);
    await waitFor(() => mine().some((fact) => fact.process_exec?.container?.id === target.id), 30_000, `a process_exec fact in ${target.name}`, name);

    const container = mine().find((fact) => fact.container?.id === target.id)?.container;
    expect(container?.capabilities).toContain('NET_ADMIN');
    expect(container?.privileged).toBe(false);
    const host_ = mine().find((fact) => fact.host)?.host;
    expect(host_?.docker_version).toMatch(/^\d+\.\d+/);
    // Without BPF/PERFMON (or SYS_ADMIN) the runtime collector polls /proc.
    expect(mine().find((fact) => fact.process_exec?.container?.id === target.id)?.process_exec?.source).toBe('procfs');
  }, 150_000);
});

async function waitFor(done: () => boolean, timeoutMs: number, what: string, container: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) {
      const logs = await docker(['logs', '--tail', '20', container]).catch((error: unknown) => String(error));
      throw new Error(`no ${what} within ${timeoutMs} ms; collector logs:\n${logs}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The words after `docker run` in the first ```sh block under `heading` in docs/operations.md:
 * continuations joined, split as a shell would for the page's simple quoting ("..." and '...').
 */
async function documentedDockerRun(heading: string): Promise<string[]> {
  const text = await readFile(path.join(packageRoot(), 'docs', 'operations.md'), 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`docs/operations.md has no heading '${heading}'`);
  const block = /```sh\n([\s\S]*?)```/.exec(text.slice(start))?.[1];
  if (!block) throw new Error(`no sh block under '${heading}' in docs/operations.md`);
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const char of block.replace(/\\\n/g, ' ')) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else word = (word ?? '') + char;
    } else if (char === '"' || char === "'") {
      quote = char;
      word ??= '';
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + char;
    }
  }
  if (word !== undefined) words.push(word);
  if (words[0] !== 'docker' || words[1] !== 'run') throw new Error(`the block under '${heading}' is not a docker run: ${block}`);
  return words.slice(2);
}
