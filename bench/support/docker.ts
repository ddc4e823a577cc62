/** The docker CLI, for the scenarios that need real containers and images. */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function docker(args: readonly string[]): Promise<string> {
  const { stdout } = await run('docker', [...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

export async function imageExists(reference: string): Promise<boolean> {
  return docker(['image', 'inspect', '--format', '{{.Id}}', reference]).then(
    () => true,
    () => false,
  );
}

/**
 * Starts `count` containers named `<prefix><n>` running `command`, `batch`
 * at a time in parallel; resolves with their ids.
 */
export async function startContainers(prefix: string, count: number, image: string, command: readonly string[], batch = 10): Promise<string[]> {
  const ids: string[] = [];
  for (let first = 0; first < count; first += batch) {
    const names = Array.from({ length: Math.min(batch, count - first) }, (_, i) => `${prefix}${first + i}`);
    const started = await Promise.all(names.map((name) => docker(['run', '-d', '--name', name, image, ...command])));
    ids.push(...started.map((id) => id.trim()));
  }
  return ids;
}

/** Removes every container (running or not) whose name starts with `prefix`; resolves with how many. */
export async function removeContainers(prefix: string): Promise<number> {
  const ids = (await docker(['ps', '-aq', '--filter', `name=^/${prefix}`])).split('\n').filter(Boolean);
  for (let first = 0; first < ids.length; first += 25) {
    await docker(['rm', '-f', ...ids.slice(first, first + 25)]);
  }
  return ids.length;
}

/** `tar -c` of a directory (or of paths below it) piped into `docker import`; resolves with the image id. */
export function importTree(root: string, paths: readonly string[], reference: string, excludes: readonly string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', ['-C', root, ...excludes.map((e) => `--exclude=${e}`), '-c', ...paths], { stdio: ['ignore', 'pipe', 'pipe'] });
    const importer = spawn('docker', ['import', '-', reference], { stdio: ['pipe', 'pipe', 'pipe'] });
    tar.stdout.pipe(importer.stdin);
    let out = '';
    let err = '';
    tar.stderr.on('data', (chunk: Buffer) => void (err += chunk.toString()));
    importer.stdout.on('data', (chunk: Buffer) => void (out += chunk.toString()));
    importer.stderr.on('data', (chunk: Buffer) => void (err += chunk.toString()));
    const closed = (child: ReturnType<typeof spawn>): Promise<number | null> =>
      new Promise((done, fail) => {
        child.once('error', fail);
        child.once('close', (code) => done(code));
      });
    Promise.all([closed(tar), closed(importer)]).then(([tarCode, importCode]) => {
      // tar exits 1 when a file changed while it was read: the image is still usable.
      if (importCode === 0 && tarCode !== null && tarCode <= 1) resolve(out.trim());
      else reject(new Error(`tar | docker import ${reference} failed (tar ${tarCode}, import ${importCode}): ${err.slice(-2000)}`));
    }, reject);
  });
}

/** `tar -xOf ARCHIVE MEMBER | docker import --change CHANGE - REFERENCE` (a layer of a saved image as a new image); resolves with its id. */
export async function importArchiveMember(archive: string, member: string, reference: string, change: string): Promise<string> {
  const { stdout } = await run('bash', ['-o', 'pipefail', '-c', 'tar -xOf "$1" "$2" | docker import --change "$3" - "$4"', 'bash', archive, member, change, reference], {
    maxBuffer: 1024 * 1024,
  });
  return stdout.trim();
}
