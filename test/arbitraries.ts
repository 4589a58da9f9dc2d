/** fast-check arbitraries of SIP messages, shared by the rewrite core's property tests. */
import fc from 'fast-check';
import { encodeUriHeaderText } from '../src/sip/uri-headers.js';

const NAMES = ['User-to-User', 'user-to-user', 'USER-TO-USER', 'User-To-User', 'X-Kore', 'x-kore', 'Subject', 's', 'Allow', 'P-Info'];
const value = fc.string({ unit: fc.constantFrom(...'abcXYZ019 |;=%&?,<>"@:-_.'.split('')), maxLength: 24 }).map((s) => s.trim() || 'v');
const header = fc.record({ name: fc.constantFrom(...NAMES), value });
const embedded = fc
  .record({ name: fc.constantFrom('User-to-User', 'user-to-user', 'X-Kore', 'Other'), value })
  .map((h) => `${h.name}=${encodeUriHeaderText(h.value, 'latin1')}`);
const referTo = fc.array(embedded, { maxLength: 3 }).map((e) => `<sip:+1444@host.example${e.length ? `?${e.join('&')}` : ''}>`);
const body = fc.string({ unit: 'binary-ascii', maxLength: 40 });

/** A request or response (as bytes) with a few headers of names rules use, in several cases, and maybe a Refer-To with embedded headers. */
export const message = fc
  .record({
    kind: fc.constantFrom('request', 'response'),
    method: fc.constantFrom('INVITE', 'REFER', 'BYE', 'INFO', 'NOTIFY'),
    status: fc.constantFrom(180, 200, 302, 486),
    headers: fc.array(header, { maxLength: 8 }),
    referTo: fc.option(referTo),
    body,
  })
  .map((m): Buffer => {
    const start = m.kind === 'request' ? `${m.method} sip:b@h SIP/2.0` : `SIP/2.0 ${m.status} Reason`;
    const lines = [start, `CSeq: 1 ${m.method}`, ...m.headers.map((h) => `${h.name}: ${h.value}`)];
    if (m.referTo !== null) lines.push(`Refer-To: ${m.referTo}`);
    return Buffer.from(`${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(m.body, 'latin1')}\r\n\r\n${m.body}`, 'latin1');
  });
