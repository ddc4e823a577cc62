import { loadPolicy } from '@open-policy-agent/opa-wasm';
import type { Bundle } from '../../engine/src/index.js';

/** A bare opa-wasm instance of a bundle, with the data the engine sets (today's date): the ceiling the engine is compared with. */
export async function loadRawPolicy(bundle: Bundle): Promise<Awaited<ReturnType<typeof loadPolicy>>> {
  const policy = await loadPolicy(bundle.wasm as Uint8Array<ArrayBuffer>, undefined, { 'time.now_ns': () => Date.now() * 1e6 });
  policy.setData({ ...bundle.data, vigil: { ...(bundle.data.vigil as object), today: new Date().toISOString().slice(0, 10) } });
  return policy;
}
