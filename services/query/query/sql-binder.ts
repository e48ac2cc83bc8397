/**
 * How values reach ClickHouse: as bound query parameters (`{p0:String}`, sent apart from the
 * statement as `param_p0`) where the server supports them (19.11.3 and later, and chDB), else as
 * literals made by the one tested escaping function. Either way a value can never become SQL.
 */
import { quoteString } from '../../shared/clickhouse/sql-literal.ts';

export interface SqlBinder {
  /** A text value. */
  text(value: string): string;
  /** A whole number (already checked to be a safe integer). */
  int(value: number): string;
  /** The parameters to send with the statement; undefined when values were inlined. */
  params(): Record<string, string | number> | undefined;
}

export function createBinder(bindParameters: boolean): SqlBinder {
  const params: Record<string, string | number> = {};
  let next = 0;
  const int = (value: number): string => {
    if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
    return String(value);
  };
  return {
    text(value) {
      if (!bindParameters) return quoteString(value);
      const name = `p${next++}`;
      params[name] = value;
      return `{${name}:String}`;
    },
    int,
    params: () => (bindParameters && next > 0 ? { ...params } : undefined),
  };
}
