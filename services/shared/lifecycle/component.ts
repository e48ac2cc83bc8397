/** Everything that starts, stops. `stop()` is idempotent; `health()` is cheap and synchronous. */
export interface Component {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): Health;
}

export interface Health {
  /** The process is alive and not wedged (liveness). */
  readonly live: boolean;
  /** It can do its job right now: dependencies reachable, started, not stopping (readiness). */
  readonly ready: boolean;
  readonly detail?: Readonly<Record<string, unknown>>;
}
