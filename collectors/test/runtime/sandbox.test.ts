import { describe, expect, it } from '@jest/globals';
import { isSandboxRuntime } from '../../src/sandbox-runtime.js';

describe('runtime attribution - sandboxed runtimes', () => {
  it.each(['runsc', 'io.containerd.runsc.v1', 'kata-runtime', 'kata-qemu', 'io.containerd.kata.v2', 'gvisor'])(
    'runtime attribution - %s is a sandbox whose host-side processes are not the workload',
    (runtime) => {
      expect(isSandboxRuntime(runtime)).toBe(true);
    },
  );

  it.each(['runc', 'io.containerd.runc.v2', 'crun', '', 'runscanner', 'youki'])('runtime attribution - %s is not a sandbox', (runtime) => {
    expect(isSandboxRuntime(runtime)).toBe(false);
  });
});
