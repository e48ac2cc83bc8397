/**
 * The open windows of one source partition of one event type, as a plain object (no Kafka, no
 * ClickHouse): records fold in, in offset order; windows close as the partition's watermark passes
 * their end plus grace; a snapshot turns what changed into rows (clickhouse/state-rows.ts) and is
 * committed once ClickHouse has them. Folding is deterministic in the records and their order, so
 * a replay from the last written offset rebuilds the same rows.
 *
 * Rows are per partition, and so is the watermark that closes windows: the partition's highest
 * event time minus the allowed out-of-orderness (never going back), so what is late does not
 * depend on which other partitions an instance happens to own. The caller may raise it (the idle
 * rule, see aggregator-runtime.ts).
 */
import type { Aggregate } from './definition/aggregate-definition.ts';
import { parseDateTime, stateRow, type FlushFacts, type Row, type StoredWindow } from './clickhouse/state-rows.ts';
import { CHANGES_WINDOW, PROGRESS_WINDOW, retentionMs, type TableLayout } from './clickhouse/table-layout.ts';
import type { CleanRecord, DimensionValue, Folding, PreparedEvent, WindowState } from './state/window-state.ts';
import { isWindowClosed } from './windows/lateness.ts';
import { assignSession } from './windows/session-windows.ts';
import { timeWindows, windowName, type Window, type WindowSpec } from './windows/window.ts';

interface OpenWindow {
  /** Its key in the window map, and for time windows its spec's index in the lookup index. */
  readonly key: string;
  readonly specIndex: number;
  readonly name: string;
  readonly bounds: Window;
  readonly dimensions: readonly DimensionValue[];
  readonly sizeMs: number;
  readonly state: WindowState;
  /** Bumped on every change; a snapshot clears `dirty` only if nothing changed since it. */
  seq: number;
  dirty: boolean;
  /** Closed: its next row is final, and it leaves memory once that row is written. */
  final: boolean;
  /** A row of it exists in ClickHouse (a merged session must then be superseded there). */
  written: boolean;
}

export type FoldOutcome = 'folded' | 'late_dead_letter' | 'late_corrected';

/** An open time window dropped from memory (ClickHouse has it as it was); read back before it is used. */
export interface EvictedWindow {
  readonly window: string;
  readonly bounds: Window;
  readonly dimensionKey: string;
}

export interface Snapshot {
  readonly rows: readonly Row[];
  /** Every record up to this offset is in the rows. */
  readonly version: bigint;
  /** ClickHouse has the rows: forget what they made final, clear what they wrote. */
  commit(): void;
}

const specsOf = (aggregate: Aggregate) => aggregate.windows.map((spec: WindowSpec) => ({ spec, name: windowName(spec) }));

export class PartitionAggregates {
  readonly partition: number;
  readonly #aggregate: Aggregate;
  readonly #folding: Folding;
  readonly #layout: TableLayout;
  readonly #specs: ReturnType<typeof specsOf>;
  readonly #windows = new Map<string, OpenWindow>();
  /** Time windows again, per spec, by start and dimension key: the per-event lookup without building a string key. */
  readonly #index: Array<Map<number, Map<string, OpenWindow>>>;
  /** By window key: see evict(). */
  readonly #evicted = new Map<string, EvictedWindow>();
  /** Per session spec, per dimension key, the open sessions. */
  readonly #sessions = new Map<string, Map<string, Window[]>>();
  #pending: Row[] = [];
  #maxEventTimeMs = -Infinity;
  #watermarkMs = -Infinity;
  #lastOffset: bigint | undefined;
  #changed = false;
  /** The last snapshot's offset and earliest changed window start. */
  #changes: { version: bigint; fromMs: number } | undefined;

  constructor(options: { aggregate: Aggregate; folding: Folding; layout: TableLayout; partition: number }) {
    this.#aggregate = options.aggregate;
    this.#folding = options.folding;
    this.#layout = options.layout;
    this.partition = options.partition;
    this.#specs = specsOf(options.aggregate);
    this.#index = this.#specs.map(() => new Map());
  }

  get lastOffset(): bigint | undefined {
    return this.#lastOffset;
  }

  get watermarkMs(): number {
    return this.#watermarkMs;
  }

  get maxEventTimeMs(): number {
    return this.#maxEventTimeMs;
  }

  get openWindows(): number {
    return this.#windows.size;
  }

  /** State read back from ClickHouse: the open windows, and the progress row's offset and watermark. */
  restore(stored: readonly StoredWindow[], version: bigint, watermarkMs: number): void {
    this.reinstate(stored);
    this.#lastOffset = version;
    this.#watermarkMs = watermarkMs;
    this.#maxEventTimeMs = watermarkMs + this.#aggregate.allowedOutOfOrdernessMs;
  }

  /** Windows read back from ClickHouse (at restore, or after evict()), as they were written. */
  reinstate(stored: readonly StoredWindow[]): void {
    for (const { key, state } of stored) {
      const spec = this.#specs.find((s) => s.name === key.window);
      if (spec === undefined) continue; // a window size no longer defined: its rows stay as they are
      const dimensionKey = this.#folding.keyOf(dimensionRecord(this.#layout, key.dimensions));
      const k = windowKey(spec.name, key.bounds, dimensionKey);
      if (this.#windows.has(k)) continue;
      this.#evicted.delete(k);
      const specIndex = spec.spec.kind === 'session' ? -1 : this.#specs.indexOf(spec);
      const w = this.#open(spec.name, spec.spec, key.bounds, key.dimensions, dimensionKey, specIndex);
      if (specIndex >= 0) {
        let byKey = this.#index[specIndex]!.get(key.bounds.start);
        if (byKey === undefined) this.#index[specIndex]!.set(key.bounds.start, (byKey = new Map()));
        byKey.set(dimensionKey, w);
      }
      this.#folding.merge(w.state, state);
      w.dirty = false;
      w.written = true;
      if (spec.spec.kind === 'session') this.#sessionsOf(spec.name, JSON.stringify(key.dimensions)).push(key.bounds);
    }
  }

  /**
   * Bounded memory: drops up to `count` open time windows whose state ClickHouse already has as it
   * is (written, nothing folded since), the oldest first; returns how many. Nothing is lost: the
   * caller reads one back (wanted(), closedEvicted(), reinstate()) before folding into it or closing it.
   */
  evict(count: number): number {
    const candidates = [...this.#windows.entries()]
      .filter(([, w]) => w.specIndex >= 0 && w.written && !w.dirty && !w.final)
      .sort(([, a], [, b]) => a.bounds.start - b.bounds.start)
      .slice(0, Math.max(0, count));
    for (const [k, w] of candidates) {
      this.#forget(k, w);
      this.#evicted.set(k, { window: w.name, bounds: w.bounds, dimensionKey: w.key });
    }
    return candidates.length;
  }

  /** The evicted windows a record at `eventTimeMs` would fold into: read them back first. */
  wanted(record: CleanRecord, eventTimeMs: number): EvictedWindow[] {
    if (this.#evicted.size === 0) return [];
    const key = this.#folding.keyOf(record);
    const out: EvictedWindow[] = [];
    for (const { spec, name } of this.#specs) {
      if (spec.kind === 'session') continue;
      for (const b of timeWindows(spec, eventTimeMs)) {
        const evicted = this.#evicted.get(windowKey(name, b, key));
        if (evicted !== undefined) out.push(evicted);
      }
    }
    return out;
  }

  /** Evicted windows that the watermark (raised to `externalWatermarkMs`) closes: read them back so that their final rows are written. */
  closedEvicted(externalWatermarkMs = -Infinity): EvictedWindow[] {
    const watermark = Math.max(this.#watermarkMs, externalWatermarkMs);
    return [...this.#evicted.values()].filter((e) => isWindowClosed(e.bounds, watermark, this.#aggregate.graceMs));
  }

  /** Passes over a record that folds into nothing (it was dead-lettered). */
  skip(offset: bigint): void {
    this.#lastOffset = offset;
    this.#changed = true;
  }

  /** Folds one record at `offset`; `eventTimeMs` is its event time. */
  fold(record: CleanRecord, offset: bigint, eventTimeMs: number): FoldOutcome {
    this.#lastOffset = offset;
    this.#changed = true;
    const { graceMs, lateEvents } = this.#aggregate;
    const watermark = this.#watermarkMs;
    // Late is decided by the watermark alone, never by what happens to be in memory, so that a
    // replay decides the same. The window of a spec that ends first is the one that closes first.
    let late = false;
    for (const { spec } of this.#specs) {
      const firstEnd =
        spec.kind === 'session' ? eventTimeMs + spec.gapMs
        : spec.kind === 'tumbling' ? Math.floor(eventTimeMs / spec.sizeMs) * spec.sizeMs + spec.sizeMs
        : Math.floor(eventTimeMs / spec.advanceMs) * spec.advanceMs + spec.advanceMs;
      if (watermark >= firstEnd + graceMs) late = true;
    }
    if (late && lateEvents === 'dlq') return 'late_dead_letter';

    const dimensions = this.#folding.dimensionValues(record);
    const key = JSON.stringify(dimensions);
    const event = this.#folding.prepare(record);
    for (let i = 0; i < this.#specs.length; i++) {
      const { spec, name } = this.#specs[i]!;
      if (spec.kind === 'session') {
        this.#foldSession(name, spec, eventTimeMs, dimensions, key, event);
        continue;
      }
      for (const b of timeWindows(spec, eventTimeMs)) {
        if (isWindowClosed(b, watermark, graceMs)) {
          this.#pending.push(this.#correctionRow(name, b, dimensions, event, offset));
          continue;
        }
        let byKey = this.#index[i]!.get(b.start);
        if (byKey === undefined) this.#index[i]!.set(b.start, (byKey = new Map()));
        let w = byKey.get(key);
        if (w === undefined) byKey.set(key, (w = this.#open(name, spec, b, dimensions, key, i)));
        this.#touch(w, event);
      }
    }
    // Per record, so that lateness depends on the records before it, not on batch boundaries.
    if (eventTimeMs > this.#maxEventTimeMs) {
      this.#maxEventTimeMs = eventTimeMs;
      this.#watermarkMs = Math.max(this.#watermarkMs, eventTimeMs - this.#aggregate.allowedOutOfOrdernessMs);
    }
    return late ? 'late_corrected' : 'folded';
  }

  /** Raises the watermark to the idle rule's, and closes the windows it passed; returns how many closed. */
  advance(externalWatermarkMs = -Infinity): number {
    if (externalWatermarkMs > this.#watermarkMs) {
      this.#watermarkMs = externalWatermarkMs;
      this.#changed = true;
    }
    const next = this.#watermarkMs;
    let closed = 0;
    for (const w of this.#windows.values()) {
      if (!w.final && isWindowClosed(w.bounds, next, this.#aggregate.graceMs)) {
        w.final = true;
        w.dirty = true;
        w.seq++;
        closed++;
      }
    }
    if (closed > 0) this.#changed = true;
    return closed;
  }

  /**
   * The rows to write now, or undefined when nothing changed since the last commit: the windows that
   * changed, then `bookkeeping`'s rows for the flush (progress and change rows, state-rows.ts).
   */
  snapshot(bookkeeping: (flush: FlushFacts) => readonly Row[]): Snapshot | undefined {
    if (!this.#changed || this.#lastOffset === undefined) return undefined;
    const version = this.#lastOffset;
    const taken = [...this.#windows.entries()].filter(([, w]) => w.dirty).map(([k, w]) => ({ k, w, seq: w.seq }));
    const pending = this.#pending;
    this.#pending = [];
    this.#changed = false;
    const rows = [...taken.map(({ w }) => this.#row(w, version, w.final, false)), ...pending.map((row) => ({ ...row, window_version: version.toString() }))];
    let changedFromMs = Infinity;
    for (const { w } of taken) changedFromMs = Math.min(changedFromMs, w.bounds.start);
    for (const row of pending) changedFromMs = Math.min(changedFromMs, parseDateTime(row['window_start']));
    // Flushes at one offset (windows closed by time alone) may share a change row's key: each such row covers them all.
    if (this.#changes?.version === version) changedFromMs = Math.min(changedFromMs, this.#changes.fromMs);
    this.#changes = { version, fromMs: changedFromMs };
    rows.push(...bookkeeping({ version, watermarkMs: this.#watermarkMs, changedFromMs }));
    let committed = false;
    return {
      rows,
      version,
      commit: () => {
        if (committed) return;
        committed = true;
        for (const { k, w, seq } of taken) {
          w.written = true;
          if (w.seq !== seq) continue;
          w.dirty = false;
          if (w.final) this.#forget(k, w);
        }
      },
    };
  }

  /** After a failed write: what the snapshot held is written again next time. */
  retry(snapshot: Snapshot): void {
    this.#changed = true;
    for (const row of snapshot.rows) {
      if (row['window_correction'] !== 0 || row['window_superseded'] === 1) {
        if (row['window'] !== PROGRESS_WINDOW && row['window'] !== CHANGES_WINDOW) this.#pending.push(row);
      }
    }
  }

  #forget(k: string, w: OpenWindow): void {
    this.#windows.delete(k);
    if (w.specIndex < 0) return;
    const byKey = this.#index[w.specIndex]!.get(w.bounds.start);
    byKey?.delete(w.key);
    if (byKey?.size === 0) this.#index[w.specIndex]!.delete(w.bounds.start);
  }

  /** `specIndex` for a time window, to index it; -1 for a session. */
  #open(name: string, spec: WindowSpec, bounds: Window, dimensions: readonly DimensionValue[], key: string, specIndex = -1): OpenWindow {
    const w: OpenWindow = { key, specIndex, name, bounds, dimensions, sizeMs: spec.kind === 'session' ? spec.gapMs : spec.sizeMs, state: this.#folding.empty(), seq: 0, dirty: true, final: false, written: false };
    this.#windows.set(windowKey(name, bounds, key), w);
    return w;
  }

  #touch(w: OpenWindow, event: PreparedEvent): void {
    this.#folding.fold(w.state, event);
    w.seq++;
    w.dirty = true;
  }

  #sessionsOf(name: string, key: string): Window[] {
    let byKey = this.#sessions.get(name);
    if (byKey === undefined) this.#sessions.set(name, (byKey = new Map()));
    let sessions = byKey.get(key);
    if (sessions === undefined) byKey.set(key, (sessions = []));
    return sessions;
  }

  #foldSession(name: string, spec: Extract<WindowSpec, { kind: 'session' }>, t: number, dimensions: readonly DimensionValue[], key: string, event: PreparedEvent): void {
    // Closed by the watermark, not by the `final` flag a flush sets, so a replay joins the same sessions.
    const open = this.#sessionsOf(name, key).filter((s) => this.#windows.has(windowKey(name, s, key)) && !isWindowClosed(s, this.#watermarkMs, this.#aggregate.graceMs));
    const assignment = assignSession(open, t, spec.gapMs);
    let target = this.#windows.get(windowKey(name, assignment.window, key));
    if (target === undefined) target = this.#open(name, spec, assignment.window, dimensions, key);
    for (const merged of assignment.merged) {
      const k = windowKey(name, merged, key);
      const old = this.#windows.get(k);
      if (old === undefined || old === target) continue;
      this.#folding.merge(target.state, old.state);
      this.#windows.delete(k);
      // A session that only grew at its end keeps its row key (window_end is not in it).
      if (old.written && old.bounds.start !== target.bounds.start) this.#pending.push(this.#row(old, 0n, false, true));
    }
    this.#sessions.get(name)!.set(key, [...assignment.sessions]);
    this.#touch(target, event);
  }

  #correctionRow(name: string, bounds: Window, dimensions: readonly DimensionValue[], event: PreparedEvent, offset: bigint): Row {
    const state = this.#folding.empty();
    this.#folding.fold(state, event);
    const spec = this.#specs.find((s) => s.name === name)!.spec;
    const sizeMs = spec.kind === 'session' ? spec.gapMs : spec.sizeMs;
    return stateRow(this.#layout, this.#folding, { window: name, bounds, dimensions, partition: this.partition, correction: Number(offset) + 1 }, state, {
      version: offset,
      final: true,
      superseded: false,
      expires: bounds.end + retentionMs(sizeMs),
    });
  }

  #row(w: OpenWindow, version: bigint, final: boolean, superseded: boolean): Row {
    return stateRow(this.#layout, this.#folding, { window: w.name, bounds: w.bounds, dimensions: w.dimensions, partition: this.partition, correction: 0 }, w.state, {
      version,
      final,
      superseded,
      expires: w.bounds.end + retentionMs(w.sizeMs),
    });
  }
}

function windowKey(name: string, bounds: Window, dimensionKey: string): string {
  return `${name}\u0000${bounds.start}\u0000${bounds.end}\u0000${dimensionKey}`;
}

/** A record holding just the dimension values, for keyOf(). */
function dimensionRecord(layout: TableLayout, values: readonly DimensionValue[]): CleanRecord {
  return Object.fromEntries(layout.dimensions.map((name, i) => [name, values[i] ?? null]));
}
