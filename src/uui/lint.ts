/**
 * UUI lint: what would make Genesys Cloud drop or garble call context (DESIGN §3). Findings are
 * data, never exceptions: sipcase warns in logs and metrics and still relays the message.
 */
import { uuiOctets, type UuiValue } from './codec.js';

export type UuiFindingCode =
  | 'empty'
  | 'unknown-encoding'
  | 'encoding-mismatch'
  | 'non-printable'
  | 'high-octet'
  | 'too-long'
  | 'missing-pd'
  | 'duplicate'
  | 'x-ignored';

export interface UuiFinding {
  readonly code: UuiFindingCode;
  readonly message: string;
}

/** Genesys' limit on the payload, in characters as sent. */
export const MAX_UUI_CHARS = 128;

/**
 * Protocol discriminators of Q.931 table 4-26 that UUI payloads carry in practice
 * (00 user-specific, 01 OSI high layer, 02 X.244, 03 system management, 04 IA5, 05 X.208/X.209,
 * 07 V.120, 08 Q.931/I.451).
 */
const KNOWN_PDS = new Set([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x07, 0x08]);

function encodingFindings(value: UuiValue): UuiFinding[] {
  if (value.encoding !== 'hex' && value.encoding !== 'ascii') {
    return [{ code: 'unknown-encoding', message: `encoding "${value.encoding}" is neither hex nor ascii` }];
  }
  const octets = uuiOctets(value);
  if (octets === undefined) {
    const how = value.encodingDeclared ? 'declared encoding=hex' : 'no encoding parameter, so hex';
    return [{ code: 'encoding-mismatch', message: `payload is not an even run of hex digits (${how})` }];
  }
  if (value.encoding === 'ascii') {
    return /^[\x20-\x7e]*$/.test(value.data) ? [] : [{ code: 'non-printable', message: 'ascii payload has characters outside printable US-ASCII' }];
  }
  // Genesys keeps every octet after the discriminator; one of 128-255 breaks its decoding.
  const kept = value.pd === undefined ? octets.subarray(1) : octets;
  return kept.some((b) => b >= 0x80) ? [{ code: 'high-octet', message: 'hex payload decodes to octets of 128 or more' }] : [];
}

function pdFindings(value: UuiValue): UuiFinding[] {
  if (value.pd !== undefined || value.data === '') return [];
  const first = value.encoding === 'hex' ? uuiOctets(value)?.[0] : undefined;
  const hasPd = value.encoding === 'hex' ? first !== undefined && KNOWN_PDS.has(first) : /^(?:XX|0[0-578])/i.test(value.data); // an ascii payload spells its discriminator out
  if (hasPd) return [];
  return [
    {
      code: 'missing-pd',
      message: `no pd= parameter and "${value.data.slice(0, 2)}" is no protocol discriminator: Genesys strips the first octet`,
    },
  ];
}

/** Findings for one uui-value. */
export function lintUuiValue(value: UuiValue): UuiFinding[] {
  if (value.data === '') return [{ code: 'empty', message: 'UUI payload is empty' }];
  const findings = [...encodingFindings(value), ...pdFindings(value)];
  if (value.data.length > MAX_UUI_CHARS) {
    findings.push({ code: 'too-long', message: `payload is ${value.data.length} characters, over ${MAX_UUI_CHARS}` });
  }
  return findings;
}

/** Findings for every UUI a message carries; more than one copy is itself a finding. */
export function lintUuiValues(values: readonly UuiValue[]): UuiFinding[] {
  const findings = values.flatMap(lintUuiValue);
  if (values.length > 1) {
    findings.push({
      code: 'duplicate',
      message: `${values.length} UUI values: Genesys discards all of them when there is more than one`,
    });
  }
  return findings;
}
