/** One fact message as a feed delivers it: a FactBatch on a fact subject, settled once. */
export interface FeedMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  /** Judged and its results delivered: the feed may forget it. */
  ack(): void;
  /** Not judged or its results not delivered: the feed delivers it again, after `delayMs`. */
  nak(delayMs?: number): void;
}

/**
 * Where the engine's facts come from: a JetStream consumer in production, a
 * queue in memory in tests and replays. `open()` starts delivery; the messages
 * end when `close()` is called (or the feed runs dry, for a finite one).
 */
export interface FactFeed {
  open(): Promise<AsyncIterable<FeedMessage>>;
  /** Stops delivering; messages delivered and not settled are redelivered by the source. */
  close(): Promise<void>;
}
