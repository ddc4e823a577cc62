import { subjects } from '../../../proto/src/index.js';
import { Settlement, type Publication, type ResultGroup, type ResultSink, type StoreOutcome } from './result-sink.js';

const DEAD_LETTER_PREFIX = subjects.allDeadLetters.slice(0, -1);
const STORED_PREFIXES = [subjects.allAlerts, subjects.allDeadLetters, subjects.allVerdicts].map((s) => s.slice(0, -1));

/**
 * Results kept in memory, for tests and replays: every publication in order,
 * and what a stream would have kept (a message id seen before is answered
 * "duplicate" and not kept again). `answer` can make a stream fail.
 * A memory sink's streams keep verdicts too.
 */
export class MemorySink implements ResultSink {
  /** Everything published, in order. */
  readonly published: Publication[] = [];
  /** What the streams kept: each message id once. */
  readonly stored: Publication[] = [];
  readonly #ids = new Set<string>();

  readonly #answer: (publication: Publication) => StoreOutcome | undefined;
  readonly #onDeadLetter: ((reason: string) => void) | undefined;

  constructor(options: { answer?: (publication: Publication) => StoreOutcome | undefined; onDeadLetter?: (reason: string) => void } = {}) {
    this.#answer = options.answer ?? (() => undefined);
    this.#onDeadLetter = options.onDeadLetter;
  }

  group(): ResultGroup {
    const settlement = new Settlement(() => true);
    return {
      publish: (publication, outcome) => {
        this.published.push(publication);
        if (publication.subject.startsWith(DEAD_LETTER_PREFIX)) this.#onDeadLetter?.(publication.subject.slice(DEAD_LETTER_PREFIX.length));
        if (!STORED_PREFIXES.some((prefix) => publication.subject.startsWith(prefix))) return;
        const answered = settlement.expect();
        const result = this.#store(publication);
        // A stream answers later than the publish returns.
        queueMicrotask(() => {
          outcome?.(result);
          answered(result !== 'failed');
        });
      },
      hold: (until) => settlement.hold(until),
      seal: (settled) => settlement.seal(settled),
    };
  }

  async close(): Promise<void> {}

  #store(publication: Publication): StoreOutcome {
    const forced = this.#answer(publication);
    if (forced !== undefined) return forced;
    const { msgId } = publication;
    if (msgId !== undefined && this.#ids.has(msgId)) return 'duplicate';
    if (msgId !== undefined) this.#ids.add(msgId);
    this.stored.push(publication);
    return 'stored';
  }
}
