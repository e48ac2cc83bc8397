/** A server-sent-events client for tests: reads a stream with fetch and hands out parsed events. */

export interface ReceivedEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: any;
}

export interface TestStream {
  readonly status: number;
  /** Every event received so far, in order. */
  readonly events: readonly ReceivedEvent[];
  /** Comment lines (heartbeats) received so far. */
  readonly comments: number;
  /** Waits for the first event after `after` (an index into events) matching `match`. */
  next(match: (e: ReceivedEvent) => boolean, options?: { after?: number; timeoutMs?: number }): Promise<ReceivedEvent>;
  close(): void;
}

export async function openStream(url: string, headers: Record<string, string> = {}): Promise<TestStream> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const events: ReceivedEvent[] = [];
  let comments = 0;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of waiters) w();
  };
  if (response.ok && response.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let id: string | undefined;
            let event = 'message';
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) comments++;
              else if (line.startsWith('id: ')) id = line.slice(4);
              else if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data.push(line.slice(6));
            }
            if (data.length > 0) events.push({ id, event, data: JSON.parse(data.join('\n')) });
            notify();
          }
        }
      } catch {
        // aborted by close()
      }
    })();
  }
  return {
    status: response.status,
    events,
    get comments() {
      return comments;
    },
    next(match, options = {}) {
      const after = options.after ?? -1;
      const find = () => events.find((e, i) => i > after && match(e));
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = find();
          if (found === undefined) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${options.timeoutMs ?? 30_000} ms; received: ${events.map((e) => e.event).join(', ')}`));
        }, options.timeoutMs ?? 30_000);
        waiters.add(check);
        check();
      });
    },
    close: () => controller.abort(),
  };
}
