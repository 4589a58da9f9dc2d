/**
 * The REFER path. A REFER crosses like any in-dialog request (the rules have already put UUI into
 * its Refer-To URI, in exact case); what this module adds is refusing a REFER whose Refer-To is
 * missing or unreadable. How each transfer then goes is followed in relay/transfers.ts.
 */
import type { SipMessage } from '../sip/message.js';
import { findBracketedUri, splitList } from '../sip/name-addr.js';

/** A URI as RFC 3986 starts one (scheme, colon), with nothing that cannot stand in a URI. */
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"]+$/;

/**
 * Why a REFER cannot be relayed, as a 400 reason phrase: RFC 3515 §2.4.1 asks for exactly one
 * Refer-To, and one that is no URI is no transfer target. The peer that receives a REFER acts on
 * its Refer-To (it places a call there), so what sipcase cannot read it does not pass on.
 */
export function referToProblem(message: SipMessage): string | undefined {
  if (message.start.kind !== 'request' || message.start.method !== 'REFER') return undefined;
  const values = message.headers.filter((h) => h.key === 'refer-to').flatMap((h) => splitList(h.value));
  if (values.length === 0) return 'Missing Refer-To';
  if (values.length > 1) return 'More Than One Refer-To';
  const value = (values[0] as string).trim();
  const uri = value.includes('<') ? findBracketedUri(value)?.uri : value.split(';')[0];
  return uri !== undefined && URI.test(uri) ? undefined : 'Bad Refer-To';
}
