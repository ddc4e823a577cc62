import http from 'node:http';

/** The parts of `GET /version` the host collector reads. */
export interface EngineVersion {
  Version?: string;
  ApiVersion?: string;
}

/** The parts of `GET /info` the host collector reads. */
export interface EngineInfo {
  Name?: string;
  OperatingSystem?: string;
  KernelVersion?: string;
  Driver?: string;
  LoggingDriver?: string;
  CgroupVersion?: string;
  ExperimentalBuild?: boolean;
  LiveRestoreEnabled?: boolean;
  DefaultRuntime?: string;
  Runtimes?: Record<string, { path?: string; runtimeType?: string }>;
  SecurityOptions?: string[];
}

/** The Docker Engine API as the host collector needs it: a port with one adapter per transport. */
export interface EngineApi {
  version(): Promise<EngineVersion>;
  info(): Promise<EngineInfo>;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** GET `apiPath` on the Engine API behind a unix socket and parse the JSON body. */
export function getEngineJson(socketPath: string, apiPath: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = http.get({ socketPath, path: apiPath, headers: { Host: 'docker' }, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          request.destroy(new Error(`response to ${apiPath} exceeds ${MAX_BODY_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (response.statusCode !== 200) {
          reject(new Error(`GET ${apiPath} answered ${response.statusCode}: ${body.slice(0, 200).trim()}`));
          return;
        }
        try {
          resolve(JSON.parse(body));
        } catch (error) {
          reject(new Error(`GET ${apiPath} returned invalid JSON: ${(error as Error).message}`));
        }
      });
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${apiPath} timed out after ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

/** The Engine API over its unix socket, with node:http and no client library. */
export function unixSocketEngineApi(socketPath: string, timeoutMs: number): EngineApi {
  return {
    version: async () => (await getEngineJson(socketPath, '/version', timeoutMs)) as EngineVersion,
    info: async () => (await getEngineJson(socketPath, '/info', timeoutMs)) as EngineInfo,
  };
}

/** `["name=seccomp,profile=default", "name=userns"]` → { seccomp: { profile: "default" }, userns: {} }. */
export function parseSecurityOptions(options: readonly string[] | undefined): Map<string, Record<string, string>> {
  const result = new Map<string, Record<string, string>>();
  for (const option of options ?? []) {
    const props: Record<string, string> = {};
    for (const pair of option.split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) props[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    // Engines before API 1.24 sent bare names ("seccomp", "apparmor").
    const name = props.name ?? (option.includes('=') ? undefined : option);
    if (name !== undefined) {
      delete props.name;
      result.set(name, props);
    }
  }
  return result;
}
