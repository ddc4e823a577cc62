import { describe, expect, it } from '@jest/globals';
import { decodeAgentStatus, encodeAgentStatus } from '../../proto/src/index.js';
import { agentStatusOf } from '../src/agent-status.js';

const outbox = { queuedBatches: 3, queuedBytes: 4096, published: 120, dropped: 2, retries: 5, refused: 0 };
const runtime = { source: 'ebpf', received: 900, published: 700, aggregated: 150, dropped: 50, rateLimited: 40, queueFull: 6, publishErrors: 4, filtered: 0, sourceLost: 7, queued: 1 };

describe('agent heartbeat', () => {
  it('status - each collector reports its outbox, and runtime its source, losses before the outbox counted in dropped', () => {
    const status = agentStatusOf(
      { host: 'node-a', version: '0.1.0', collectors: () => [{ name: 'container', outbox: () => outbox }, { name: 'runtime', outbox: () => ({ ...outbox, dropped: 0 }), runtime: () => runtime }] },
      1_000,
      5_000,
    );
    const decoded = decodeAgentStatus(encodeAgentStatus(status));
    expect(decoded.host).toBe('node-a');
    expect(Number(decoded.started_at_ms)).toBe(1_000);
    expect(Number(decoded.at_ms)).toBe(5_000);
    const [container, events] = decoded.collectors;
    expect([container!.collector, Number(container!.published), Number(container!.dropped), Number(container!.outbox_batches), Number(container!.outbox_bytes), container!.source]).toEqual(['container', 120, 2, 3, 4096, '']);
    expect(events!.collector).toBe('runtime');
    expect(Number(events!.dropped)).toBe(50);
    expect(Number(events!.rate_limited)).toBe(40);
    expect(Number(events!.source_lost)).toBe(7);
    expect(events!.source).toBe('ebpf');
  });
});
