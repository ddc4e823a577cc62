// The engine's internal door: names its own tests, the test harness and the
// benches need that are not part of its public surface (src/index.ts).
export { judgeMessages, type FactMessage, type Judgement } from './pool/judge.js';
export { PolicySet } from './policy/policy-set.js';
