/**
 * The one function that puts a text value into ClickHouse SQL as a literal, for servers without
 * query parameters (ClickHouse 18.x) and for names weir itself made. Where the server binds
 * parameters, values go as `{name:Type}` instead (see services/query/query/sql-binder.ts).
 *
 * Inside single quotes ClickHouse reads backslash escapes; escaping the backslash and the quote
 * closes every way out of the literal, and control characters (NUL among them) are written as
 * \xHH so that no byte of the statement is anything but printable or the value's own UTF-8.
 */
export function quoteString(value: string): string {
  // eslint-disable-next-line no-control-regex
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
}
