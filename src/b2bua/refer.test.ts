import { describe, expect, it } from 'vitest';
import { vector } from '../../test/fixtures.js';
import { parseMessage } from '../sip/message.js';
import { transferEvent } from './refer.js';

describe('the REFER path in the logs', () => {
  it('names the transfer target of a REFER', () => {
    expect(transferEvent(parseMessage(vector('kore-refer-uui-uri.sip')))).toEqual({
      kind: 'refer',
      referTo: '<sip:+14445556666@byoc.example.pure.cloud?User-To-User=XXcfo%7C64f0c3a1e2b74d1c9c2a%3Bencoding%3Dascii>',
    });
  });

  it('reads the outcome from a NOTIFY sipfrag', () => {
    expect(transferEvent(parseMessage(vector('genesys-notify-sipfrag.sip')))).toEqual({ kind: 'progress', status: '200 OK', final: true });
  });

  it('says nothing of other messages', () => {
    expect(transferEvent(parseMessage(vector('kore-invite-uui.sip')))).toBeUndefined();
  });
});
