import { describe, expect, it } from 'vitest';
import { scanJson } from '../../../../services/gateway/http/json-scan.ts';

const spans = (text: string) => scanJson(text).events.map(([start, end]) => text.slice(start, end));

describe('scanJson', () => {
  it('finds the span of every event of a top-level array, whatever its JSON type', () => {
    const text = ' [ {"a":1,"b":{"c":[2,3]}} , "s\\"q", 5.5e3,true ,null, [1,[2]] ]';
    expect(spans(text)).toEqual(['{"a":1,"b":{"c":[2,3]}}', '"s\\"q"', '5.5e3', 'true', 'null', '[1,[2]]']);
  });

  it('finds the events of {"events": [...]} and ignores other arrays', () => {
    const text = '{"meta":[9,9],"events":[{"type":"a"},{"type":"b"}],"tail":[1]}';
    expect(spans(text)).toEqual(['{"type":"a"}', '{"type":"b"}']);
  });

  it('reports every repeated key with its JSON Pointer, escaped as RFC 6901 says', () => {
    const text = '[{"a":1,"a":2},{"x":{"y/z":1,"y/z":2,"m~n":[{"k":1,"k":2}],"m~n":0}},{"q\\u0022":1,"q\\"":2}]';
    expect(scanJson(text).duplicateKeys).toEqual(['/0/a', '/1/x/y~1z', '/1/x/m~0n/0/k', '/1/x/m~0n', '/2/q"']);
  });

  it('does not mistake string values, or strings with escaped quotes and backslashes, for keys', () => {
    const text = '[{"a":"a","b":"a\\\\","c":"\\\\\\"a\\"","a2":"\\"a\\":1"}]';
    expect(JSON.parse(text)).toBeTruthy();
    expect(scanJson(text).duplicateKeys).toEqual([]);
    expect(spans(text)).toEqual([text.slice(1, -1)]);
  });

  it('handles nesting far deeper than the call stack allows', () => {
    const depth = 200_000;
    const text = `[${'['.repeat(depth)}${']'.repeat(depth)}]`;
    expect(scanJson(text).events).toEqual([[1, text.length - 1]]);
  });

  it('finds nothing to report for a single object or a scalar document', () => {
    expect(scanJson('{"type":"x"}')).toEqual({ events: [], duplicateKeys: [] });
    expect(scanJson('42')).toEqual({ events: [], duplicateKeys: [] });
  });
});
