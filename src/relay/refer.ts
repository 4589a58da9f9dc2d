/**
 * The REFER path, as the logs tell it. A REFER crosses like any in-dialog request (the rules have
 * already put UUI into its Refer-To URI, in exact case); what this module adds is refusing a REFER
 * whose Refer-To is missing or unreadable, saying where a call is being transferred to, and how
 * the transfer goes as the NOTIFYs' sipfrag bodies report it.
 */
import type { SipMessage } from '../sip/message.js';
import { findBracketedUri, splitList } from '../sip/name-addr.js';

export type TransferEvent =
  | { readonly kind: 'refer'; readonly referTo: string }
  /** A NOTIFY of `Event: refer`: its sipfrag status line and code, whether it ends the subscription, and the REFER it names (`id=`). */
  | { readonly kind: 'progress'; readonly status: string; readonly code: number; readonly final: boolean; readonly id: number | undefined };

export function transferEvent(message: SipMessage): TransferEvent | undefined {
  if (message.start.kind !== 'request') return undefined;
  const header = (key: string) => message.headers.find((h) => h.key === key)?.value;
  if (message.start.method === 'REFER') {
    const referTo = header('refer-to');
    return referTo === undefined ? undefined : { kind: 'refer', referTo };
  }
  const event = message.start.method === 'NOTIFY' ? header('event') : undefined;
  if (event !== undefined && /^refer\s*(?:;|$)/i.test(event)) {
    const status = /^SIP\/2\.0 +(\d{3}[^\r\n]*)/.exec(message.body)?.[1];
    if (status === undefined) return undefined;
    const id = /;\s*id\s*=\s*(\d{1,10})\s*(?:;|$)/i.exec(event)?.[1];
    return {
      kind: 'progress',
      status: status.trimEnd(),
      code: Number(status.slice(0, 3)),
      final: /^terminated/i.test(header('subscription-state') ?? ''),
      id: id === undefined ? undefined : Number(id),
    };
  }
  return undefined;
}

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
