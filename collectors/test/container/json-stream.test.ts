import { describe, it, expect } from '@jest/globals';
import { JsonStreamDecoder } from '../../src/container/index.js';

const values = (items: ReturnType<JsonStreamDecoder['push']>): unknown[] =>
  items.filter((item): item is { value: unknown } => 'value' in item).map((item) => item.value);

describe('container events - JSON stream decoding', () => {
  it('splits newline-delimited and concatenated values', () => {
    const decoder = new JsonStreamDecoder();
    expect(values(decoder.push('{"a":1}\n{"b":2}{"c":3}\r\n  {"d":[4,{"e":5}]}'))).toEqual([
      { a: 1 },
      { b: 2 },
      { c: 3 },
      { d: [4, { e: 5 }] },
    ]);
  });

  it('joins a value cut anywhere, braces and escapes inside strings included', () => {
    const text = '{"Action":"exec_create: sh -c \\"echo }{\\"","Actor":{"ID":"x"}}\n{"n":2}\n';
    for (let cut = 1; cut < text.length; cut++) {
      const decoder = new JsonStreamDecoder();
      const out = [...values(decoder.push(text.slice(0, cut))), ...values(decoder.push(text.slice(cut)))];
      expect(out).toEqual([{ Action: 'exec_create: sh -c "echo }{"', Actor: { ID: 'x' } }, { n: 2 }]);
    }
  });

  it('reports garbage and broken values and carries on', () => {
    const decoder = new JsonStreamDecoder();
    const items = decoder.push('garbage\n{"a":1}{"b":tru}\n{"c":3}');
    expect(values(items)).toEqual([{ a: 1 }, { c: 3 }]);
    expect(items.filter((item) => 'error' in item)).toHaveLength(2);
  });

  it('drops a value larger than the limit instead of buffering forever', () => {
    const decoder = new JsonStreamDecoder(64);
    const items = decoder.push(`{"big":"${'x'.repeat(100)}`);
    expect(items).toHaveLength(1);
    expect('error' in items[0]! && items[0].error.message).toMatch(/larger than 64 bytes/);
    expect(decoder.pending).toBe(0);
    expect(values(decoder.push('{"ok":true}'))).toEqual([{ ok: true }]);
  });
});
