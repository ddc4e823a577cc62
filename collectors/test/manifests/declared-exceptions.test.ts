import { describe, expect, it } from '@jest/globals';
import { parseComposeFile, parseDeclaredExceptions, parseKubernetesManifests } from '../../src/manifests/index.js';

describe('manifests - declared exceptions (vigil.dev/exceptions)', () => {
  it('manifests - one exception per line: ids, optional expiry, justification; comments and blank lines skipped', () => {
    const { exceptions, problems } = parseDeclaredExceptions(
      [
        '# why the agent needs its privileges',
        'VGL-CTR-005: matches kernel pids with /proc entries',
        '',
        '  VGL-CTR-002, VGL-CTR-039 until 2027-01-31:  reads /proc/<pid>/exe: needs SYS_PTRACE  ',
        'VGL-CTR-036 VGL-CTR-037: runs as uid 0',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(exceptions).toEqual([
      { rules: ['VGL-CTR-005'], justification: 'matches kernel pids with /proc entries', expires: '' },
      { rules: ['VGL-CTR-002', 'VGL-CTR-039'], justification: 'reads /proc/<pid>/exe: needs SYS_PTRACE', expires: '2027-01-31' },
      { rules: ['VGL-CTR-036', 'VGL-CTR-037'], justification: 'runs as uid 0', expires: '' },
    ]);
  });

  it('manifests - a line without a justification is kept with an empty one and reported', () => {
    const { exceptions, problems } = parseDeclaredExceptions('VGL-CTR-005:\nVGL-CTR-002\nVGL-CTR-003 until 2030-01-01:   ');
    expect(exceptions).toEqual([
      { rules: ['VGL-CTR-005'], justification: '', expires: '' },
      { rules: ['VGL-CTR-002'], justification: '', expires: '' },
      { rules: ['VGL-CTR-003'], justification: '', expires: '2030-01-01' },
    ]);
    expect(problems).toEqual([
      'line 1: VGL-CTR-005 has no justification: it waives nothing',
      'line 2: VGL-CTR-002 has no justification: it waives nothing',
      'line 3: VGL-CTR-003 has no justification: it waives nothing',
    ]);
  });

  it('manifests - globs, missing ids and impossible dates are reported and the line dropped', () => {
    const { exceptions, problems } = parseDeclaredExceptions(
      ['VGL-CTR-*: everything', ': no rule', 'VGL-CTR-005 until 2026-02-30: not a day', 'VGL-CTR-005 until soon: later'].join('\n'),
    );
    expect(exceptions).toEqual([]);
    expect(problems).toEqual([
      'line 1: rule id "VGL-CTR-*" is not an exact rule id (expected "RULE-ID[, RULE-ID...] [until YYYY-MM-DD]: justification")',
      'line 2: it names no rule: an exact rule id (expected "RULE-ID[, RULE-ID...] [until YYYY-MM-DD]: justification")',
      'line 3: "2026-02-30" is not a date (expected YYYY-MM-DD)',
      'line 4: "soon" is not a date (expected YYYY-MM-DD)',
    ]);
  });

  it('manifests - the pod template annotation reaches every container of the pod; bad lines are error values', () => {
    const manifest = `
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent, namespace: monitoring }
spec:
  template:
    metadata:
      annotations:
        vigil.dev/exceptions: |
          VGL-CTR-005: matches kernel pids with /proc entries
          VGL-CTR-002:
    spec:
      hostPID: true
      initContainers: [{ name: setup, image: setup:1 }]
      containers: [{ name: agent, image: agent:1 }]
---
apiVersion: v1
kind: Pod
metadata: { name: plain }
spec:
  containers: [{ name: app, image: app:1 }]
`;
    const { containers, errors } = parseKubernetesManifests(manifest, 'agent.yaml');
    const declared = [
      { rules: ['VGL-CTR-005'], justification: 'matches kernel pids with /proc entries', expires: '' },
      { rules: ['VGL-CTR-002'], justification: '', expires: '' },
    ];
    expect(containers.map((c) => [c.fact.name, c.fact.declared_exceptions])).toEqual([
      ['monitoring/DaemonSet/agent:setup', declared],
      ['monitoring/DaemonSet/agent:agent', declared],
      ['default/Pod/plain:app', undefined],
    ]);
    expect(containers[0]?.fact.declared_exceptions).not.toBe(containers[1]?.fact.declared_exceptions);
    expect(errors).toEqual([
      {
        file: 'agent.yaml',
        document: 0,
        code: 'VIGIL_ERR_MANIFEST_EXCEPTION',
        message: 'VIGIL_ERR_MANIFEST_EXCEPTION: agent.yaml, document 0: DaemonSet agent, vigil.dev/exceptions line 2: VGL-CTR-002 has no justification: it waives nothing',
      },
    ]);
  });

  it('manifests - a compose service label declares exceptions for that service only', () => {
    const compose = `
services:
  agent:
    image: agent:1
    pid: host
    labels:
      vigil.dev/exceptions: "VGL-CTR-005 until 2099-12-31: matches kernel pids with /proc entries"
  web:
    image: web:1
    labels: ["vigil.dev/exceptions=VGL-CTR-*: all of them"]
`;
    const { containers, errors } = parseComposeFile(compose, '/srv/app/compose.yaml');
    expect(containers.map((c) => [c.fact.name, c.fact.declared_exceptions])).toEqual([
      ['agent', [{ rules: ['VGL-CTR-005'], justification: 'matches kernel pids with /proc entries', expires: '2099-12-31' }]],
      ['web', undefined],
    ]);
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      [
        'VIGIL_ERR_MANIFEST_EXCEPTION',
        'VIGIL_ERR_MANIFEST_EXCEPTION: /srv/app/compose.yaml, document 0: service "web", vigil.dev/exceptions line 1: rule id "VGL-CTR-*" is not an exact rule id (expected "RULE-ID[, RULE-ID...] [until YYYY-MM-DD]: justification")',
      ],
    ]);
  });
});
