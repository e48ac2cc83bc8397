/** What `weir verify` prints: a summary, then the first problems with expected and actual values. */
import type { MeasureCheck, WindowProblem } from './compare-windows.ts';
import type { VerifyOutcome } from './verify-windows.ts';

export const LISTED_PROBLEMS = 20;

export interface ReportHeader {
  readonly type: string;
  /** `db.agg_<type>` on the server. */
  readonly table: string;
  /** The range in words: "all windows", "windows starting from ... to ...". */
  readonly range: string;
}

const PROBLEM_TEXT: Record<WindowProblem['kind'], string> = {
  mismatch: 'differs',
  missing_in_clickhouse: 'missing in ClickHouse',
  only_in_clickhouse: 'only in ClickHouse (not recomputed from the topic)',
};

export function windowLabel(p: WindowProblem): string {
  const dimensions = Object.entries(p.dimensions).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return [p.window, p.start.replace('.000Z', 'Z'), ...(dimensions.length === 0 ? ['(all)'] : dimensions)].join(' ');
}

const valueText = (v: number | null) => (v === null ? 'null' : String(v));

function measureText(c: MeasureCheck): string {
  return `${c.name} expected ${valueText(c.expected)}, ClickHouse ${valueText(c.actual)}${c.verdict === 'within_bound' ? ' (within bound)' : ''}`;
}

export function renderReport(header: ReportHeader, outcome: VerifyOutcome): string[] {
  const { counts, comparison: c } = outcome;
  const lines = [
    `${header.table} against ${outcome.topic} (${header.range}):`,
    `  recomputed from   ${counts.records} record(s) in ${outcome.partitions} partition(s): ${counts.folded} folded, ${counts.corrected} as corrections, ${counts.lateDeadLettered} late (dead-lettered, in no window), ${counts.undecodable} undecodable`,
    `  windows checked   ${c.checked}`,
    `  exact             ${c.exact}`,
    `  within bound      ${c.withinBound}`,
    `  mismatched        ${c.mismatched}`,
    `  missing           ${c.missingInClickHouse} in ClickHouse, ${c.onlyInClickHouse} only in ClickHouse`,
  ];
  if (outcome.notYetAggregated > 0) lines.push(`  not checked       ${outcome.notYetAggregated} offset(s) the aggregator had not written yet`);
  for (const t of outcome.truncated) lines.push(`  note: partition ${t.partition} starts at offset ${t.firstOffset} (older records deleted): windows with deleted records cannot match`);
  if (!outcome.settled) lines.push('  note: the aggregator kept writing while this ran; windows at its edge may differ: run again');
  if (c.problems.length > 0) {
    const shown = c.problems.slice(0, LISTED_PROBLEMS);
    lines.push('', `Problems${c.problems.length > shown.length ? ` (the first ${shown.length} of ${c.problems.length})` : ''}:`);
    for (const p of shown) {
      lines.push(`  ${windowLabel(p)}: ${PROBLEM_TEXT[p.kind]}`);
      const listed = p.kind === 'mismatch' ? p.measures : p.measures.filter((m) => m.kind === 'count');
      for (const m of listed.length > 0 ? listed : p.measures.slice(0, 1)) lines.push(`    ${measureText(m)}`);
    }
  } else {
    lines.push('', c.checked === 0 ? 'No windows to compare.' : `Every window matches${c.withinBound > 0 ? ' (some within the sketches\' bounds)' : ''}.`);
  }
  return lines;
}

export function reportJson(header: ReportHeader, outcome: VerifyOutcome) {
  const { comparison: c } = outcome;
  return {
    ...header,
    topic: outcome.topic,
    partitions: outcome.partitions,
    records: outcome.counts,
    notYetAggregated: outcome.notYetAggregated,
    truncated: outcome.truncated,
    settled: outcome.settled,
    windows: { checked: c.checked, exact: c.exact, withinBound: c.withinBound, mismatched: c.mismatched, missingInClickHouse: c.missingInClickHouse, onlyInClickHouse: c.onlyInClickHouse },
    ok: c.problems.length === 0,
    problems: c.problems.slice(0, LISTED_PROBLEMS).map((p) => ({ ...p, label: windowLabel(p) })),
  };
}
