import { describe, expect, it } from '@jest/globals';
import { generateSelector } from '../../src/policy/index/codegen.js';
import { compileCondition, ValueTable, type Condition, type ValuePath } from '../../src/policy/index/conditions.js';

const at = (...steps: ValuePath['steps']): ValuePath => ({ root: 'input', steps });
const exe = at('event', 'process', 'exe');
const base: ValuePath = { ...exe, transforms: ['basename'] };
const lowered: ValuePath = { ...at('event', 'process', 'name'), transforms: ['lower'] };
const args = at('event', 'process', 'args', { each: true });

/** Conditions of every test the index derives, on single values, transformed values and iterated ones. */
const CONDITIONS: Condition[] = [
  { test: 'defined', of: exe },
  { test: 'truthy', of: at('event', 'write') },
  { test: 'falsy', of: at('event', 'container', 'host') },
  { test: 'eq', of: base, values: ['sh', 'bash', 0, null] },
  { test: 'ne', of: at('event', 'uid'), values: [0] },
  { test: 'startswith', of: exe, values: ['/tmp/', '/dev/shm/'] },
  { test: 'endswith', of: lowered, values: ['sh'] },
  { test: 'contains', of: args, values: ['-e'] },
  { test: 'regex', of: lowered, patterns: ['(?i)nc(at)?$'] },
  { test: 'regex', of: exe, patterns: ['.*'] },
  { test: 'member', of: base, in: { root: 'data', steps: ['vigil', 'config', 'shells'] }, otherwise: ['sh'] },
  { test: 'eq', of: at('event', 'constructor'), values: ['x'] },
  { all: [{ test: 'defined', of: exe }, { any: [{ test: 'eq', of: base, values: ['nc'] }, { test: 'contains', of: args, values: ['-e'] }] }] },
  { all: [] },
  { any: [] },
];

const INPUTS: unknown[] = [
  {},
  { event: null },
  { event: { process: { exe: '/bin/sh', name: 'SH', args: ['-c', 'x'] }, uid: 0, write: true } },
  { event: { process: { exe: '/tmp/nc', name: 'NCAT', args: ['-e', '/bin/sh'] }, uid: 1000, container: { host: false } } },
  { event: { process: { exe: '/usr/bin/nc', name: 'İnc', args: 'not-a-list' }, write: false, container: { host: true } } },
  { event: { process: { exe: 7, name: ['x'], args: [1, null, '-e'] }, uid: '0' } },
  { event: { process: { exe: '/dev/shm/a//', name: 'bash' } } },
  { event: { process: ['exe'] } },
];

const DATA: unknown[] = [{}, { vigil: { config: { shells: ['bash', 'nc'] } } }, { vigil: { config: { shells: { a: 'sh' } } } }, { vigil: { config: { shells: [{ x: 1 }] } } }];

describe('rule index codegen', () => {
  it('codegen - the generated selector agrees with the condition interpreter on every condition, input and data', () => {
    const selector = generateSelector(CONDITIONS.map((condition, i) => ({ id: `R-${i}`, condition })));
    const table = new ValueTable();
    const tests = CONDITIONS.map((c) => compileCondition(c, table));
    let compared = 0;
    for (const data of DATA) {
      for (const input of INPUTS) {
        table.begin(input, data);
        const expected = CONDITIONS.map((_, i) => `R-${i}`).filter((_, i) => tests[i]!());
        const { ids, count } = selector(input, data);
        expect({ input, data, selected: Object.keys(ids) }).toEqual({ input, data, selected: expected });
        expect(count).toBe(expected.length);
        compared++;
      }
    }
    expect(compared).toBe(DATA.length * INPUTS.length);
  });

  it('codegen - a rule without a condition is always selected; literals cannot break out of the generated source', () => {
    const hostile = '"); throw new Error("injected"); ("';
    const selector = generateSelector([
      { id: hostile, condition: { test: 'eq', of: at(hostile), values: [hostile] } },
      { id: 'always', condition: undefined },
    ]);
    expect(selector({ [hostile]: hostile }, {})).toEqual({ ids: { [hostile]: true, always: true }, count: 2 });
    expect(selector({}, {})).toEqual({ ids: { always: true }, count: 1 });
  });
});
