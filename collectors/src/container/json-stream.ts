/**
 * Splits a stream of JSON values that arrive in arbitrary chunks: one per line
 * (Docker's /events), concatenated with no separator, or a value cut across
 * chunks. Tracks string and escape state, so braces inside strings do not count.
 * Garbage between values is skipped and reported; a value larger than
 * `maxValueBytes` is dropped and reported rather than buffered forever.
 */
export type JsonStreamItem = { value: unknown } | { error: Error; text: string };

export class JsonStreamDecoder {
  private buffer = '';
  private position = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;

  constructor(private readonly maxValueBytes = 4 * 1024 * 1024) {}

  push(chunk: string): JsonStreamItem[] {
    this.buffer += chunk;
    const items: JsonStreamItem[] = [];
    let garbageFrom = -1;
    const flushGarbage = (end: number): void => {
      if (garbageFrom < 0) return;
      const text = this.buffer.slice(garbageFrom, end);
      items.push({ error: new Error(`unexpected text between JSON values: ${text.slice(0, 80)}`), text });
      garbageFrom = -1;
    };
    for (; this.position < this.buffer.length; this.position++) {
      const char = this.buffer[this.position];
      if (this.depth === 0) {
        if (char === '{' || char === '[') {
          flushGarbage(this.position);
          this.start = this.position;
          this.depth = 1;
          this.inString = false;
          this.escaped = false;
        } else if (char !== ' ' && char !== '\n' && char !== '\r' && char !== '\t' && garbageFrom < 0) {
          garbageFrom = this.position;
        } else if ((char === '\n' || char === '\r') && garbageFrom >= 0) {
          flushGarbage(this.position);
        }
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (char === '\\') this.escaped = true;
        else if (char === '"') this.inString = false;
        continue;
      }
      if (char === '"') this.inString = true;
      else if (char === '{' || char === '[') this.depth++;
      else if (char === '}' || char === ']') {
        this.depth--;
        if (this.depth === 0) {
          const text = this.buffer.slice(this.start, this.position + 1);
          try {
            items.push({ value: JSON.parse(text) as unknown });
          } catch (error) {
            items.push({ error: error as Error, text });
          }
          this.start = -1;
        }
      }
    }
    flushGarbage(this.position);
    this.compact();
    if (this.depth > 0 && this.buffer.length > this.maxValueBytes) {
      items.push({
        error: new Error(`JSON value larger than ${this.maxValueBytes} bytes dropped`),
        text: this.buffer.slice(0, 80),
      });
      this.reset();
    }
    return items;
  }

  /** Bytes of an unfinished value still held. */
  get pending(): number {
    return this.depth > 0 ? this.buffer.length : 0;
  }

  reset(): void {
    this.buffer = '';
    this.position = 0;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.start = -1;
  }

  private compact(): void {
    if (this.depth === 0) {
      this.buffer = '';
      this.position = 0;
      return;
    }
    if (this.start > 0) {
      this.buffer = this.buffer.slice(this.start);
      this.position -= this.start;
      this.start = 0;
    }
  }
}
