/**
 * A pool worker: one instance of the bundle's WASM (from the module the main
 * thread compiled), judging tasks one at a time in the order they arrive.
 * It holds no other state, so the pool may terminate it at any moment.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PolicyEvaluator } from '../policy/evaluator.js';
import { judgeMessages } from './judge.js';
import { pack, unpackMessages, type FromWorker, type ToWorker, type WorkerInit } from './protocol.js';
import { exemplarFacts, exemplarMessages, warmUp, WARMUP_BUDGET_MS } from './warmup.js';

const port = parentPort;
if (port === null) throw new Error('engine/src/pool/worker.js runs as a worker thread only');
const init = workerData as WorkerInit;
const send = (message: FromWorker, transfer?: ArrayBuffer[]): void => port.postMessage(message, transfer);

let evaluator: PolicyEvaluator | undefined;
try {
  evaluator = await PolicyEvaluator.fromModule(init.module, init.bundle, init.overlay, {
    maxMemoryPages: init.maxMemoryPages,
    ...(init.batchSize === undefined ? {} : { batchSize: init.batchSize }),
  });
} catch (error) {
  send({ type: 'load-failed', message: String((error as Error)?.message ?? error) });
}

if (evaluator !== undefined) {
  const loaded = evaluator;
  const warmupMs = init.warmupMs ?? WARMUP_BUDGET_MS;
  try {
    if (warmupMs > 0) warmUp(loaded, exemplarMessages(exemplarFacts()), warmupMs);
  } catch {
    // Warming up is an optimisation; the worker judges real facts all the same.
  }
  port.on('message', (message: ToWorker) => {
    if (message.type === 'task') {
      const judgement = judgeMessages(loaded, unpackMessages(message.messages));
      const { bytes, ends } = pack(judgement.publications.map((p) => p.payload));
      send(
        {
          type: 'judged',
          id: message.id,
          judgement: {
            bytes,
            ends,
            subjects: judgement.publications.map((p) => p.subject),
            msgIds: judgement.publications.map((p) => p.msgId ?? null),
            counts: judgement.counts,
            samples: judgement.samples,
            revision: loaded.revision,
          },
        },
        [bytes.buffer as ArrayBuffer],
      );
      return;
    }
    try {
      loaded.setDataOverlay(message.overlay);
      send({ type: 'data-set', id: message.id });
    } catch (error) {
      send({ type: 'data-set', id: message.id, error: String((error as Error)?.message ?? error) });
    }
  });
  send({ type: 'ready', revision: loaded.revision });
}
