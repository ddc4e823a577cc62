import { chmod, chown, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A throwaway host root (a directory laid out like a host's /), built file by file. */
export class FixtureRoot {
  private constructor(readonly root: string) {}

  static async create(prefix = 'vigil-host-'): Promise<FixtureRoot> {
    return new FixtureRoot(await mkdtemp(path.join(tmpdir(), prefix)));
  }

  /** The real path of host path `hostPath` inside the fixture. */
  at(hostPath: string): string {
    return path.join(this.root, hostPath);
  }

  async file(hostPath: string, content: string, mode = 0o644): Promise<void> {
    await mkdir(path.dirname(this.at(hostPath)), { recursive: true });
    await writeFile(this.at(hostPath), content);
    await chmod(this.at(hostPath), mode);
  }

  async dir(hostPath: string, mode = 0o755): Promise<void> {
    await mkdir(this.at(hostPath), { recursive: true });
    await chmod(this.at(hostPath), mode);
  }

  async link(hostPath: string, target: string): Promise<void> {
    await mkdir(path.dirname(this.at(hostPath)), { recursive: true });
    await symlink(target, this.at(hostPath));
  }

  async own(hostPath: string, uid: number, gid: number): Promise<void> {
    await chown(this.at(hostPath), uid, gid);
  }

  /** A fake process: /proc/<pid>/comm and /proc/<pid>/cmdline (NUL-separated, NUL-terminated). */
  async process(pid: number, comm: string, argv: readonly string[]): Promise<void> {
    await this.file(`/proc/${pid}/comm`, `${comm}\n`);
    await this.file(`/proc/${pid}/cmdline`, `${argv.join('\0')}\0`);
  }

  async remove(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
