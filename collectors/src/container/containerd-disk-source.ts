import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ContainerFactInit } from '../../../proto/src/index.js';
import { CollectorError, reason } from '../errors.js';
import { isSandbox, normaliseOciSpec } from './normalise-oci.js';
import type { OciSpec } from './oci-spec.js';
import { watchByRescan } from './rescan-watch.js';
import type { ContainerEvent, ContainerFailure, ContainerListing, ContainerSource, ContainerWatch } from './types.js';

export const DEFAULT_CONTAINERD_TASK_ROOT = '/run/containerd/io.containerd.runtime.v2.task';

export interface ContainerdDiskSourceOptions {
  /** Where the host's filesystem is mounted in the collector: "/host", or "/". */
  hostRoot?: string;
  /** containerd's v2 task state directory as seen on the host. */
  taskRoot?: string;
  /** containerd namespaces to skip. Default ["moby"]: Docker's own tasks, reported by the Docker sources. */
  excludeNamespaces?: readonly string[];
  /** Report pods' sandbox (pause) containers too. */
  includeSandboxes?: boolean;
  rescanMs?: number;
}

/**
 * Running containers as containerd's shim v2 bundles show them:
 * `<taskRoot>/<namespace>/<id>/config.json` is the OCI spec the runtime
 * started, `shim-binary-path` and `runtime`/`options.json` name the runtime.
 */
export class ContainerdDiskSource implements ContainerSource {
  readonly name = 'containerd-disk';
  readonly taskRoot: string;
  private readonly exclude: ReadonlySet<string>;
  private readonly includeSandboxes: boolean;
  private readonly rescanMs: number;

  constructor(options: ContainerdDiskSourceOptions = {}) {
    this.taskRoot = path.join(options.hostRoot ?? '/', options.taskRoot ?? DEFAULT_CONTAINERD_TASK_ROOT);
    this.exclude = new Set(options.excludeNamespaces ?? ['moby']);
    this.includeSandboxes = options.includeSandboxes === true;
    this.rescanMs = options.rescanMs ?? 5_000;
  }

  async list(): Promise<ContainerListing> {
    let namespaces: string[];
    try {
      namespaces = (await readdir(this.taskRoot)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { facts: [], failures: [] };
      throw new CollectorError('VIGIL_ERR_CONTAINER_DISK_ROOT', [this.taskRoot, reason(error)], { cause: error });
    }
    const facts: ContainerFactInit[] = [];
    const failures: ContainerFailure[] = [];
    for (const namespace of namespaces.filter((name) => !this.exclude.has(name))) {
      let ids: string[];
      try {
        ids = (await readdir(path.join(this.taskRoot, namespace))).sort();
      } catch {
        continue; // not a directory, or removed meanwhile
      }
      for (const id of ids) {
        const result = await this.readTask(namespace, id);
        if (result === undefined) continue;
        if ('failure' in result) failures.push(result.failure);
        else facts.push(result.fact);
      }
    }
    return { facts, failures };
  }

  watch(onEvent: (event: ContainerEvent) => void, onError: (error: Error) => void = () => {}): ContainerWatch {
    return watchByRescan(() => this.list(), this.rescanMs, onEvent, onError);
  }

  private async readTask(
    namespace: string,
    id: string,
  ): Promise<{ fact: ContainerFactInit } | { failure: ContainerFailure } | undefined> {
    const bundle = path.join(this.taskRoot, namespace, id);
    const specPath = path.join(bundle, 'config.json');
    let text: string;
    let created: number;
    try {
      [text, created] = await Promise.all([readFile(specPath, 'utf8'), stat(specPath).then((s) => Math.floor(s.mtimeMs))]);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined; // removed, or still being created
      const failure = new CollectorError('VIGIL_ERR_CONTAINER_DISK_READ', [specPath, reason(error)]);
      return { failure: { id, path: specPath, code: failure.code, message: failure.message } };
    }
    let spec: OciSpec;
    try {
      spec = JSON.parse(text) as OciSpec;
      if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new Error('not a JSON object');
    } catch (error) {
      const failure = new CollectorError('VIGIL_ERR_CONTAINER_OCI_MALFORMED', [specPath, reason(error)]);
      return { failure: { id, path: specPath, code: failure.code, message: failure.message } };
    }
    if (!this.includeSandboxes && isSandbox(spec)) return undefined;
    const [runtime, running] = await Promise.all([runtimeOf(bundle), hasInitProcess(bundle)]);
    return {
      fact: normaliseOciSpec(spec, { id, namespace, runtime, state: running ? 'running' : 'created', created_at_ms: created }),
    };
  }
}

/**
 * The shim names the runtime: containerd-shim-runsc-v1 → io.containerd.runsc.v1.
 * The runc shim can drive another OCI binary (Docker's runsc): its `runtime`
 * file or options.json names it, and that name wins.
 */
export async function runtimeOf(bundle: string): Promise<string> {
  const shimPath = (await readText(path.join(bundle, 'shim-binary-path'))).trim();
  const shim = /containerd-shim-([a-z0-9-]+?)-(v\d+)$/.exec(path.basename(shimPath));
  const shimRuntime = shim ? `io.containerd.${shim[1]}.${shim[2]}` : '';
  let binary = (await readText(path.join(bundle, 'runtime'))).trim();
  if (binary === '') {
    try {
      const options = JSON.parse(await readText(path.join(bundle, 'options.json'))) as { binary_name?: unknown };
      if (typeof options.binary_name === 'string') binary = options.binary_name;
    } catch {
      // no options.json
    }
  }
  const binaryName = binary === '' ? '' : path.basename(binary);
  if (binaryName !== '' && binaryName !== 'runc' && (shimRuntime === '' || shimRuntime.startsWith('io.containerd.runc.'))) {
    return binaryName;
  }
  return shimRuntime || binaryName || 'runc';
}

async function hasInitProcess(bundle: string): Promise<boolean> {
  return (await readText(path.join(bundle, 'init.pid'))).trim() !== '';
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return '';
  }
}
