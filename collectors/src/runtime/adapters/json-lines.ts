import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { RuntimeEvent, RuntimeEventHandler } from '../events.js';
import type { RuntimeSource } from '../source.js';
import { falcoToEvent } from './falco.js';
import { tetragonToEvent } from './tetragon.js';
import { followLines, httpLines, type LineInput } from './inputs.js';
import { CollectorError } from '../../errors.js';

export interface JsonLinesSourceOptions {
  /** Source name in facts: "falco", "tetragon". */
  name: string;
  /** Opens the stream to read: a child's stdout, a file, a socket. Called once by start(). */
  open: () => Readable | Promise<Readable>;
  /** Maps one line to an event; undefined for lines that are not events. */
  map: (line: string) => RuntimeEvent | undefined;
  /** Releases what open() took (a listening socket, a file poller). */
  close?: () => Promise<void>;
  /** Where an HTTP input listens once open, so port 0 can be told to the sender. */
  address?: () => { host: string; port: number } | undefined;
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

  /** HOST:PORT an HTTP input is bound to after start(), undefined for streams and files. */
  listening(): string | undefined {
    const bound = this.options.address?.();
    return bound ? `${bound.host}:${bound.port}` : undefined;
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
    await this.options.close?.();
    this.stream?.destroy();
  }
}

/** Falco alerts (`falco -o json_output=true`) from a stream. */
export function falcoSource(
  open: () => Readable | Promise<Readable>,
  close?: () => Promise<void>,
  address?: JsonLinesSourceOptions['address'],
): JsonLinesSource {
  return new JsonLinesSource({ name: 'falco', open, map: falcoToEvent, ...(close ? { close } : {}), ...(address ? { address } : {}) });
}

/** Tetragon's JSON export from a stream. */
export function tetragonSource(open: () => Readable | Promise<Readable>, close?: () => Promise<void>): JsonLinesSource {
  return new JsonLinesSource({ name: 'tetragon', open, map: tetragonToEvent, ...(close ? { close } : {}) });
}

export interface SensorInput {
  /** falco: its http_output posts here (HOST:PORT). */
  listen?: string;
  /** A file of JSON lines, followed as it grows (Tetragon's --export-filename, falco's file_output), or - for stdin. */
  file?: string;
}

/**
 * A Falco or Tetragon source reading the sensor's real output: Falco's
 * http_output (its gRPC output is deprecated in 0.43), or a JSON-lines file
 * either sensor writes, followed like `tail -F`.
 */
export function sensorSource(sensor: 'falco' | 'tetragon', input: SensorInput): JsonLinesSource {
  const problem = sensorInputProblem(sensor, input);
  if (problem !== undefined) throw new CollectorError('VIGIL_ERR_RUNTIME_CONFIG', [`--source ${sensor}`, problem, JSON.stringify(input)]);
  let opened: LineInput | undefined;
  const open = async (): Promise<Readable> => {
    opened = input.listen !== undefined ? await httpLines(...splitHostPort(input.listen)) : await followLines(input.file!);
    return opened.stream;
  };
  const close = async (): Promise<void> => opened?.close();
  return sensor === 'falco' ? falcoSource(open, close, () => opened?.address) : tetragonSource(open, close);
}

/** What is wrong with a sensor's input, if anything: Falco takes --listen or --input, Tetragon --input. */
export function sensorInputProblem(sensor: 'falco' | 'tetragon', input: SensorInput): string | undefined {
  if (sensor === 'tetragon' && input.listen !== undefined) return "--input FILE: --listen is for Falco's http_output, Tetragon writes a file";
  if (input.listen === undefined && input.file === undefined) {
    return sensor === 'falco' ? '--listen HOST:PORT (Falco http_output) or --input FILE' : '--input FILE (Tetragon export file, or - for stdin)';
  }
  return undefined;
}

function splitHostPort(value: string): [string, number] {
  const match = /^(.*):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65_535) throw new CollectorError('VIGIL_ERR_RUNTIME_CONFIG', ['--listen', 'HOST:PORT', value]);
  return [match[1] || '127.0.0.1', port];
}
