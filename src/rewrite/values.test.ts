/** The user part of a URI, read in one pass whatever a peer puts in a header. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findBracketedUri } from '../sip/name-addr.js';
import { uriUser } from './values.js';

/** What uriUser means, as the regex it replaced said it (quadratic: seconds on 60 KB of `sip:sip:…`). */
function byRegex(text: string): string | undefined {
  return /sips?:([^@;?>]+)(?:;[^@?>]*)?@/i.exec(findBracketedUri(text)?.uri ?? text)?.[1];
}

describe('uriUser', () => {
  it('reads the user of the first SIP URI that has one, without its parameters', () => {
    expect(uriUser('"A" <sip:+1555;npdi;rn=x@h;user=phone>;tag=1')).toBe('+1555');
    expect(uriUser('sips:alice@h')).toBe('alice');
    expect(uriUser('<sip:host>')).toBeUndefined();
    expect(uriUser('sip:@h sip:bob@h')).toBe('bob');
  });

  it('means what the regex it replaced meant, on any mix of the characters that matter', () => {
    const text = fc.string({ unit: fc.constantFrom('s', 'S', 'i', 'p', ':', '@', ';', '?', '<', '>', '"', 'a', '1'), maxLength: 40 });
    fc.assert(
      fc.property(text, (t) => {
        expect(uriUser(t)).toBe(byRegex(t));
      }),
      { numRuns: 5000 },
    );
  });

  it('1 MB of schemes with no user (sip:sip:…, sip:a;sip:a;…) is read in one pass, not one pass a scheme', () => {
    // The regex took 3 s on 60 KB of these; on 1 MB it would run for many minutes (the test's limit ends it).
    expect(uriUser('sip:'.repeat(250_000))).toBeUndefined();
    expect(uriUser('sip:a;'.repeat(170_000))).toBeUndefined();
  });
});
