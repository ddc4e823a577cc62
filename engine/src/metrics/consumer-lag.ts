/** The part of a JetStreamManager the lag poller uses (JetStreamManager fits). */
export interface ConsumerInfoSource {
  consumers: {
    info(stream: string, consumer: string): Promise<{ num_pending: number; num_ack_pending: number }>;
  };
}

/** Where the lag goes (an unlabelled Gauge fits). */
export interface LagGauge {
  set(value: number): void;
}

export interface ConsumerLagOptions {
  /** A failed poll (server away, consumer deleted); the gauge keeps its last value. */
  onError?(error: unknown): void;
}

export interface ConsumerLagPoller {
  /** Polls now (polls never overlap); resolves to the lag, or undefined when the poll failed. */
  poll(): Promise<number | undefined>;
  stop(): void;
}

/**
 * Samples the consumer's lag every `intervalMs` into `gauge`: messages not yet
 * delivered (`num_pending`) plus delivered and not yet acked
 * (`num_ack_pending`). Polls once at once. The timer does not keep the process
 * alive.
 */
export function pollConsumerLag(
  jsm: ConsumerInfoSource,
  stream: string,
  consumer: string,
  gauge: LagGauge,
  intervalMs: number,
  options: ConsumerLagOptions = {},
): ConsumerLagPoller {
  let inFlight: Promise<number | undefined> | undefined;
  let stopped = false;

  const sample = async (): Promise<number | undefined> => {
    try {
      const info = await jsm.consumers.info(stream, consumer);
      const lag = info.num_pending + info.num_ack_pending;
      if (!stopped) gauge.set(lag);
      return lag;
    } catch (error) {
      options.onError?.(error);
      return undefined;
    }
  };

  const poll = (): Promise<number | undefined> => {
    inFlight ??= sample().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const timer = setInterval(() => void poll(), intervalMs);
  timer.unref();
  void poll();

  return {
    poll,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
