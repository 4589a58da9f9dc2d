/**
 * What a message says of a transfer (RFC 3515): a REFER asks for one, and a NOTIFY of `Event: refer`
 * reports on one in its message/sipfrag body. Anything else says nothing.
 */
import type { SipMessage } from '../sip/message.js';

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
