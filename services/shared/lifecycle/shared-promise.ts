/**
 * Wraps an async function so that concurrent calls share one in-flight promise, and a call after
 * it settled starts it again. Used for `stop()`, which may be called by a signal handler and by a
 * failing component at the same time.
 */
export function sharedPromise<T>(fn: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => {
    inFlight ??= fn().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}
