/**
 * quoteString (services/shared/clickhouse/sql-literal.ts), the one escaping function for servers
 * without query parameters, against an independent reader of ClickHouse string literals: what the
 * server would read back must be the input, byte for byte, and nothing may follow the literal.
 */
import { describe, expect, it } from 'vitest';
import { quoteString } from '../../../services/shared/clickhouse/sql-literal.ts';
import { seededRandom } from '../../harness/seeded-random.ts';

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { '\\': 0x5c, "'": 0x27, n: 0x0a, r: 0x0d, t: 0x09, b: 0x08, f: 0x0c, a: 0x07, v: 0x0b, '0': 0x00 };

/**
 * Reads a single-quoted ClickHouse literal the way the server's parser does, over the statement's
 * UTF-8 bytes: `\xHH`, the C escapes, `\\`, `\'`, and `''`. Throws on an unknown escape (quoteString
 * never writes one), and when anything follows the closing quote: then the value escaped the
 * literal. Returns the literal's text and how many characters of `sql` it took.
 */
function readLiteral(sql: string): { value: string; length: number } {
  const bytes = new TextEncoder().encode(sql);
  if (bytes[0] !== 0x27) throw new Error('a literal starts with a quote');
  const out: number[] = [];
  let i = 1;
  for (;;) {
    if (i >= bytes.length) throw new Error('unterminated literal');
    const b = bytes[i]!;
    if (b === 0x27) {
      if (bytes[i + 1] === 0x27) {
        out.push(0x27);
        i += 2;
        continue;
      }
      i += 1;
      break;
    }
    if (b !== 0x5c) {
      out.push(b);
      i += 1;
      continue;
    }
    const e = String.fromCharCode(bytes[i + 1] ?? 0);
    if (e === 'x') {
      const hex = String.fromCharCode(bytes[i + 2] ?? 0, bytes[i + 3] ?? 0);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error(`bad \\x escape at byte ${i}`);
      out.push(parseInt(hex, 16));
      i += 4;
    } else if (e in SIMPLE_ESCAPES) {
      out.push(SIMPLE_ESCAPES[e]!);
      i += 2;
    } else {
      throw new Error(`unknown escape \\${e} at byte ${i}`);
    }
  }
  const value = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(new Uint8Array(out));
  return { value, length: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(0, i)).length };
}

/** The whole text must be one literal: decoded, and nothing after its closing quote. */
function decodeWhole(literal: string): string {
  const { value, length } = readLiteral(literal);
  if (length !== literal.length) throw new Error(`the literal ends at ${length} of ${literal.length}: ${JSON.stringify(literal.slice(length))} would be SQL`);
  return value;
}

/** Every quote inside the literal is preceded by an odd run of backslashes; the closing one by an even run. */
function quotesEscaped(literal: string): boolean {
  const body = literal.slice(1, -1);
  const backslashesBefore = (end: number) => {
    let n = 0;
    while (end - 1 - n >= 0 && body[end - 1 - n] === '\\') n++;
    return n;
  };
  for (let i = 0; i < body.length; i++) if (body[i] === "'" && backslashesBefore(i) % 2 === 0) return false;
  return backslashesBefore(body.length) % 2 === 0;
}

function checkProperties(input: string): void {
  const literal = quoteString(input);
  expect(literal.startsWith("'")).toBe(true);
  expect(literal.endsWith("'")).toBe(true);
  expect(quotesEscaped(literal)).toBe(true);
  // No control character, NUL among them, reaches the statement raw.
  expect(/[\u0000-\u001f\u007f]/.test(literal)).toBe(false);
  // What the server reads: a lone surrogate cannot be sent as UTF-8 (it becomes U+FFFD on the wire).
  expect(decodeWhole(literal)).toBe(input.toWellFormed());
}

const CORPUS = [
  '',
  "'",
  "''",
  "'''",
  '\\',
  '\\\\',
  "\\'",
  "\\\\'",
  "a\\",
  "trailing backslash \\",
  "'; DROP TABLE x; --",
  "x' OR '1'='1",
  "' -- comment",
  '-- comment',
  "/* ' */ SELECT 1",
  "*/ ' /*",
  "'; DROP TABLE x",
  "' FORMAT TSV",
  "' FORMAT Native --",
  "' SETTINGS readonly=0 --",
  'SETTINGS readonly=0',
  "{p0:String}'",
  '`backquoted`',
  '\u0000',
  "a\u0000'b",
  '\u0001\u0002\u001b[31m\u007f',
  'line\nbreak\r\n\ttab\u000b\u000c\u0008\u0007',
  '\\x27',
  '\\n',
  "\\x2'",
  'ünïcödé ñ 日本語',
  '😀 emoji 👩‍👩‍👧 zwj',
  '\u202egnp.exe \u200f RTL \u200e LTR',
  'ＤＲＯＰ ＴＡＢＬＥ',
  '\u2028\u2029',
  '\ufeffbom',
  '\ud800',
  'lone low \udc00 surrogate',
  "'\ud83d",
  '\\'.repeat(101),
  "'".repeat(1024),
];

describe('quoteString', () => {
  it.each(CORPUS.map((s) => [JSON.stringify(s).slice(0, 60), s]))('keeps %s a single literal that reads back as itself', (_name, input) => {
    checkProperties(input);
  });

  it('writes exactly these escapes', () => {
    expect(quoteString('')).toBe("''");
    expect(quoteString("it's")).toBe("'it\\'s'");
    expect(quoteString('a\\b')).toBe("'a\\\\b'");
    expect(quoteString("\\'")).toBe("'\\\\\\''");
    expect(quoteString('\\')).toBe("'\\\\'");
    expect(quoteString('\u0000\n\u007f')).toBe("'\\x00\\x0a\\x7f'");
    expect(quoteString('😀')).toBe("'😀'");
  });

  it('reads back 10 000 random strings exactly (seed 20261124)', () => {
    const random = seededRandom(20261124);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    const hostile = ["'", '\\', '\\\\', "\\'", "''", ';', '--', '/*', '*/', '`', '"', '{', '}', ' FORMAT ', ' SETTINGS '];
    const unit = (): string => {
      const r = random();
      if (r < 0.3) return pick(hostile);
      if (r < 0.45) return String.fromCharCode(Math.floor(random() * 0x20));
      if (r < 0.5) return '\u007f';
      if (r < 0.7) return String.fromCharCode(0x20 + Math.floor(random() * 0x5f));
      if (r < 0.85) return String.fromCharCode(0xa0 + Math.floor(random() * (0xd800 - 0xa0)));
      if (r < 0.95) return String.fromCodePoint(0x10000 + Math.floor(random() * 0xfffff));
      return String.fromCharCode(0xd800 + Math.floor(random() * 0x800)); // a surrogate half, often lone
    };
    for (let n = 0; n < 10_000; n++) {
      const length = Math.floor(random() * 24);
      let input = '';
      for (let i = 0; i < length; i++) input += unit();
      const literal = quoteString(input);
      // One expect per string would be slow: collect the first failure with its input.
      let decoded: string;
      try {
        decoded = decodeWhole(literal);
      } catch (error) {
        throw new Error(`string #${n} ${JSON.stringify(input)}: ${(error as Error).message}`);
      }
      if (decoded !== input.toWellFormed() || !quotesEscaped(literal) || /[\u0000-\u001f\u007f]/.test(literal)) {
        expect({ n, input, literal, decoded }).toBeUndefined();
      }
    }
  });

  it('the reader itself catches a literal that lets SQL out', () => {
    // Guards the guard: a naive escaper (quote doubled, backslash left alone) is caught.
    const naive = (s: string) => `'${s.replace(/'/g, "''")}'`;
    expect(() => decodeWhole(naive("\\'; DROP TABLE x; --"))).toThrow(/would be SQL/);
    expect(quotesEscaped("'a\\\\'b'")).toBe(false);
    expect(() => readLiteral("'\\q'")).toThrow(/unknown escape/);
  });
});
