/**
 * What a REFER asks, read from the message as it leaves sipcase: the Refer-To target, the headers
 * embedded in its URI, where the call context (UUI) travels, and whether Genesys would read it.
 * Genesys takes UUI on a REFER from the Refer-To URI only (a UUI header line on the REFER is
 * reported not to reach Call.UUIData), so a header-only UUI is `unreadable` on a hand-off, and an
 * embedded one is `readable` when the UUI lint finds nothing wrong with what Genesys would take.
 */
import type { SipMessage } from '../sip/message.js';
import { findBracketedUri } from '../sip/name-addr.js';
import { splitUriHeaders } from '../sip/uri-headers.js';
import { lintUuiCopies, uuiCopies, type UuiCopy } from '../uui/in-message.js';
import type { UuiFindingCode } from '../uui/lint.js';

export const UUI_PLACES = ['embedded', 'header', 'none'] as const;
/** Where a REFER's UUI is: in the Refer-To URI (whatever else carries it), only in a header line, or nowhere. */
export type UuiPlace = (typeof UUI_PLACES)[number];

export const UUI_VERDICTS = ['readable', 'unreadable', 'none'] as const;
export type UuiVerdict = (typeof UUI_VERDICTS)[number];

/** A finding of this module's own: the UUI is on the REFER, but not where Genesys reads it. */
export type ReferUuiFinding = UuiFindingCode | 'not-in-refer-to';

export interface ReferFacts {
  /** The Refer-To value as sent on. */
  readonly target: string;
  /** Names of the headers embedded in the Refer-To URI, as written there. */
  readonly embedded: readonly string[];
  readonly uui: UuiPlace;
  readonly verdict: UuiVerdict;
  readonly findings: readonly ReferUuiFinding[];
  /**
   * The UUI payload, as a key a later call's INVITE can be matched by (hex in upper case): the
   * context a bot puts on its fallback INVITE when the transfer fails. Undefined without UUI.
   */
  readonly context: string | undefined;
}

function embeddedNames(target: string): string[] {
  const uri = target.includes('<') ? findBracketedUri(target)?.uri : target.split(';')[0];
  return uri === undefined ? [] : splitUriHeaders(uri).headers.map((h) => h.name);
}

/** The payload of the first of these UUI copies, as a matching key (undefined: none). */
function firstPayload(copies: readonly UuiCopy[]): string | undefined {
  const value = copies.flatMap((c) => c.values)[0];
  if (value === undefined || value.data === '') return undefined;
  return value.encoding === 'hex' ? value.data.toUpperCase() : value.data;
}

/** The payload of the first UUI copy a message carries, as a matching key (undefined: none). */
export function contextKey(message: SipMessage): string | undefined {
  return firstPayload(uuiCopies(message));
}

export function referFacts(message: SipMessage): ReferFacts {
  const target = message.headers.find((h) => h.key === 'refer-to')?.value ?? '';
  const copies = uuiCopies(message);
  const uui: UuiPlace = copies.some((c) => c.where !== 'header') ? 'embedded' : copies.length > 0 ? 'header' : 'none';
  const findings: ReferUuiFinding[] = uui === 'none' ? [] : lintUuiCopies(copies).map((f) => f.code);
  if (uui === 'header') findings.push('not-in-refer-to');
  const verdict: UuiVerdict = uui === 'none' ? 'none' : findings.length === 0 ? 'readable' : 'unreadable';
  return { target, embedded: embeddedNames(target), uui, verdict, findings, context: firstPayload(copies) };
}
