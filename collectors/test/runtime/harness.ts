import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { FactInit } from '../../../proto/src/index.js';
import { MemorySink } from '../memory-sink.js';

const run = promisify(execFile);
export const IMAGE = 'vigil-test/busybox:1';

/** In-memory FactSink: a test fake of the sink only; sources and kernel are real. */
export { MemorySink };

export type AnyFact = {
  kind: string;
  body: {
    process: { pid: number; uid: number; euid: number; comm: string; exe: string; args: string[]; ancestry: Array<{ comm: string; exe: string; args: string[] }>; stdio: string[]; exe_known: boolean; exe_in_image: boolean; login_uid: number };
    container: { id: string; name: string; image: string; image_id: string; runtime: string; host: boolean };
    [key: string]: unknown;
  };
};

export function flatten(fact: FactInit): AnyFact {
  const [kind, body] = Object.entries(fact).find(([, v]) => v && typeof v === 'object')!;
  return { kind, body: body as AnyFact['body'] };
}

/** Resolves with the first fact matching within `ms`, or rejects listing what arrived. */
export async function waitForFact(sink: MemorySink, match: (f: AnyFact) => boolean, ms = 2000): Promise<AnyFact> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = sink.facts.map(flatten).find(match);
    if (found) return found;
    if (Date.now() > deadline) {
      const seen = sink.facts
        .map(flatten)
        .filter((f) => !f.body.container.host)
        .map((f) => `${f.kind} ${f.body.process.comm} ${JSON.stringify(f.body.process.args)} ${String(f.body.path ?? f.body.remote_port ?? f.body.change ?? '')}`);
      throw new Error(`no matching fact within ${ms} ms; container facts seen:\n${seen.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function docker(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('docker', args, { timeout: 30_000 });
    return stdout.trim();
  } catch (error) {
    const e = error as { stderr?: string; code?: number };
    // docker exec of a command that fails is fine for the scenarios; docker itself failing is not
    if (args[0] === 'exec' && typeof e.code === 'number' && e.code !== 125 && e.code !== 126) return '';
    throw new Error(`docker ${args.join(' ')} failed: ${e.stderr ?? String(error)}`);
  }
}

/** Starts a test container (fails loudly without Docker or the image). */
export async function startContainer(name: string, ...runArgs: string[]): Promise<{ id: string; name: string }> {
  await docker('rm', '-f', name).catch(() => '');
  const id = await docker('run', '-d', '--name', name, ...runArgs, IMAGE, 'sleep', '300');
  return { id, name };
}

export async function removeContainer(name: string): Promise<void> {
  await docker('rm', '-f', name).catch(() => '');
}
