/**
 * Images of the local Docker engine through its API: `/images/json` lists
 * them, `/images/{id}/json` names them, and `/images/{id}/get` streams the
 * same tar `docker save` writes, which is scanned as it arrives — never
 * written to disk, read into one reused buffer. `/events` (type=image) says when to look again.
 */
import { DockerHttpClient, JsonStreamDecoder } from '../container/index.js';
import { scanStream, counted } from './archive-scan.js';
import type { FactLabels, ImageScanResult, ScanContext } from './assemble.js';
import type { EngineImage, EngineScanOptions, EngineWatch, ImageEngineSource } from './engine.js';
import { reason, scanError } from '../errors.js';
import { Progress } from './progress.js';

export interface DockerApiImageOptions {
  socketPath?: string;
  /** A client to share; one is made from socketPath otherwise (and closed by `close`). */
  client?: DockerHttpClient;
  /** Bounds each JSON request and the wait for the image stream's headers. */
  timeoutMs?: number;
}

interface ImageSummaryJson {
  Id?: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Size?: number;
}

const RECONNECT_MS = 5_000;

export class DockerApiImageSource implements ImageEngineSource {
  readonly name = 'docker-api';
  readonly client: DockerHttpClient;
  private readonly ownsClient: boolean;

  constructor(options: DockerApiImageOptions = {}) {
    this.ownsClient = options.client === undefined;
    this.client =
      options.client ??
      new DockerHttpClient({
        ...(options.socketPath ? { socketPath: options.socketPath } : {}),
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      });
  }

  async list(): Promise<EngineImage[]> {
    const images = (await this.client.getJson<ImageSummaryJson[]>('/images/json')) ?? [];
    return images.filter((image) => typeof image.Id === 'string').map(toEngineImage);
  }

  /** Looks an image up by name, tag or id; undefined when the engine does not have it. */
  async inspect(name: string): Promise<EngineImage | undefined> {
    const image = await this.client.getJson<ImageSummaryJson>(`/images/${encodeURIComponent(name)}/json`, { allowNotFound: true });
    return image && typeof image.Id === 'string' ? toEngineImage(image) : undefined;
  }

  async scan(image: EngineImage, options: EngineScanOptions, reference?: string): Promise<ImageScanResult> {
    const labels: FactLabels = {
      reference: reference ?? image.repoTags[0] ?? image.id,
      source: 'docker',
      repoTags: image.repoTags,
      repoDigests: image.repoDigests,
    };
    const cached = options.lookup?.(image.id);
    if (cached?.fact) {
      const fact = { ...cached.fact, reference: labels.reference, source: 'docker', repo_tags: image.repoTags, repo_digests: image.repoDigests };
      return { fact, errors: cached.errors };
    }
    const context: ScanContext = { limits: options.limits, progress: new Progress(options.onProgress, image.size) };
    // Read into one reused buffer (see DockerHttpClient.streamGet); the first chunk says whether the engine answered.
    const body = this.client.streamGet(`/images/${encodeURIComponent(image.id)}/get`);
    let first: IteratorResult<Buffer, void>;
    try {
      first = await body.next();
    } catch (error) {
      await body.return();
      return { errors: [scanError('VIGIL_ERR_IMAGE_DOCKER_API', [`GET /images/${image.id}/get: ${reason(error)}`])] };
    }
    async function* whole(): AsyncGenerator<Buffer> {
      if (!first.done) yield first.value;
      yield* body;
    }
    try {
      const result = await scanStream(counted(whole(), context), { label: `docker:${image.id}`, labels }, context);
      context.progress.finish();
      // The engine's own size (what `docker images` shows, and what the on-disk store records).
      if (result.fact && image.size > 0) result.fact.size_bytes = image.size;
      return result;
    } finally {
      await body.return();
    }
  }

  watch(onChange: () => void, onError: (error: unknown) => void): EngineWatch {
    let stopped = false;
    let abort: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const connect = async (): Promise<void> => {
      if (stopped) return;
      try {
        const filters = encodeURIComponent(JSON.stringify({ type: ['image'] }));
        const opened = await this.client.openStream(`/events?filters=${filters}`);
        abort = opened.abort;
        if (stopped) return opened.abort();
        const decoder = new JsonStreamDecoder();
        opened.response.setEncoding('utf8');
        for await (const text of opened.response as AsyncIterable<string>) {
          for (const item of decoder.push(text)) if ('value' in item) onChange();
        }
      } catch (error) {
        if (!stopped) onError(error);
      }
      if (!stopped) {
        onChange(); // events may have been missed while disconnected
        timer = setTimeout(() => void connect(), RECONNECT_MS);
      }
    };
    void connect();
    return {
      stop: async () => {
        stopped = true;
        clearTimeout(timer);
        abort?.();
      },
    };
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }
}

function toEngineImage(image: ImageSummaryJson): EngineImage {
  return {
    id: image.Id!,
    repoTags: (image.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>'),
    repoDigests: (image.RepoDigests ?? []).filter((digest) => digest !== '<none>@<none>'),
    size: typeof image.Size === 'number' ? image.Size : 0,
  };
}
