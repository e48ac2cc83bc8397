/** Before a demo run: is a weir gateway answering at this URL? Its liveness route says so without sending anything. */
import { messageOf } from '../shared/errors.ts';

const CHECK_TIMEOUT_MS = 3_000;

/** Undefined when the gateway answers /healthz with 200; otherwise what went wrong, for a person. */
export async function checkGateway(gatewayUrl: string, fetchFn: typeof globalThis.fetch = globalThis.fetch): Promise<string | undefined> {
  try {
    const response = await fetchFn(`${gatewayUrl}/healthz`, { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
    await response.body?.cancel();
    return response.status === 200 ? undefined : `${gatewayUrl}/healthz answered HTTP ${response.status}: is that a weir gateway?`;
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause?.code;
    return `cannot reach the gateway at ${gatewayUrl} (${typeof cause === 'string' ? cause : messageOf(error)})`;
  }
}
