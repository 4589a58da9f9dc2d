import { describe, expect, it } from 'vitest';
import { golden, presetRules, rulesFor, sip, vector } from '../../test/fixtures.js';
import { parseMessage, serializeToBuffer } from '../sip/message.js';
import { rewrite } from './rewrite.js';

const preset = presetRules();

function through(bytes: Buffer, from: string, to: string, rules = preset): string {
  return serializeToBuffer(rewrite(rules, parseMessage(bytes), { from, to }).message).toString('latin1');
}

/** Lines of the head that name UUI, in any case, as header or embedded. */
function uuiMentions(text: string): string[] {
  const head = text.split('\r\n\r\n')[0] as string;
  return head.split('\r\n').filter((l) => /user-to-user/i.test(l));
}

describe('preset Kore -> Genesys: golden vectors, exact bytes out', () => {
  it.each([
    ['kore-invite-uui.sip', 'kore-invite-uui.to-genesys.sip'],
    ['kore-refer-uui-header.sip', 'kore-refer-uui-header.to-genesys.sip'],
    ['kore-refer-uui-uri.sip', 'kore-refer-uui-uri.to-genesys.sip'],
    ['kore-refer-uui-both.sip', 'kore-refer-uui-both.to-genesys.sip'],
  ])('%s', (input, expected) => {
    expect(through(vector(input), 'kore', 'genesys')).toBe(golden(expected).toString('latin1'));
  });

  it('INVITE: exactly one UUI header, named exactly User-to-User, value and body byte-identical', () => {
    const out = through(vector('kore-invite-uui.sip'), 'kore', 'genesys');
    expect(uuiMentions(out)).toEqual(['User-to-User: 00436F6E74657874313233;encoding=hex;purpose=isdn-uui;content=isdn-uui']);
    expect(out.split('\r\n\r\n')[1]).toBe(vector('kore-invite-uui.sip').toString('latin1').split('\r\n\r\n')[1]);
  });

  it.each(['kore-refer-uui-header.sip', 'kore-refer-uui-uri.sip', 'kore-refer-uui-both.sip'])(
    'REFER %s: UUI only in Refer-To, exact case, %-encoded value',
    (input) => {
      expect(uuiMentions(through(vector(input), 'kore', 'genesys'))).toEqual([
        'Refer-To: <sip:+14445556666@byoc.example.pure.cloud?User-to-User=XXcfo%7C64f0c3a1e2b74d1c9c2a%3Bencoding%3Dascii>',
      ]);
    },
  );
});

describe('preset: exactly one UUI toward Genesys', () => {
  it('drops an x-User-to-User copy when User-to-User is there too', () => {
    const m = sip('INVITE sip:b@h SIP/2.0', 'CSeq: 1 INVITE', 'x-User-to-User: 00AB;encoding=hex', 'User-To-User: 00AB;encoding=hex');
    expect(uuiMentions(through(m, 'kore', 'genesys'))).toEqual(['User-to-User: 00AB;encoding=hex']);
  });

  it('keeps an x-User-to-User that is the only UUI (Genesys reads that form too)', () => {
    const m = sip('INVITE sip:b@h SIP/2.0', 'CSeq: 1 INVITE', 'x-User-to-User: 00AB;encoding=hex');
    expect(uuiMentions(through(m, 'kore', 'genesys'))).toEqual(['x-User-to-User: 00AB;encoding=hex']);
  });
});

describe('preset Genesys -> Kore', () => {
  it('gives the lower-case user-to-user its canonical name and touches nothing else', () => {
    expect(through(vector('genesys-invite.sip'), 'genesys', 'kore')).toBe(golden('genesys-invite.to-kore.sip').toString('latin1'));
  });

  it('relays the sipfrag NOTIFY byte for byte', () => {
    expect(through(vector('genesys-notify-sipfrag.sip'), 'genesys', 'kore')).toBe(vector('genesys-notify-sipfrag.sip').toString('latin1'));
  });
});

describe('actions', () => {
  const msg = sip('INVITE sip:b@h SIP/2.0', 'CSeq: 1 INVITE', 'x-a: 1', 'X-A: 2', 'Subject: hello world', 'Content-Length: 0');
  const run = (actions: unknown[], when?: unknown, m = msg) =>
    rewrite(rulesFor([{ name: 'r', ...(when ? { when } : {}), actions }]), parseMessage(m), { from: 'a', to: 'b' });
  const head = (r: ReturnType<typeof run>) => r.message.headers.map((h) => `${h.name}: ${h.value}`);

  it('case renames every copy, matching case-insensitively', () => {
    const r = run([{ action: 'case', header: 'X-a' }]);
    expect(head(r)).toContain('X-a: 1');
    expect(head(r)).toContain('X-a: 2');
    expect(r.changes.map((c) => c.detail)).toEqual(['x-a -> X-a', 'X-A -> X-a']);
  });

  it('case expands a compact form to the name written', () => {
    const r = run([{ action: 'case', header: 'Subject' }], undefined, sip('MESSAGE sip:b@h SIP/2.0', 'CSeq: 1 MESSAGE', 's: hi'));
    expect(head(r)).toEqual(['CSeq: 1 MESSAGE', 'Subject: hi']);
  });

  it('remove drops every copy', () => {
    expect(head(run([{ action: 'remove', header: 'X-A' }]))).toEqual(['CSeq: 1 INVITE', 'Subject: hello world', 'Content-Length: 0']);
  });

  it('set replaces the first copy, drops the rest, and adds before Content-Length when absent', () => {
    expect(head(run([{ action: 'set', header: 'X-A', value: 'v' }]))).toEqual(['CSeq: 1 INVITE', 'X-A: v', 'Subject: hello world', 'Content-Length: 0']);
    expect(head(run([{ action: 'set', header: 'X-New', value: 'v' }])).slice(-2)).toEqual(['X-New: v', 'Content-Length: 0']);
  });

  it('add appends one more copy', () => {
    expect(head(run([{ action: 'add', header: 'X-A', value: '3' }])).filter((l) => /^x-a/i.test(l))).toEqual(['x-a: 1', 'X-A: 2', 'X-A: 3']);
  });

  it('replace rewrites values by regex with capture groups', () => {
    expect(head(run([{ action: 'replace', header: 'subject', match: '^(\\w+) (\\w+)$', with: '$2 $1' }]))).toContain('Subject: world hello');
  });

  it('single keeps the first or the last copy', () => {
    expect(head(run([{ action: 'single', header: 'X-A' }])).filter((l) => /^x-a/i.test(l))).toEqual(['x-a: 1']);
    expect(head(run([{ action: 'single', header: 'X-A', keep: 'last' }])).filter((l) => /^x-a/i.test(l))).toEqual(['X-A: 2']);
  });

  it('single also leaves one copy among the headers embedded in a URI', () => {
    const m = sip('REFER sip:b@h SIP/2.0', 'CSeq: 2 REFER', 'Refer-To: <sip:c@h?X-U=1&x-u=2&Other=3>');
    expect(head(run([{ action: 'single', header: 'X-U' }], undefined, m))).toContain('Refer-To: <sip:c@h?X-U=1&Other=3>');
  });

  it('case reaches headers embedded in a 3xx Contact', () => {
    const m = sip('SIP/2.0 302 Moved', 'CSeq: 1 INVITE', 'Contact: <sip:c@h?user-to-user=00AB>, <sip:d@h>');
    expect(head(run([{ action: 'case', header: 'User-to-User' }], undefined, m))).toContain('Contact: <sip:c@h?User-to-User=00AB>, <sip:d@h>');
  });

  it('to-uri with prefer=header replaces the URI copy with the header line', () => {
    const m = sip('REFER sip:b@h SIP/2.0', 'CSeq: 2 REFER', 'Refer-To: <sip:c@h?x-u=old>', 'X-U: new value');
    expect(head(run([{ action: 'to-uri', header: 'X-U', prefer: 'header' }], undefined, m))).toEqual(['CSeq: 2 REFER', 'Refer-To: <sip:c@h?X-U=new%20value>']);
  });

  it('to-uri leaves the header alone when there is no bracketed Refer-To URI', () => {
    const m = sip('REFER sip:b@h SIP/2.0', 'CSeq: 2 REFER', 'Refer-To: sip:c@h', 'X-U: v');
    expect(run([{ action: 'to-uri', header: 'X-U' }], undefined, m).changes).toEqual([]);
  });

  it('from-uri lifts an embedded header into a decoded header line', () => {
    const m = sip('REFER sip:b@h SIP/2.0', 'CSeq: 2 REFER', 'Refer-To: <sip:c@h?user-to-user=XXa%7Cb%3Bencoding%3Dascii&Other=1>', 'Content-Length: 0');
    expect(head(run([{ action: 'from-uri', header: 'User-to-User' }], undefined, m))).toEqual([
      'CSeq: 2 REFER',
      'Refer-To: <sip:c@h?Other=1>',
      'User-to-User: XXa|b;encoding=ascii',
      'Content-Length: 0',
    ]);
  });

  it('from-uri never lets an escaped CR LF become a header line of its own', () => {
    const m = sip('REFER sip:b@h SIP/2.0', 'CSeq: 2 REFER', 'Refer-To: <sip:c@h?X-U=a%0D%0AVia:%20SIP/2.0/UDP%20evil>');
    const r = run([{ action: 'from-uri', header: 'X-U' }], undefined, m);
    expect(head(r)).toEqual(['CSeq: 2 REFER', 'Refer-To: <sip:c@h?X-U=a%0D%0AVia:%20SIP/2.0/UDP%20evil>']);
    expect(r.changes[0]?.detail).toBe('refused to move out of Refer-To URI: decodes to CR, LF or NUL');
    expect(
      serializeToBuffer(r.message)
        .toString('latin1')
        .split('\r\n')
        .filter((l) => l.startsWith('Via')),
    ).toEqual([]);
  });
});

describe('scope', () => {
  const invite = sip('INVITE sip:b@h SIP/2.0', 'CSeq: 1 INVITE', 'X-A: 1');
  const busy = sip('SIP/2.0 486 Busy Here', 'CSeq: 1 INVITE', 'X-A: 1');
  const bye = sip('BYE sip:b@h SIP/2.0', 'CSeq: 2 BYE', 'X-A: 1');
  const applies = (when: unknown, m: Buffer, from = 'a', to = 'b') =>
    rewrite(rulesFor([{ name: 'r', when, actions: [{ action: 'remove', header: 'X-A' }] }]), parseMessage(m), { from, to }).changes.length > 0;

  it('by direction', () => {
    expect(applies({ from: 'a', to: 'b' }, invite)).toBe(true);
    expect(applies({ from: 'b' }, invite)).toBe(false);
    expect(applies({ to: ['a', 'b'] }, invite, 'b', 'a')).toBe(true);
  });

  it('by method, for responses the CSeq method', () => {
    expect(applies({ methods: ['invite'] }, invite)).toBe(true);
    expect(applies({ methods: ['INVITE'] }, busy)).toBe(true);
    expect(applies({ methods: ['INVITE'] }, bye)).toBe(false);
  });

  it('by request or response, and status code or class', () => {
    expect(applies({ message: 'request' }, busy)).toBe(false);
    expect(applies({ status: ['4xx'] }, busy)).toBe(true);
    expect(applies({ status: ['486'] }, busy)).toBe(true);
    expect(applies({ status: ['2xx', '480'] }, busy)).toBe(false);
    expect(applies({ status: ['4xx'] }, invite)).toBe(false);
  });

  it('by a header present or matching a regex', () => {
    expect(applies({ header: { name: 'x-a' } }, invite)).toBe(true);
    expect(applies({ header: { name: 'X-B' } }, invite)).toBe(false);
    expect(applies({ header: { name: 'X-A', matches: '^1$' } }, invite)).toBe(true);
    expect(applies({ header: { name: 'X-A', matches: '^2$' } }, invite)).toBe(false);
  });
});

describe('preset: the hand-off with no bot code (Genesys INVITE UUI into a bare REFER)', () => {
  const memoryAfter = (invite: Buffer) => rewrite(preset, parseMessage(invite), { from: 'genesys', to: 'kore' }).remembered;

  it("a REFER with no UUI gets the UUI of the call's INVITE embedded in Refer-To, value unchanged: exact bytes", () => {
    const memory = memoryAfter(vector('genesys-invite.sip'));
    expect([...memory]).toEqual([['genesysUui', '00A1B2C3;encoding=hex']]);
    const out = rewrite(preset, parseMessage(vector('kore-refer-no-uui.sip')), { from: 'kore', to: 'genesys', memory }).message;
    expect(serializeToBuffer(out).toString('latin1')).toBe(golden('kore-refer-no-uui.after-genesys-invite.to-genesys.sip').toString('latin1'));
  });

  it('a REFER that carries UUI keeps working exactly as without memory', () => {
    const memory = memoryAfter(vector('genesys-invite.sip'));
    for (const input of ['kore-refer-uui-header.sip', 'kore-refer-uui-uri.sip', 'kore-refer-uui-both.sip']) {
      const out = rewrite(preset, parseMessage(vector(input)), { from: 'kore', to: 'genesys', memory }).message;
      expect(serializeToBuffer(out).toString('latin1'), input).toBe(golden(input.replace('.sip', '.to-genesys.sip')).toString('latin1'));
    }
  });

  it('a call whose INVITE carried no UUI: the bare REFER leaves as it came (the embed is skipped, and says why)', () => {
    const invite = sip('INVITE sip:+1555@h SIP/2.0', 'CSeq: 1 INVITE', 'Call-ID: c1');
    const memory = memoryAfter(invite);
    expect(memory.size).toBe(0);
    const r = rewrite(preset, parseMessage(vector('kore-refer-no-uui.sip')), { from: 'kore', to: 'genesys', memory });
    expect(serializeToBuffer(r.message).toString('latin1')).toBe(vector('kore-refer-no-uui.sip').toString('latin1'));
    expect(r.changes).toEqual([
      { rule: 'uui-from-invite-into-refer', action: 'embed', header: 'User-to-User', detail: 'skipped: ${memory.genesysUui} has no value', skipped: true },
    ]);
  });

  it('Genesys sending only x-User-to-User: that value is the one carried; with both, User-to-User', () => {
    const only = sip('INVITE sip:+1555@h SIP/2.0', 'CSeq: 1 INVITE', 'x-User-to-User: 00AA;encoding=hex');
    expect(memoryAfter(only).get('genesysUui')).toBe('00AA;encoding=hex');
    const both = sip('INVITE sip:+1555@h SIP/2.0', 'CSeq: 1 INVITE', 'User-to-User: 00BB;encoding=hex', 'x-User-to-User: 00AA;encoding=hex');
    expect(memoryAfter(both).get('genesysUui')).toBe('00BB;encoding=hex');
  });
});
