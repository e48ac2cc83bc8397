/**
 * Backpressure on transient failures: a batch that fails because the registry or the broker is
 * away pauses its partition (kafkajs's `pause()` from the batch payload) and resumes it after an
 * exponential backoff with jitter, instead of throwing, which would crash the consumer and make
 * the whole group rebalance. Offsets were not resolved, so the resumed partition is fetched again
 * from the same offset. Other partitions keep flowing. A success resets the partition's backoff.
 */
export interface PartitionPausesOptions {
  readonly initialMs?: number;
  readonly maxMs?: number;
  readonly random?: () => number;
  /** Told the number of paused partitions whenever it changes. */
  readonly onChange?: (paused: number) => void;
}

export class PartitionPauses {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #random: () => number;
  readonly #onChange: (paused: number) => void;
  readonly #failures = new Map<string, number>();
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(options: PartitionPausesOptions = {}) {
    this.#initialMs = options.initialMs ?? 500;
    this.#maxMs = options.maxMs ?? 30_000; // 30 s
    this.#random = options.random ?? Math.random;
    this.#onChange = options.onChange ?? (() => undefined);
  }

  get paused(): number {
    return this.#timers.size;
  }

  /** Pauses `key` with `pause` (which returns the resume function); returns the delay before it resumes. */
  pause(key: string, pause: () => () => void): number {
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    const ceiling = Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(failures - 1, 30));
    const delayMs = Math.round(ceiling * (0.5 + this.#random() / 2));
    const resume = pause();
    clearTimeout(this.#timers.get(key));
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.#onChange(this.#timers.size);
      resume();
    }, delayMs);
    timer.unref();
    this.#timers.set(key, timer);
    this.#onChange(this.#timers.size);
    return delayMs;
  }

  succeeded(key: string): void {
    this.#failures.delete(key);
  }

  /** Forgets every pause; the consumer is stopping, and nothing will be fetched again. */
  stop(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#failures.clear();
    this.#onChange(0);
  }
}
