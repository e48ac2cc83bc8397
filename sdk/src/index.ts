/**
 * @weir/sdk: send events to a weir gateway. `createWeirClient<WeirEvents>()` with the types that
 * `weir schemas codegen` writes to ./generated/events.ts (re-exported here). The Kafka producer
 * helper is the separate entry `@weir/sdk/kafka`, so that HTTP users need none of its packages.
 */
export { createWeirClient, DEFAULT_CLOSE_TIMEOUT_MS, type ClientRuntime, type WeirClient } from './client.ts';
export { systemClock, type Clock, type TimerHandle } from './clock.ts';
export { isWeirError, WEIR_ERROR_CODES, WeirError, WeirRequestError, type WeirErrorCode } from './errors.ts';
export { DEFAULTS, type GatewayLimits, type OverflowPolicy, type WeirClientOptions } from './options.ts';
export type {
  AnyEventOf,
  ClientStats,
  CloseResult,
  DropReason,
  EventEnvelope,
  EventMap,
  EventOf,
  FieldError,
  FlushResult,
  LogFunction,
  LogLevel,
  Timestamp,
  TrackedEvent,
  TrackResult,
  UntypedEvent,
  UntypedEvents,
} from './types.ts';
export { createUuidV7 } from './uuid-v7.ts';
export type * from './generated/events.ts';
