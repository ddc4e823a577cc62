import { describe, expect, it } from '@jest/globals';
import {
  composeBytes,
  composeDurationMs,
  interpolateComposeString,
  kubernetesBytes,
  kubernetesCapabilities,
  kubernetesCpuShares,
  kubernetesNanoCpus,
} from '../../src/manifests/index.js';

describe('manifests - quantities', () => {
  it('manifests - Kubernetes memory quantities → bytes, rounded up', () => {
    expect(kubernetesBytes('128Mi')).toBe(134217728);
    expect(kubernetesBytes('1G')).toBe(1e9);
    expect(kubernetesBytes('0.5Gi')).toBe(536870912);
    expect(kubernetesBytes('129e6')).toBe(129000000);
    expect(kubernetesBytes(1024)).toBe(1024);
    expect(kubernetesBytes('1500m')).toBe(2);
    expect(kubernetesBytes('12 Mi')).toBeUndefined();
    expect(kubernetesBytes('lots')).toBeUndefined();
  });

  it('manifests - Kubernetes CPU → nano-CPUs and cpu.shares', () => {
    expect(kubernetesNanoCpus('500m')).toBe(500000000);
    expect(kubernetesNanoCpus('2')).toBe(2000000000);
    expect(kubernetesNanoCpus(0.25)).toBe(250000000);
    expect(kubernetesCpuShares('1')).toBe(1024);
    expect(kubernetesCpuShares('1m')).toBe(2);
    expect(kubernetesCpuShares('250m')).toBe(256);
  });

  it('manifests - compose byte values and durations', () => {
    expect(composeBytes('512m')).toBe(536870912);
    expect(composeBytes('1g')).toBe(1073741824);
    expect(composeBytes('2GiB')).toBe(2147483648);
    expect(composeBytes('100kb')).toBe(102400);
    expect(composeBytes(4096)).toBe(4096);
    expect(composeBytes('much')).toBeUndefined();
    expect(composeDurationMs('1m30s')).toBe(90000);
    expect(composeDurationMs('1h')).toBe(3600000);
    expect(composeDurationMs('250ms')).toBe(250);
    expect(composeDurationMs('10')).toBeUndefined();
  });
});

describe('manifests - capabilities (containerd CRI order)', () => {
  it('manifests - add ALL then drop one; drop ALL then add back; a cap both added and dropped is dropped', () => {
    expect(kubernetesCapabilities(['ALL'], ['ALL'], false)).toEqual([]);
    expect(kubernetesCapabilities(['ALL', 'NET_ADMIN'], ['ALL'], false)).toEqual(['NET_ADMIN']);
    expect(kubernetesCapabilities(['SYS_TIME'], ['SYS_TIME', 'KILL'], false)).not.toContain('SYS_TIME');
    expect(kubernetesCapabilities(['SYS_TIME'], ['SYS_TIME', 'KILL'], false)).not.toContain('KILL');
    expect(kubernetesCapabilities([], ['ALL'], true)).toHaveLength(41);
  });
});

describe('manifests - compose interpolation', () => {
  it('manifests - defaults, alternatives, required and unset variables, escapes, nesting', () => {
    const env = { SET: 'value', EMPTY: '' };
    expect(interpolateComposeString('${UNSET:-fallback}', env)).toBe('fallback');
    expect(interpolateComposeString('${EMPTY:-fallback}', env)).toBe('fallback');
    expect(interpolateComposeString('${EMPTY-fallback}', env)).toBe('');
    expect(interpolateComposeString('${SET:-fallback}', env)).toBe('value');
    expect(interpolateComposeString('${SET:+alt}/${UNSET:+alt}', env)).toBe('alt/');
    expect(interpolateComposeString('${UNSET}-$UNSET-${UNSET:?needed}', env)).toBe('${UNSET}-$UNSET-${UNSET:?needed}');
    expect(interpolateComposeString('$SET ${SET} $$SET', env)).toBe('value value $SET');
    expect(interpolateComposeString('${A:-${B:-inner}}', env)).toBe('inner');
    expect(interpolateComposeString('cost: 5$ and ${unclosed', env)).toBe('cost: 5$ and ${unclosed');
  });
});
