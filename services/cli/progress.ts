/**
 * Progress of a long command on stderr. On a terminal, one line redrawn in place:
 * `replay  [#########...........]  4,500/10,000  45%`; elsewhere (CI logs, pipes), a plain line at
 * most every few seconds, so logs stay readable. `done()` prints the final count.
 */
import type { Output } from './command.ts';

export interface Progress {
  update(done: number): void;
  done(): void;
}

const WIDTH = 30;

export function createProgress(stream: Output & { isTTY?: boolean }, label: string, total: number, now: () => number = Date.now): Progress {
  const tty = stream.isTTY === true;
  const minIntervalMs = tty ? 100 : 5_000;
  let shownAt = Number.NEGATIVE_INFINITY;
  let last = 0;
  const line = (done: number, of = total) => {
    const fraction = of <= 0 ? 1 : Math.min(1, done / of);
    const filled = Math.round(fraction * WIDTH);
    const bar = tty ? `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}]  ` : '';
    return `${label}  ${bar}${done.toLocaleString('en-US')}/${of.toLocaleString('en-US')}  ${Math.floor(fraction * 100)}%`;
  };
  const show = (done: number) => {
    stream.write(tty ? `\r${line(done)}` : `${line(done)}\n`);
    shownAt = now();
  };
  return {
    update(done) {
      last = done;
      if (now() - shownAt >= minIntervalMs) show(done);
    },
    done() {
      // The total counted offsets, transaction markers included: the end is what was there.
      stream.write(`${tty ? '\r' : ''}${line(last, last)}\n`);
    },
  };
}
