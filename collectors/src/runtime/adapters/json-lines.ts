import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { RuntimeEvent, RuntimeEventHandler } from '../events.js';
import type { RuntimeSource } from '../source.js';
import { falcoToEvent } from './falco.js';
import { tetragonToEvent } from './tetragon.js';

export interface JsonLinesSourceOptions {
  /** Source name in facts: "falco", "tetragon". */
  name: string;
  /** Opens the stream to read: a child's stdout, a file, a socket. Called once by start(). */
  open: () => Readable | Promise<Readable>;
  /** Maps one line to an event; undefined for lines that are not events. */
  map: (line: string) => RuntimeEvent | undefined;
}

/**
 * Reads JSON lines another sensor writes (Falco, Tetragon) and maps each to
 * a runtime event. Lines that do not map are counted, not fatal.
 */
export class JsonLinesSource implements RuntimeSource {
  readonly name: string;
  private stream: Readable | undefined;
  private skipped = 0;

  constructor(private readonly options: JsonLinesSourceOptions) {
    this.name = options.name;
  }

  lost(): number {
    return this.skipped;
  }

  async start(onEvent: RuntimeEventHandler): Promise<void> {
    const stream = await this.options.open();
    this.stream = stream;
    createInterface({ input: stream }).on('line', (line) => {
      if (line.trim() === '') return;
      const event = this.options.map(line);
      if (event) onEvent(event);
      else this.skipped++;
    });
  }

  async stop(): Promise<void> {
    this.stream?.destroy();
  }
}

/** Falco alerts (`falco -o json_output=true`) from a stream. */
export function falcoSource(open: () => Readable | Promise<Readable>): JsonLinesSource {
  return new JsonLinesSource({ name: 'falco', open, map: falcoToEvent });
}

/** Tetragon's JSON export from a stream. */
export function tetragonSource(open: () => Readable | Promise<Readable>): JsonLinesSource {
  return new JsonLinesSource({ name: 'tetragon', open, map: tetragonToEvent });
}
