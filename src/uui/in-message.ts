/**
 * Every UUI a message carries, wherever it is: `User-to-User` (any case) and Genesys'
 * `x-User-to-User` header lines, and copies embedded in Refer-To or Contact URIs.
 */
import type { SipMessage } from '../sip/message.js';
import { URI_CARRIERS, embeddedKey, mapEmbedded, mayEmbed } from '../sip/embedded.js';
import { decodeUriHeaderText } from '../sip/uri-headers.js';
import { parseUui, type UuiValue } from './codec.js';
import { lintUuiValues, type UuiFinding } from './lint.js';

const UUI_KEYS: ReadonlySet<string> = new Set(['user-to-user', 'x-user-to-user']);

/** The two forms Genesys reads; when a message has both it takes User-to-User and ignores the x- copy. */
export type UuiForm = 'User-to-User' | 'x-User-to-User';

const formOf = (key: string): UuiForm => (key === 'x-user-to-user' ? 'x-User-to-User' : 'User-to-User');

export interface UuiCopy {
  readonly form: UuiForm;
  /** Where it was: the header line's name, or `Refer-To URI` and the like. */
  readonly where: string;
  readonly name: string;
  readonly values: readonly UuiValue[];
}

/**
 * Whether the message may carry a UUI at all: a UUI header line, or a Refer-To or Contact URI with
 * embedded headers. Most messages of a call do not, and are not looked at further.
 */
export function carriesUui(message: SipMessage): boolean {
  return message.headers.some((h) => UUI_KEYS.has(h.key) || mayEmbed(h));
}

export function uuiCopies(message: SipMessage): UuiCopy[] {
  const copies: UuiCopy[] = [];
  for (const h of message.headers) {
    const key = h.key;
    if (UUI_KEYS.has(key)) {
      copies.push({ form: formOf(key), where: 'header', name: h.name, values: parseUui(h.value) });
    } else if (URI_CARRIERS.has(key)) {
      mapEmbedded(h.value, (embedded) => {
        for (const e of embedded) {
          const k = embeddedKey(e, message.encoding);
          if (!UUI_KEYS.has(k)) continue;
          const decoded = decodeUriHeaderText(e.value, message.encoding);
          if (decoded.ok) copies.push({ form: formOf(k), where: `${h.name} URI`, name: e.name, values: parseUui(decoded.text) });
        }
        return embedded;
      });
    }
  }
  return copies;
}

/**
 * Findings for what Genesys would read of the message: each form's values (several of one form
 * are all discarded), and a note when both forms are there, since the x- copy is then ignored.
 */
export function lintMessageUui(message: SipMessage): UuiFinding[] {
  return lintUuiCopies(uuiCopies(message));
}

/** lintMessageUui for copies already found. */
export function lintUuiCopies(copies: readonly UuiCopy[]): UuiFinding[] {
  const of = (form: UuiForm) => copies.filter((c) => c.form === form).flatMap((c) => c.values);
  const [plain, x] = [of('User-to-User'), of('x-User-to-User')];
  const findings = [...lintUuiValues(plain), ...lintUuiValues(x)];
  if (plain.length > 0 && x.length > 0) {
    findings.push({ code: 'x-ignored', message: 'both User-to-User and x-User-to-User: Genesys takes User-to-User and ignores the x- copy' });
  }
  return findings;
}
