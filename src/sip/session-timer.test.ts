import { describe, expect, it } from 'vitest';
import { parseMessage } from './message.js';
import { sessionInterval } from './session-timer.js';

const withHeader = (line: string) => parseMessage(Buffer.from(`SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\n${line}\r\n\r\n`));

describe('RFC 4028 Session-Expires', () => {
  it.each([
    ['Session-Expires: 1800;refresher=uac', { seconds: 1800, refresher: 'uac' }],
    ['session-expires: 90 ; Refresher = UAS', { seconds: 90, refresher: 'uas' }],
    ['x: 600', { seconds: 600, refresher: undefined }],
  ])('%s', (line, expected) => {
    expect(sessionInterval(withHeader(line))).toEqual(expected);
  });

  it('none, or one that does not read, is no session timer', () => {
    expect(sessionInterval(withHeader('Min-SE: 90'))).toBeUndefined();
    expect(sessionInterval(withHeader('Session-Expires: soon'))).toBeUndefined();
  });
});
