/** Server-sent events on an HTTP response: the framing, heartbeats, and a clean end. */
import type { Response } from 'express';

export interface SseEvent {
  readonly id?: string;
  readonly event: string;
  readonly data: unknown;
}

export interface SseConnection {
  send(event: SseEvent): void;
  close(): void;
  readonly closed: boolean;
}

/** `data` is one JSON line (JSON.stringify never emits a newline), so one `data:` field suffices. */
export function formatEvent(event: SseEvent): string {
  return `${event.id === undefined ? '' : `id: ${event.id}\n`}event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** Starts the event stream; `onClose` runs once, when the client goes or `close()` is called. */
export function openSse(res: Response, heartbeatMs: number, onClose: () => void): SseConnection {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no', // nginx: do not buffer the stream
  });
  res.write('retry: 2000\n\n');
  let closed = false;
  const heartbeat = setInterval(() => res.write(`: heartbeat ${new Date().toISOString()}\n\n`), heartbeatMs);
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    onClose();
  };
  res.on('close', finish);
  return {
    send(event) {
      if (!closed) res.write(formatEvent(event));
    },
    close() {
      finish();
      res.end();
    },
    get closed() {
      return closed;
    },
  };
}
