import { describe, expect, it } from '@jest/globals';
import { toPolicyInput, type FactInit, type PolicyInput } from '../../../proto/src/index.js';
import { ContextCache, contextKeyOf, contextValueOf } from '../../src/context/context-cache.js';

const containerFact: FactInit = { id: 'c', source: { host: 'node-1' }, container: { id: 'c1', name: 'web', image_id: 'sha256:ab', privileged: true } };
const imageFact: FactInit = { id: 'i', source: { host: 'node-1' }, image: { id: 'sha256:ab', repo_tags: ['shop/web:1'] } };
const hostFact: FactInit = { id: 'h', source: { host: 'node-1' }, host: { hostname: 'node-1' } };
const exec = (container: Record<string, unknown>): PolicyInput =>
  toPolicyInput({ id: 'e', source: { host: 'node-1' }, process_exec: { process: { pid: 1, exe: '/bin/sh' }, container } } as FactInit);

function held(...facts: FactInit[]): ContextCache {
  const cache = new ContextCache();
  cache.apply(facts.map((f) => [contextKeyOf(f.container ? 'container' : f.image ? 'image' : 'host', f)!, contextValueOf(f)]));
  return cache;
}

const ALL = new Set(['container', 'image', 'host', 'profile'] as const);
const ctx = (input: PolicyInput): Record<string, unknown> => (input as unknown as { context: Record<string, unknown> }).context;

describe('context cache', () => {
  it('context cache - a runtime event gets its container, the image of that container and its host, as policy input', () => {
    const input = exec({ id: 'c1', host: false });
    expect(held(containerFact, imageFact, hostFact).attach('process_exec', input, ALL)).toEqual([]);
    expect(ctx(input)).toMatchObject({ container: { name: 'web', privileged: true }, image: { repo_tags: ['shop/web:1'] }, host: { hostname: 'node-1' } });
    expect(ctx(input).missing).toBeUndefined();
  });

  it('context cache - only the parts asked for are attached; what applies and is not held is listed as missing', () => {
    const input = exec({ id: 'c2', image_id: 'sha256:ab', host: false });
    expect(held(imageFact).attach('process_exec', input, new Set(['container', 'image']))).toEqual(['container']);
    expect(Object.keys(ctx(input)).sort()).toEqual(['image', 'missing']);
    expect(ctx(input).missing).toEqual(['container']);
  });

  it('context cache - a host process has no container or image to miss; a container fact gets its image', () => {
    const hostExec = exec({ id: '', host: true });
    expect(held().attach('process_exec', hostExec, new Set(['container', 'image']))).toEqual([]);
    expect((hostExec as unknown as { context?: unknown }).context).toBeUndefined();
    const container = toPolicyInput(containerFact);
    expect(held(imageFact).attach('container', container, ALL)).toEqual(['host']);
    expect(ctx(container).image).toMatchObject({ id: 'sha256:ab' });
  });

  it('context cache - the workload profile comes from the data; a deleted entry is forgotten; a newer value replaces the older', () => {
    const cache = held(containerFact);
    cache.setData({ vigil: { profiles: { 'image:shop/web': { learned: true, state: 'enforcing', exes: ['/bin/web'] } } } });
    const input = exec({ id: 'c1', host: false, workload: 'image:shop/web' });
    cache.attach('process_exec', input, new Set(['container', 'profile']));
    expect(ctx(input).profile).toMatchObject({ state: 'enforcing' });
    cache.apply([[contextKeyOf('container', containerFact)!, contextValueOf({ ...containerFact, container: { ...containerFact.container, privileged: false } })]]);
    const again = exec({ id: 'c1', host: false });
    cache.attach('process_exec', again, new Set(['container']));
    expect(ctx(again).container).toMatchObject({ privileged: false });
    cache.apply([[contextKeyOf('container', containerFact)!, null]]);
    expect(cache.attach('process_exec', exec({ id: 'c1', host: false }), new Set(['container']))).toEqual(['container']);
  });
});
