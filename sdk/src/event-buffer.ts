/**
 * The events tracked and not yet in a request, oldest first, with the size of the JSON body they
 * would make. Each event is serialized once, at track(): its size decides batching, and later
 * changes the application makes to the object do not change what is sent.
 */

export interface BufferedEvent<E> {
  /** Order of track(); flush() waits for events up to a sequence number. */
  readonly seq: number;
  readonly event: E;
  readonly json: string;
  /** UTF-8 bytes of `json`. */
  readonly bytes: number;
}

/** The body `[e1,e2,...]` of `count` events whose JSON adds up to `eventBytes`. */
export function bodyBytes(count: number, eventBytes: number): number {
  return count === 0 ? 2 : eventBytes + count + 1;
}

export class EventBuffer<E> {
  #items: (BufferedEvent<E> | undefined)[] = [];
  #head = 0;
  #eventBytes = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Bytes of the JSON array of everything buffered. */
  get bodyBytes(): number {
    return bodyBytes(this.length, this.#eventBytes);
  }

  push(item: BufferedEvent<E>): void {
    this.#items.push(item);
    this.#eventBytes += item.bytes;
  }

  shift(): BufferedEvent<E> | undefined {
    if (this.length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head += 1;
    if (item !== undefined) this.#eventBytes -= item.bytes;
    if (this.length === 0) {
      this.#items = [];
      this.#head = 0;
      this.#eventBytes = 0;
    } else {
      this.#compact();
    }
    return item;
  }

  /** True when a batch would be full: maxEvents events, or maxBytes of body (possibly with one event left over). */
  hasFullBatch(maxEvents: number, maxBytes: number): boolean {
    return this.length >= maxEvents || this.bodyBytes >= maxBytes;
  }

  /** Takes the oldest events that fit in one batch; at least one when any is buffered (each fits, see options). */
  takeBatch(maxEvents: number, maxBytes: number): BufferedEvent<E>[] {
    const batch: BufferedEvent<E>[] = [];
    let bytes = 0;
    while (batch.length < maxEvents && this.length > 0) {
      const next = this.#items[this.#head];
      if (next === undefined) break;
      if (batch.length > 0 && bodyBytes(batch.length + 1, bytes + next.bytes) > maxBytes) break;
      batch.push(next);
      bytes += next.bytes;
      this.shift();
    }
    return batch;
  }

  /** Removes and returns everything, oldest first. */
  drain(): BufferedEvent<E>[] {
    const all: BufferedEvent<E>[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) all.push(item);
    return all;
  }

  #compact(): void {
    // Dropping the consumed prefix now and then keeps shift() O(1) amortized without a ring buffer.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}
