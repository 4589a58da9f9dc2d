/**
 * The REFER path, as the logs tell it. A REFER crosses like any in-dialog request (the rules have
 * already put UUI into its Refer-To URI, in exact case); what this module adds is saying where a
 * call is being transferred to, and how the transfer goes as the NOTIFYs' sipfrag bodies report it.
 */
import type { SipMessage } from '../sip/message.js';

export type TransferEvent =
  | { readonly kind: 'refer'; readonly referTo: string }
  | { readonly kind: 'progress'; readonly status: string; readonly final: boolean };

export function transferEvent(message: SipMessage): TransferEvent | undefined {
  if (message.start.kind !== 'request') return undefined;
  const header = (key: string) => message.headers.find((h) => h.key === key)?.value;
  if (message.start.method === 'REFER') {
    const referTo = header('refer-to');
    return referTo === undefined ? undefined : { kind: 'refer', referTo };
  }
  if (message.start.method === 'NOTIFY' && /^refer\b/i.test(header('event') ?? '')) {
    const status = /^SIP\/2\.0 +(\d{3}[^\r\n]*)/.exec(message.body)?.[1];
    if (status === undefined) return undefined;
    return { kind: 'progress', status, final: /^terminated/i.test(header('subscription-state') ?? '') };
  }
  return undefined;
}
