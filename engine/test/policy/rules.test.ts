import { describe, expect, it } from '@jest/globals';
import { rulesFromAnnotations, type InspectAnnotation } from '../../src/policy/rules.js';

function annotation(pkg: string, custom: Record<string, unknown>, title = 'A title'): InspectAnnotation {
  return {
    annotations: { scope: 'package', title, custom },
    location: { file: `policies/${pkg.split('.').slice(1).join('/')}.rego` },
    path: [{ type: 'var', value: 'data' }, ...pkg.split('.').map((value) => ({ type: 'string', value }))],
  };
}

const complete = {
  id: 'VGL-CTR-001',
  kind: 'container',
  severity: 'CRITICAL',
  recommended_action: 'Do not.',
  frameworks: { 'cis-docker': ['5.5'] },
};

describe('policy metadata', () => {
  it('policy metadata - a complete rule is accepted with defaults applied', () => {
    const { rules, problems } = rulesFromAnnotations([annotation('vigil.container.privileged', complete)]);
    expect(problems).toEqual([]);
    expect(rules).toEqual([
      expect.objectContaining({ id: 'VGL-CTR-001', kind: 'container', severity: 'CRITICAL', maturity: 'stable', package: 'vigil.container.privileged' }),
    ]);
  });

  it.each([
    ['id', 'custom.id is missing'],
    ['severity', 'custom.severity must be'],
    ['recommended_action', 'custom.recommended_action is missing'],
    ['frameworks', 'custom.frameworks must map'],
    ['kind', 'custom.kind must be one of'],
  ])('policy metadata - a rule without %s is rejected', (field, problem) => {
    const custom: Record<string, unknown> = { ...complete };
    delete custom[field];
    const { rules, problems } = rulesFromAnnotations([annotation('vigil.container.privileged', custom)]);
    expect(rules).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(problem);
  });

  it('policy metadata - a duplicate id is reported with both places', () => {
    const { problems } = rulesFromAnnotations([
      annotation('vigil.container.a', complete),
      annotation('vigil.container.b', complete),
    ]);
    expect(problems).toEqual([expect.stringMatching(/vigil\.container\.b.*duplicate id VGL-CTR-001.*vigil\.container\.a/)]);
  });

  it('policy metadata - library packages and frameworks with empty lists', () => {
    const { rules, problems } = rulesFromAnnotations([
      annotation('vigil.lib.paths', { library: true }),
      annotation('vigil.container.c', { ...complete, id: 'VGL-CTR-003', frameworks: { 'cis-docker': [] } }),
    ]);
    expect(rules).toEqual([]);
    expect(problems).toEqual([expect.stringContaining('custom.frameworks must map')]);
  });
});
