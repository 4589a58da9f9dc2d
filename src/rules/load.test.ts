import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PRESET_PATH } from '../../test/fixtures.js';
import { parseRulesText } from './load.js';

const peers = {
  genesys: { sources: ['127.0.0.2'], target: 'sip:127.0.0.2:5090' },
  kore: { sources: ['127.0.0.3'], target: 'sip:127.0.0.3:5090' },
};

function errorsOf(file: unknown): string[] {
  const r = parseRulesText(typeof file === 'string' ? file : JSON.stringify(file));
  if (r.ok) return [];
  return r.errors.map((e) => `${e.path}: ${e.message}`);
}

describe('loading a rules file', () => {
  it('accepts the Kore <-> Genesys preset and lists the names to emit verbatim', () => {
    const r = parseRulesText(readFileSync(PRESET_PATH, 'utf8'));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.emittedNames).toEqual(['User-to-User']);
      expect([...r.value.peers.values()].map((p) => [p.name, p.relayTo])).toEqual([
        ['genesys', 'kore'],
        ['kore', 'genesys'],
      ]);
    }
  });

  it('names the JSON path of a syntax error', () => {
    expect(errorsOf('{"peers": ')[0]).toMatch(/^\$: not valid JSON/);
  });

  it.each([
    [{ peers, rules: [{ name: 'r', actions: [{ action: 'case' }] }] }, '$.rules[0].actions[0]: missing required property "header"'],
    [
      { peers, rules: [{ name: 'r', actions: [{ action: 'upcase', header: 'X' }] }] },
      '$.rules[0].actions[0].action: unknown action "upcase": must be one of case, remove, set, add, replace, to-uri, from-uri, single',
    ],
    [{ peers, rules: [{ name: 'r', actions: [{ action: 'case', header: 'User to User' }] }] }, '$.rules[0].actions[0].header: does not match'],
    [
      { peers, rules: [{ name: 'r', when: { message: 'reply' }, actions: [{ action: 'remove', header: 'X' }] }] },
      '$.rules[0].when.message: must be one of "request", "response"',
    ],
    [{ peers, rules: [{ name: 'r', colour: 1, actions: [{ action: 'remove', header: 'X' }] }] }, '$.rules[0].colour: unknown property'],
    [{ peers, rules: [{ name: 'r', actions: [{ action: 'set', header: 'X', value: 'a\r\nVia: evil' }] }] }, '$.rules[0].actions[0].value: does not match'],
    [{ peers: {}, rules: [] }, '$.peers: must NOT have fewer than 1 properties'],
  ])('refuses a bad shape with its path: %#', (file, expected) => {
    expect(errorsOf(file).join('\n')).toContain(expected);
  });

  it.each([
    [{ peers, rules: [{ name: 'r', actions: [{ action: 'number', header: 'To' }] }] }, '$.rules[0].actions[0].header: must be one of'],
    [{ peers, rules: [{ name: 'r', actions: [{ action: 'number', header: 'From', region: 'XX' }] }] }, '$.rules[0].actions[0].region: "XX" is no region'],
    [{ peers, rules: [{ name: 'r', actions: [{ action: 'number', header: 'From', region: 'us' }] }] }, '$.rules[0].actions[0].region: does not match'],
    [
      { peers, rules: [{ name: 'r', actions: [{ action: 'number', header: 'From', format: 'local' }] }] },
      '$.rules[0].actions[0].format: must be one of "e164", "national"',
    ],
    [{ peers, rules: [{ name: 'r', actions: [{ action: 'allow', headers: ['X-Ok', 'not a name'] }] }] }, '$.rules[0].actions[0].headers[1]: does not match'],
    [{ peers, rules: [{ name: 'r', actions: [{ action: 'allow' }] }] }, '$.rules[0].actions[0]: missing required property "headers"'],
    [{ peers: { ...peers, kore: { ...peers.kore, region: 'ZZ' } }, rules: [] }, '$.peers.kore.region: "ZZ" is no region'],
    [{ peers: { ...peers, kore: { ...peers.kore, platform: 'avaya' } }, rules: [] }, '$.peers.kore.platform: must be one of "genesys"'],
  ])('new actions and peer fields: %j names its path', (file, message) => {
    expect(
      errorsOf(file).some((e) => e.startsWith(message)),
      errorsOf(file).join('\n'),
    ).toBe(true);
  });

  it.each([
    [
      { peers, rules: [{ name: 'r', when: { to: 'genesis' }, actions: [{ action: 'remove', header: 'X' }] }] },
      '$.rules[0].when.to: "genesis" is not a configured peer',
    ],
    [
      { peers, rules: [{ name: 'r', when: { from: ['kore', 'nobody'] }, actions: [{ action: 'remove', header: 'X' }] }] },
      '$.rules[0].when.from[1]: "nobody" is not a configured peer',
    ],
    [{ peers, rules: [{ name: 'r', actions: [{ action: 'replace', header: 'X', match: '(', with: '' }] }] }, '$.rules[0].actions[0].match: invalid regex'],
    [
      { peers, rules: [{ name: 'r', actions: [{ action: 'replace', header: 'X', match: '(a)\\1', with: '' }] }] },
      '$.rules[0].actions[0].match: regex "(a)\\\\1" needs backtracking',
    ],
    [
      { peers, rules: [{ name: 'r', when: { header: { name: 'X', matches: '(?<=x)y' } }, actions: [{ action: 'remove', header: 'X' }] }] },
      '$.rules[0].when.header.matches: regex "(?<=x)y" needs backtracking',
    ],
    [
      { peers, rules: [{ name: 'r', when: { message: 'request', status: ['2xx'] }, actions: [{ action: 'remove', header: 'X' }] }] },
      '$.rules[0].when.status: a status only matches responses',
    ],
    [{ peers, rules: [{ name: 'r', actions: [{ action: 'to-uri', header: 'refer-to' }] }] }, '$.rules[0].actions[0].header: cannot embed Refer-To in itself'],
    [
      { peers, rules: [{ name: 'r', actions: [{ action: 'embed', header: 'User-to-User', value: 'x${header:X-UUI|uri}' }] }] },
      '$.rules[0].actions[0].value: embed %-encodes the value itself: ${header:X-UUI|uri} would be encoded twice (drop |uri)',
    ],
    [
      {
        peers,
        rules: [
          { name: 'r', actions: [{ action: 'remove', header: 'X' }] },
          { name: 'r', actions: [{ action: 'remove', header: 'Y' }] },
        ],
      },
      '$.rules[1].name: rule name "r" is used twice',
    ],
    [
      { peers: { ...peers, kore: { sources: ['127.0.0.999'], target: 'sip:h' } }, rules: [] },
      '$.peers.kore.sources[0]: "127.0.0.999" is not an IP address or CIDR range',
    ],
    [{ peers: { ...peers, kore: { sources: ['127.0.0.0/24'], target: 'sip:h' } }, rules: [] }, '$.peers.kore.sources[0]: overlaps $.peers.genesys.sources[0]'],
    [
      { peers: { ...peers, kore: { sources: ['10.0.0.1'], target: 'sip:h;transport=sctp' } }, rules: [] },
      '$.peers.kore.target: transport "sctp" is not one of udp, tcp, tls',
    ],
    [{ peers: { ...peers, kore: { sources: ['10.0.0.1'], target: 'sip:' } }, rules: [] }, '$.peers.kore.target: must be a SIP URI with a host'],
    [
      { peers: { ...peers, third: { sources: ['10.0.0.1'], target: 'sip:h' } }, rules: [] },
      '$.peers.genesys: relayTo is required when there are not exactly two peers',
    ],
    // A name every object inherits is no peer (its INVITEs would have nowhere to go).
    [{ peers: { ...peers, kore: { ...peers.kore, relayTo: 'toString' } }, rules: [] }, '$.peers.kore.relayTo: "toString" is not another configured peer'],
    [{ peers: { ...peers, kore: { ...peers.kore, relayTo: '__proto__' } }, rules: [] }, '$.peers.kore.relayTo: "__proto__" is not another configured peer'],
  ])('refuses a bad meaning with its path: %#', (file, expected) => {
    expect(errorsOf(file).join('\n')).toContain(expected);
  });

  it('reports every error of a file at once', () => {
    const errors = errorsOf({ peers, rules: [{ name: 'a', when: { to: 'x' }, actions: [{ action: 'replace', header: 'X', match: '(', with: '' }] }] });
    expect(errors).toHaveLength(2);
  });

  it('skips disabled rules', () => {
    const r = parseRulesText(JSON.stringify({ peers, rules: [{ name: 'off', enabled: false, actions: [{ action: 'case', header: 'X-a' }] }] }));
    expect(r.ok && r.value.ruleCount).toBe(0);
  });
});
