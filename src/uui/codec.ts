/**
 * The User-to-User header value (RFC 7433 §4.1):
 *   User-to-User = uui-value *(COMMA uui-value)
 *   uui-value    = uui-data *(SEMI uui-param)
 * with params `purpose`, `content`, `encoding` (only `hex` is registered; Genesys also reads
 * `ascii`) and Genesys' `pd` (protocol discriminator). No encoding parameter means hex.
 */
import { splitList } from '../sip/name-addr.js';

export interface UuiParam {
  readonly name: string;
  readonly value: string | undefined;
}

export interface UuiValue {
  readonly data: string;
  readonly params: readonly UuiParam[];
  /** `encoding` lower-cased, `hex` when absent. */
  readonly encoding: string;
  readonly encodingDeclared: boolean;
  readonly pd: string | undefined;
}

function parseParam(text: string): UuiParam {
  const eq = text.indexOf('=');
  if (eq < 0) return { name: text.trim(), value: undefined };
  return { name: text.slice(0, eq).trim(), value: text.slice(eq + 1).trim() };
}

function param(params: readonly UuiParam[], name: string): string | undefined {
  return params.find((p) => p.name.toLowerCase() === name)?.value;
}

export function parseUuiValue(text: string): UuiValue {
  const [data = '', ...rest] = text.split(';');
  const params = rest.map(parseParam);
  const declared = param(params, 'encoding');
  return {
    data: data.trim(),
    params,
    encoding: (declared ?? 'hex').toLowerCase(),
    encodingDeclared: declared !== undefined,
    pd: param(params, 'pd'),
  };
}

/** Every uui-value in a header value (an empty one included); a comma inside quotes does not split. */
export function parseUui(headerValue: string): UuiValue[] {
  return splitList(headerValue).map((v) => parseUuiValue(v.trim()));
}

/** The payload's octets as the declared encoding reads them, or undefined when they do not decode. */
export function uuiOctets(value: UuiValue): Buffer | undefined {
  if (value.encoding === 'hex') {
    return /^(?:[0-9A-Fa-f]{2})*$/.test(value.data) ? Buffer.from(value.data, 'hex') : undefined;
  }
  if (value.encoding === 'ascii') return Buffer.from(value.data, 'latin1');
  return undefined;
}
