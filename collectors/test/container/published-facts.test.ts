import { describe, expect, it } from '@jest/globals';
import { FailureOnce, PublishedFacts } from '../../src/container/collector.js';

describe('container collector parts', () => {
  it('published facts - a fact is sent again only when it changed, when forced, or after it was forgotten', () => {
    const published = new PublishedFacts();
    const key = PublishedFacts.key('docker', 'abc');
    expect(published.claim(key, { id: 'abc', name: '/web' }, false)).toBe(true);
    expect(published.claim(key, { id: 'abc', name: '/web' }, false)).toBe(false);
    expect(published.claim(key, { id: 'abc', name: '/web' }, true)).toBe(true);
    expect(published.claim(key, { id: 'abc', name: '/api' }, false)).toBe(true);
    published.forget(key);
    expect(published.claim(key, { id: 'abc', name: '/api' }, false)).toBe(true);
  });

  it('published facts - a listing forgets containers gone from its source, not unreadable ones nor other sources', () => {
    const published = new PublishedFacts();
    const [gone, unreadable, kept, other] = [PublishedFacts.key('docker', 'gone'), PublishedFacts.key('docker', 'bad'), PublishedFacts.key('docker', 'kept'), PublishedFacts.key('containerd', 'gone')];
    for (const key of [gone, unreadable, kept, other]) published.claim(key, { id: key }, false);
    published.retain('docker', new Set([kept]), new Set([unreadable]));
    expect([gone, unreadable, kept, other].map((key) => published.claim(key, { id: key }, false))).toEqual([true, false, false, false]);
  });

  it('failure once - the same failure is logged once, a changed one again, and recovery once', () => {
    const lines: string[] = [];
    const log = (level: string) => (details: object, message: string) => lines.push(`${level} ${JSON.stringify(details)} ${message}`);
    const failures = new FailureOnce({ info: log('info'), warn: log('warn'), error: log('error'), debug: () => {} });
    failures.failed('error', 'list/docker', { source: 'docker', err: 'ENOENT' }, 'container listing failed');
    failures.failed('error', 'list/docker', { source: 'docker', err: 'ENOENT' }, 'container listing failed');
    failures.failed('error', 'list/docker', { source: 'docker', err: 'EACCES' }, 'container listing failed');
    failures.recovered('list/docker', 'docker');
    failures.recovered('list/docker', 'docker');
    expect(lines).toEqual([
      'error {"source":"docker","err":"ENOENT"} container listing failed (reported again only when it changes)',
      'error {"source":"docker","err":"EACCES"} container listing failed (reported again only when it changes)',
      'info {"source":"docker"} container source readable again',
    ]);
  });
});
