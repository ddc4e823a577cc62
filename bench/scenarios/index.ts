import type { ScenarioResult } from '../report.js';
import { engineVsWasm } from './engine-vs-wasm.js';
import { imageScan } from './image-scan.js';
import { collectorFootprint } from './collector-footprint.js';
import { runtimeExecStorm } from './runtime-exec-storm.js';
import { runtimeExecAlertLatency } from './runtime-exec-alert-latency.js';
import { engineVsOpa } from './engine-vs-opa.js';
import { verdictStream } from './verdict-stream.js';
import { replayVsDrain } from './replay-vs-drain.js';
import { profileCost } from './profile-cost.js';
import { enginePerEvent } from './engine-per-event.js';
import { contextJoin } from './context-join.js';
import { consoleLoad } from './console-load.js';

export interface ScenarioOptions {
  /** A short run for checking that the scenario works; figures are not written down. */
  quick: boolean;
}

export interface Scenario {
  /** Selects the scenario with `--only NAME`. */
  name: string;
  run(options: ScenarioOptions): Promise<ScenarioResult>;
}

/** Every scenario `npm run bench` runs, in this order, one at a time. */
export const scenarios: Scenario[] = [
  { name: 'engine-per-event', run: ({ quick }) => enginePerEvent({ events: quick ? 4_000 : 20_000, rounds: quick ? 3 : 5 }) },
  { name: 'engine-vs-wasm', run: ({ quick }) => engineVsWasm({ facts: quick ? 5_000 : 20_000 }) },
  { name: 'image-scan', run: ({ quick }) => imageScan({ quick }) },
  { name: 'collector-footprint', run: ({ quick }) => collectorFootprint({ quick }) },
  { name: 'runtime-exec-storm', run: ({ quick }) => runtimeExecStorm({ rates: [1_000, 5_000, 10_000, 0], stepSeconds: quick ? 1.5 : 5, idleSeconds: quick ? 3 : 10 }) },
  { name: 'runtime-exec-alert-latency', run: ({ quick }) => runtimeExecAlertLatency({ shells: quick ? 30 : 200, intervalMs: 50, loadRate: 1_000 }) },
  { name: 'engine-vs-opa', run: engineVsOpa },
  { name: 'verdict-stream', run: ({ quick }) => verdictStream({ facts: quick ? 5_000 : 40_000 }) },
  { name: 'replay-vs-drain', run: ({ quick }) => replayVsDrain({ facts: quick ? 5_000 : 40_000 }) },
  { name: 'context-join', run: ({ quick }) => contextJoin({ events: quick ? 4_000 : 20_000, rounds: quick ? 3 : 5 }) },
  { name: 'console-load', run: ({ quick }) => consoleLoad({ alerts: quick ? 10_000 : 100_000 }) },
  { name: 'profile-cost', run: ({ quick }) => profileCost({ events: quick ? 5_000 : 30_000, rounds: quick ? 3 : 7 }) },
];
