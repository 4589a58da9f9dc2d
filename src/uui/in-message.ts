/**
 * Every UUI a message carries, wherever it is: `User-to-User` (any case) and Genesys'
 * `x-User-to-User` header lines, and copies embedded in Refer-To or Contact URIs.
 */
import type { SipMessage } from '../sip/message.js';
import { URI_CARRIERS, embeddedKey, mapEmbedded } from '../rewrite/embedded.js';
import { decodeUriHeaderText } from '../sip/uri-headers.js';
import { parseUui, type UuiValue } from './codec.js';
import { lintUuiValues, type UuiFinding } from './lint.js';

const UUI_KEYS: ReadonlySet<string> = new Set(['user-to-user', 'x-user-to-user']);

export interface UuiCopy {
  /** Where it was: the header line's name, or `Refer-To URI` and the like. */
  readonly where: string;
  readonly name: string;
  readonly values: readonly UuiValue[];
}

export function uuiCopies(message: SipMessage): UuiCopy[] {
  const copies: UuiCopy[] = [];
  for (const h of message.headers) {
    const key = h.key;
    if (UUI_KEYS.has(key)) {
      copies.push({ where: 'header', name: h.name, values: parseUui(h.value) });
    } else if (URI_CARRIERS.has(key)) {
      mapEmbedded(h.value, (embedded) => {
        for (const e of embedded) {
          if (!UUI_KEYS.has(embeddedKey(e, message.encoding))) continue;
          const decoded = decodeUriHeaderText(e.value, message.encoding);
          if (decoded.ok) copies.push({ where: `${h.name} URI`, name: e.name, values: parseUui(decoded.text) });
        }
        return embedded;
      });
    }
  }
  return copies;
}

export function lintMessageUui(message: SipMessage): UuiFinding[] {
  return lintUuiValues(uuiCopies(message).flatMap((c) => c.values));
}
