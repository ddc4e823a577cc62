/**
 * A pool worker: one instance of each served bundle's WASM (from the modules
 * the main thread compiled), judging tasks one at a time in the order they arrive.
 * It holds no other state, so the pool may terminate it at any moment.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { VigilEngineError } from '../errors.js';
import { PolicyEvaluator } from '../policy/evaluator.js';
import { PolicySet } from '../policy/policy-set.js';
import { ObservationFilter } from '../profiles/observe.js';
import { judgeMessages } from './judge.js';
import { ContextCache } from '../context/context-cache.js';
import { packJudgement, unpackMessages, type FromWorker, type ToWorker, type WorkerInit } from './protocol.js';
import { exemplarFacts, exemplarMessages, warmUp, WARMUP_BUDGET_MS } from './warmup.js';

const port = parentPort;
if (port === null) throw new Error('engine/src/pool/worker.js runs as a worker thread only');
const init = workerData as WorkerInit;
const send = (message: FromWorker, transfer?: ArrayBuffer[]): void => port.postMessage(message, transfer);

let policies: PolicySet | undefined;
try {
  const options = { maxMemoryPages: init.maxMemoryPages, ...(init.batchSize === undefined ? {} : { batchSize: init.batchSize }) };
  const members = await Promise.all(
    init.members.map(async ({ name, module, bundle }) => ({ name, evaluator: await PolicyEvaluator.fromModule(module, bundle, init.overlay, options) })),
  );
  policies = new PolicySet(members, { sideBySide: init.sideBySide === true, ...(init.shared ? { shared: init.shared } : {}) });
} catch (error) {
  const coded = error instanceof VigilEngineError ? { error: { code: error.code, args: error.args } } : {};
  send({ type: 'load-failed', message: String((error as Error)?.message ?? error), ...coded });
}

if (policies !== undefined) {
  const loaded = policies;
  const warmupMs = init.warmupMs ?? WARMUP_BUDGET_MS;
  try {
    if (warmupMs > 0) warmUp(loaded, exemplarMessages(exemplarFacts()), warmupMs);
  } catch {
    // Warming up is an optimisation; the worker judges real facts all the same.
  }
  const observer = init.observe === true ? new ObservationFilter() : undefined;
  observer?.setData(init.overlay);
  const context = new ContextCache();
  if (init.context) context.apply(init.context);
  context.setData(init.overlay);
  port.on('message', (message: ToWorker) => {
    if (message.type === 'context') {
      context.apply(message.entries);
      return;
    }
    if (message.type === 'task') {
      const judgement = packJudgement(judgeMessages(loaded, unpackMessages(message.messages), observer, context, { verdicts: init.verdicts !== false }), loaded.revision);
      send({ type: 'judged', id: message.id, judgement }, [judgement.bytes.buffer as ArrayBuffer]);
      return;
    }
    try {
      loaded.setDataOverlay(message.overlay);
      observer?.setData(message.overlay);
      context.setData(message.overlay);
      send({ type: 'data-set', id: message.id });
    } catch (error) {
      send({ type: 'data-set', id: message.id, error: String((error as Error)?.message ?? error) });
    }
  });
  send({ type: 'ready', revision: loaded.revision });
}
