import type { Stats } from 'node:fs';
import { collectorMessage, reason } from '../errors.js';
import type { HostRoot } from './host-root.js';

/**
 * Reads host files for one collection pass. A missing file is `undefined`; any
 * other failure (permissions, a symlink loop) is recorded in `errors` as
 * VIGIL_ERR_HOST_READ and also reads as `undefined`. Nothing here throws.
 */
export class HostReader {
  constructor(
    readonly root: HostRoot,
    readonly errors: string[],
  ) {}

  text(hostPath: string): Promise<string | undefined> {
    return this.guard(hostPath, () => this.root.readText(hostPath));
  }

  stat(hostPath: string): Promise<Stats | undefined> {
    return this.guard(hostPath, () => this.root.stat(hostPath));
  }

  list(hostPath: string): Promise<string[] | undefined> {
    return this.guard(hostPath, () => this.root.list(hostPath));
  }

  /** Like `text`, but a failure is not worth an error (probing optional kernel interfaces). */
  async probe(hostPath: string): Promise<string | undefined> {
    try {
      return await this.root.readText(hostPath);
    } catch {
      return undefined;
    }
  }

  private async guard<T>(hostPath: string, read: () => Promise<T | undefined>): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      this.errors.push(collectorMessage('VIGIL_ERR_HOST_READ', this.root.describe(hostPath), reason(error)));
      return undefined;
    }
  }
}
