import { describe, expect, it } from 'vitest';
import { compileSafeRegex } from '../../../../services/processor/pipeline/safe-regex.ts';

const problemOf = (source: string) => {
  const compiled = compileSafeRegex(source);
  return 'problem' in compiled ? compiled.problem : undefined;
};

describe('compileSafeRegex', () => {
  it.each([
    '^[a-z0-9-]+$',
    '^(unmatched|/[^\\s?#]*)$',
    '^[0-9a-f]{32}$',
    '^(\\d{1,3}\\.){3}\\d{1,3}$',
    '^(?:ab)+$',
    '^(?<year>\\d{4})-(?<month>\\d{2})$',
    '^\\p{Lu}\\p{Ll}*$',
    '^\\u{1F600}+$',
    '^[(+*]+\\)$',
    '^a(?=b)',
    '^(?:[a-z]|[0-9])$',
    '^(a{1,2}){1,3}$',
  ])('accepts %s', (source) => {
    expect(problemOf(source)).toBeUndefined();
  });

  it.each([
    ['^(a+)+$', 'holds a repetition'],
    ['^(a*)*$', 'holds a repetition'],
    ['^(?:a|ab)*$', 'holds an alternation'],
    ['^((a|b)c)+$', 'holds an alternation'],
    ['^(\\w+\\s?)*$', 'holds a repetition'],
    ['^(a{2})+$', 'holds a repetition'],
    ['^(a+){2,}$', 'holds a repetition'],
    ['(x+x+)+y', 'holds a repetition'],
    ['^(a)\\1$', 'backreference'],
    ['^(?<x>a)\\k<x>$', 'backreference'],
    ['[', 'does not compile'],
    ['a{2', 'does not compile'],
    ['(?<!', 'does not compile'],
  ])('refuses %s', (source, problem) => {
    expect(problemOf(source)).toContain(problem);
  });

  it('compiles with the u flag, so that code points count as one character', () => {
    const compiled = compileSafeRegex('^.$');
    expect('regex' in compiled && compiled.regex.flags).toBe('u');
    expect('regex' in compiled && compiled.regex.test('😀')).toBe(true);
  });
});
