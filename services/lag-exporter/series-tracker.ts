/**
 * The label sets a gauge exported at the last collection, so that those of groups and partitions
 * that disappeared are removed rather than left at their last value forever. A series of a group
 * that could not be read this time is kept (`keep`): a failed read is not a vanished group.
 */
export type Labels = Readonly<Record<string, string>>;

const keyOf = (labels: Labels): string => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));

export class SeriesTracker {
  #exported = new Map<string, Labels>();

  /** Records the series set now; returns the ones exported before that are gone and not kept. */
  update(current: Iterable<Labels>, keep: (labels: Labels) => boolean = () => false): Labels[] {
    const next = new Map<string, Labels>();
    for (const labels of current) next.set(keyOf(labels), labels);
    const removed: Labels[] = [];
    for (const [key, labels] of this.#exported) {
      if (next.has(key)) continue;
      if (keep(labels)) next.set(key, labels);
      else removed.push(labels);
    }
    this.#exported = next;
    return removed;
  }

  get size(): number {
    return this.#exported.size;
  }
}
