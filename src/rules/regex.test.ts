import { describe, expect, it } from 'vitest';
import { rewrite } from '../rewrite/rewrite.js';
import { parseMessage } from '../sip/message.js';
import { parseRulesText } from './load.js';
import { compileRegex } from './regex.js';

/**
 * Patterns with the input that makes a backtracking engine try every way to split it: exponential
 * for the first three (the first passes a static star-height check), polynomial for the last.
 */
const n = 100_000;
const PATHOLOGICAL: [string, string][] = [
  ['(a|aa)*c', 'a'.repeat(n)],
  ['(a+)+$', `${'a'.repeat(n)}!`],
  ['(x*)*y', 'x'.repeat(n)],
  ['\\w*\\w*\\w*\\w*\\w*!', 'a'.repeat(n)],
];

describe('rule regexes run in linear time', () => {
  it.each(PATHOLOGICAL)('%s answers at once on 100,000 characters of its worst input', (source, input) => {
    const r = compileRegex(source, 'i');
    if (!r.ok) throw new Error(r.message);
    // On a backtracking engine none of these would return in this test's lifetime.
    expect(r.regex.test(input)).toBe(false);
    expect(input.replace(r.regex, '')).toBe(input);
  });

  it('keeps JavaScript semantics: flags, captures and $n in replacements', () => {
    const r = compileRegex('^([0-9a-f]+);encoding=(\\w+)$', 'i');
    if (!r.ok) throw new Error(r.message);
    expect('00C0FFEE;encoding=hex'.replace(r.regex, '$2:$1')).toBe('hex:00C0FFEE');
  });

  it('refuses what is no JavaScript regex, and what only backtracking can match, saying which', () => {
    expect(compileRegex('(')).toMatchObject({ ok: false, message: expect.stringContaining('invalid regex') });
    expect(compileRegex('(a)\\1')).toMatchObject({ ok: false, message: expect.stringContaining('needs backtracking') });
    expect(compileRegex('(?=a)a')).toMatchObject({ ok: false, message: expect.stringContaining('needs backtracking') });
  });

  it('a rule with a pathological regex rewrites a crafted 8 KB header at once', () => {
    const loaded = parseRulesText(
      JSON.stringify({
        peers: { a: { sources: ['10.0.0.1'], target: 'sip:10.0.0.1' }, b: { sources: ['10.0.0.2'], target: 'sip:10.0.0.2' } },
        rules: [
          {
            name: 'r',
            when: { header: { name: 'X-Tag', matches: '(a|aa)*c' } },
            actions: [{ action: 'replace', header: 'X-Tag', match: '(a|aa)*$', with: 'z' }],
          },
        ],
      }),
    );
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const crafted = parseMessage(`INVITE sip:x@y SIP/2.0\r\nCall-ID: 1\r\nCSeq: 1 INVITE\r\nX-Tag: ${'a'.repeat(8000)}\r\n\r\n`);
    const out = rewrite(loaded.value, crafted, { from: 'a', to: 'b' });
    expect(out.changes).toEqual([]);
  });
});
