/**
 * The types of the public API: events as the application writes them, what the client reports
 * back through its callbacks, and its counters.
 */

/** Event time: epoch milliseconds, an RFC 3339 string ("2026-11-24T10:00:00Z"), or a Date (sent as its ISO string). */
export type Timestamp = number | string | Date;

/** The fields every event may carry beside its type's own fields. */
export interface EventEnvelope {
  /** Idempotency key; the client assigns a UUIDv7 when absent and keeps it across retries. */
  id?: string;
  /** When it happened; the client sets the time of track() when absent. */
  timestamp?: Timestamp;
}

/**
 * A map from event type name to the fields of that type, such as the generated `WeirEvents`.
 * Declare it as a `type` (an `interface` has no index signature and does not satisfy this).
 */
export type EventMap = Record<string, object>;

/** Any event, for a client created without a type map. */
export interface UntypedEvent extends EventEnvelope {
  type: string;
  [field: string]: unknown;
}

export type UntypedEvents = Record<string, UntypedEvent>;

/** The event of one type `K` as track() takes it: its fields, `type: K` and the envelope. */
export type EventOf<Events extends EventMap, K extends keyof Events & string> = Events[K] & { type: K } & EventEnvelope;

/** Any event of the map, a union discriminated by `type`. */
export type AnyEventOf<Events extends EventMap> = { [K in keyof Events & string]: EventOf<Events, K> }[keyof Events & string];

/** An event as the client holds and reports it: `id` and `timestamp` are always set. */
export type TrackedEvent<Events extends EventMap> = AnyEventOf<Events> & { readonly id: string; readonly timestamp: Timestamp };

/** One problem with one rejected event, as the gateway reports it. */
export interface FieldError {
  /** JSON Pointer into the event as sent: "" for the event itself, "/device_type", "/properties/plan". */
  readonly path: string;
  /** A stable reason: missing_field, wrong_type, not_in_enum, unknown_field, out_of_range, ... */
  readonly reason: string;
  /** For people; do not branch on it. */
  readonly message: string;
}

/** Why the client gave up on an event. Every dropped event is reported to onDropped exactly once. */
export type DropReason =
  /** maxBufferedEvents reached under the drop-newest or drop-oldest policy. */
  | 'buffer_full'
  /** Its JSON is over gatewayLimits.maxEventBytes: the gateway would refuse it. */
  | 'event_too_large'
  /** Not an object with a non-empty string `type`, or not serializable to JSON. */
  | 'invalid_event'
  /** Its request failed after maxRetries retries (429, 503, 5xx, network); see onError. */
  | 'retries_exhausted'
  /** Its request failed without a retry: 401, 403, 413, 415, a malformed 400, an odd answer; see onError. */
  | 'request_failed'
  /** track() after close(). */
  | 'client_closed'
  /** Still unsent when close()'s timeout ran out. */
  | 'shutdown_timeout';

/** What track() did with an event. */
export type TrackResult =
  | { readonly queued: true; readonly id: string }
  | {
      readonly queued: false;
      /** The id the event was given, or undefined when the event was not an object. */
      readonly id: string | undefined;
      readonly reason: DropReason;
    };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where the client writes what an operator may want to see (retries, callback failures). Fits pino: `(l, m, f) => log[l](f, m)`. */
export type LogFunction = (level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>) => void;

/** Counters since the client was created. tracked = queued + inFlight + accepted + rejected + dropped. */
export interface ClientStats {
  /** Events given to track(), except those refused under overflow: 'reject' (the caller keeps those). */
  readonly tracked: number;
  /** Now: events buffered, not yet in a request. */
  readonly queued: number;
  /** Now: events in a request, or waiting to retry one. */
  readonly inFlight: number;
  /** Events that left the buffer in a request (each counted once, however often retried). */
  readonly sent: number;
  /** Events the gateway accepted. */
  readonly accepted: number;
  /** Events the gateway rejected as invalid (reported to onRejected). */
  readonly rejected: number;
  /** Events the client gave up on (reported to onDropped). */
  readonly dropped: number;
  /** HTTP requests made, retries included. */
  readonly requests: number;
  /** Requests that were retries of an earlier one. */
  readonly retries: number;
}

/** How the events held when flush() or close() was called ended: each of them is counted once. */
export interface FlushResult {
  readonly accepted: number;
  readonly rejected: number;
  readonly dropped: number;
}

export interface CloseResult extends FlushResult {
  /** True when the timeout ran out and what was left was dropped (reason shutdown_timeout). */
  readonly timedOut: boolean;
}
