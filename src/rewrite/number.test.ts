import { describe, expect, it } from 'vitest';
import { compile, sip } from '../../test/fixtures.js';
import { parseMessage, serializeToBuffer } from '../sip/message.js';
import { rewrite } from './rewrite.js';

/** Two peers: a carrier in the US and a PBX in Great Britain, with the given rules. */
const rules = (actions: unknown[], when: object = {}) =>
  compile(
    JSON.stringify({
      peers: {
        us: { sources: ['127.0.0.2'], target: 'sip:127.0.0.2:5090', region: 'US' },
        gb: { sources: ['127.0.0.3'], target: 'sip:127.0.0.3:5090', region: 'GB' },
      },
      rules: [{ name: 'numbers', when, actions }],
    }),
  );

function through(r: ReturnType<typeof rules>, from: string, ...lines: string[]) {
  const result = rewrite(r, parseMessage(sip(...lines)), { from, to: from === 'us' ? 'gb' : 'us' });
  return { text: serializeToBuffer(result.message).toString('latin1'), changes: result.changes };
}

const head = (text: string) => text.split('\r\n\r\n')[0]?.split('\r\n') ?? [];

describe('number: E.164 from the sending peer region, exact bytes out', () => {
  it("a US carrier's national Request-URI, P-Asserted-Identity and Diversion become E.164; user parameters, host and URI parameters stay", () => {
    const r = rules([
      { action: 'number', header: 'Request-URI' },
      { action: 'number', header: 'P-Asserted-Identity' },
      { action: 'number', header: 'Diversion' },
    ]);
    const out = through(
      r,
      'us',
      'INVITE sip:3125550100;tgrp=TG-1;trunk-context=example.com@203.0.113.10:5060;user=phone SIP/2.0',
      'Call-ID: n1',
      'CSeq: 1 INVITE',
      'P-Asserted-Identity: "Front desk" <sip:(312)%20555-0199@carrier.example.com>, <tel:312-555-0199>',
      'Diversion: <sip:13125550111@carrier.example.com>;reason=unconditional',
    );
    expect(head(out.text)).toEqual([
      'INVITE sip:+13125550100;tgrp=TG-1;trunk-context=example.com@203.0.113.10:5060;user=phone SIP/2.0',
      'Call-ID: n1',
      'CSeq: 1 INVITE',
      'P-Asserted-Identity: "Front desk" <sip:+13125550199@carrier.example.com>, <tel:+13125550199>',
      'Diversion: <sip:+13125550111@carrier.example.com>;reason=unconditional',
      'Content-Length: 0',
    ]);
    expect(out.changes.map((c) => `${c.header}: ${c.detail}`)).toEqual([
      'Request-URI: "3125550100" -> "+13125550100" in Request-URI',
      'P-Asserted-Identity: "(312)%20555-0199" -> "+13125550199" in P-Asserted-Identity',
      'P-Asserted-Identity: "312-555-0199" -> "+13125550199" in P-Asserted-Identity',
      'Diversion: "13125550111" -> "+13125550111" in Diversion',
    ]);
  });

  it('a GB PBX: national 020 and international 0044 forms both become +44; a US number in E.164 stays as it is', () => {
    const r = rules([
      { action: 'number', header: 'Refer-To' },
      { action: 'number', header: 'Referred-By' },
      { action: 'number', header: 'From' },
    ]);
    const out = through(
      r,
      'gb',
      'REFER sip:agent@198.51.100.1 SIP/2.0',
      'From: <sip:02079460000@pbx.example.co.uk>;tag=1',
      'Call-ID: n2',
      'CSeq: 3 REFER',
      'Refer-To: <sip:004420%207946%200999@pbx.example.co.uk?User-to-User=00AB%3Bencoding%3Dhex>',
      'Referred-By: <sip:+13125550100@carrier.example.com>',
    );
    expect(head(out.text)).toEqual([
      'REFER sip:agent@198.51.100.1 SIP/2.0',
      'From: <sip:+442079460000@pbx.example.co.uk>;tag=1',
      'Call-ID: n2',
      'CSeq: 3 REFER',
      'Refer-To: <sip:+442079460999@pbx.example.co.uk?User-to-User=00AB%3Bencoding%3Dhex>',
      'Referred-By: <sip:+13125550100@carrier.example.com>',
      'Content-Length: 0',
    ]);
  });

  it('national form, for each region: the digits its own callers dial', () => {
    const r = rules([{ action: 'number', header: 'Request-URI', format: 'national' }]);
    expect(head(through(r, 'us', 'INVITE sip:+13125550100@h SIP/2.0', 'Call-ID: n3', 'CSeq: 1 INVITE').text)[0]).toBe('INVITE sip:3125550100@h SIP/2.0');
    expect(head(through(r, 'gb', 'INVITE tel:+442079460000 SIP/2.0', 'Call-ID: n4', 'CSeq: 1 INVITE').text)[0]).toBe('INVITE tel:02079460000 SIP/2.0');
  });

  it("the action's own region wins over the peer's", () => {
    const r = rules([{ action: 'number', header: 'Request-URI', region: 'DE' }]);
    expect(head(through(r, 'us', 'INVITE sip:015123456789@h SIP/2.0', 'Call-ID: n5', 'CSeq: 1 INVITE').text)[0]).toBe('INVITE sip:+4915123456789@h SIP/2.0');
  });

  it('tel: stays tel:, with its parameters', () => {
    const r = rules([{ action: 'number', header: 'Refer-To' }]);
    const out = through(r, 'us', 'REFER sip:a@h SIP/2.0', 'Call-ID: n6', 'CSeq: 3 REFER', 'Refer-To: <tel:312.555.0100;isub=1>');
    expect(head(out.text)[3]).toBe('Refer-To: <tel:+13125550100;isub=1>');
  });

  it('a user part that is no valid number (an extension, a name) is left exactly as it was, and the action says it skipped it', () => {
    const r = rules([
      { action: 'number', header: 'Request-URI' },
      { action: 'number', header: 'P-Asserted-Identity' },
    ]);
    const lines = ['INVITE sip:4000@pbx SIP/2.0', 'Call-ID: n7', 'CSeq: 1 INVITE', 'P-Asserted-Identity: <sip:reception@pbx>, <sip:+1555@pbx>'];
    const out = through(r, 'us', ...lines);
    expect(head(out.text)).toEqual([...lines, 'Content-Length: 0']);
    expect(out.changes).toEqual([
      { rule: 'numbers', action: 'number', header: 'Request-URI', detail: 'skipped: "4000" is no valid number in region US', skipped: true },
      { rule: 'numbers', action: 'number', header: 'P-Asserted-Identity', detail: 'skipped: "reception" is no valid number in region US', skipped: true },
      { rule: 'numbers', action: 'number', header: 'P-Asserted-Identity', detail: 'skipped: "+1555" is no valid number in region US', skipped: true },
    ]);
  });

  it('a URI with no user part has no number: nothing to do, nothing said', () => {
    const r = rules([{ action: 'number', header: 'Request-URI' }]);
    expect(through(r, 'us', 'OPTIONS sip:carrier.example.com SIP/2.0', 'Call-ID: n8', 'CSeq: 1 OPTIONS').changes).toEqual([]);
  });

  it('with no region anywhere, only numbers with a country code can be read', () => {
    const r = compile(
      JSON.stringify({
        peers: { a: { sources: ['127.0.0.2'], target: 'sip:127.0.0.2' }, b: { sources: ['127.0.0.3'], target: 'sip:127.0.0.3' } },
        rules: [{ name: 'n', actions: [{ action: 'number', header: 'P-Asserted-Identity' }] }],
      }),
    );
    const m = parseMessage(
      sip('INVITE sip:x@h SIP/2.0', 'Call-ID: n9', 'CSeq: 1 INVITE', 'P-Asserted-Identity: <sip:3125550100@h>, <sip:+1%20312%20555%200100@h>'),
    );
    const out = rewrite(r, m, { from: 'a', to: 'b' });
    expect(out.message.headers[2]?.value).toBe('<sip:3125550100@h>, <sip:+13125550100@h>');
    expect(out.changes[0]?.detail).toBe('skipped: "3125550100" is no valid number (and there is no region to read it in)');
  });
});
