import type { ScenarioResult } from '../report.js';
import { engineVsWasm } from './engine-vs-wasm.js';

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
  { name: 'engine-vs-wasm', run: ({ quick }) => engineVsWasm({ facts: quick ? 5_000 : 20_000 }) },
];
