/**
 * The `number` action: the telephone number in the user part of a URI, normalised to E.164 or to
 * its national form with libphonenumber-js (full metadata, so "valid" means a number that can be
 * dialled, not just one of the right length). A sip:/sips: URI keeps everything but the number
 * (user parameters such as RFC 4904's `;tgrp=`, the host, the URI's parameters and headers); a
 * tel: URI stays tel:. A number that is not valid in the region it is read in is left exactly as
 * it was, and the action says so (a skipped change, counted).
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { Action, NumberFormat } from '../rules/types.js';
import type { Header, StartLine } from '../sip/message.js';
import { findBracketedUri, splitList } from '../sip/name-addr.js';
import type { ActionChange } from './change.js';
import { unchanged, type ActionOutcome } from './outcome.js';

/** A sip/sips user part's number (up to its user parameters), or a tel URI's (up to its parameters). */
const SIP_USER = /^(sips?:)([^;@?]+)([^@?]*@)/i;
const TEL = /^(tel:)([^;?]+)/i;

/** The number a URI carries and where it stands in it, or undefined when the URI has no user part. */
function numberIn(uri: string): { readonly at: number; readonly number: string } | undefined {
  const m = SIP_USER.exec(uri) ?? TEL.exec(uri);
  if (m === null) return undefined;
  return { at: (m[1] as string).length, number: m[2] as string };
}

/** The number in the form asked for; undefined when it is no valid number (read in `region` when it has no country code). */
function formatNumber(number: string, format: NumberFormat, region: CountryCode | undefined): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(number); // a user part may %-escape its visual separators
  } catch {
    return undefined;
  }
  const parsed = parsePhoneNumberFromString(decoded, region === undefined ? undefined : { defaultCountry: region });
  if (parsed === undefined || !parsed.isValid()) return undefined;
  return format === 'e164' ? parsed.number : parsed.formatNational().replace(/[^\d]/g, '');
}

/** The URI of one list entry: in angle brackets, or (addr-spec) up to the first `;`, which then starts header parameters. */
function entryUri(entry: string): { readonly before: string; readonly uri: string; readonly after: string } {
  const bracketed = findBracketedUri(entry);
  if (bracketed !== undefined) return bracketed;
  const lead = entry.length - entry.trimStart().length;
  const semi = entry.indexOf(';', lead);
  const end = semi < 0 ? entry.length : semi;
  return { before: entry.slice(0, lead), uri: entry.slice(lead, end), after: entry.slice(end) };
}

/** A number changed (`"3125550100" -> "+13125550100"`), or left alone because it is no valid one. */
export type NumberNote = { readonly changed: string } | { readonly invalid: string };

export interface NumberedValue {
  /** The header value with every valid number normalised (the same string when nothing changed). */
  readonly value: string;
  /** What was done to each number, in order. */
  readonly notes: readonly NumberNote[];
}

/** One URI, its number normalised when it has a valid one; a URI with no user part has nothing to say. */
export function numberedUri(uri: string, format: NumberFormat, region: CountryCode | undefined): NumberedValue {
  const found = numberIn(uri);
  if (found === undefined) return { value: uri, notes: [] };
  const formatted = formatNumber(found.number, format, region);
  if (formatted === undefined) return { value: uri, notes: [{ invalid: found.number }] };
  if (formatted === found.number) return { value: uri, notes: [] };
  const value = `${uri.slice(0, found.at)}${formatted}${uri.slice(found.at + found.number.length)}`;
  return { value, notes: [{ changed: `${JSON.stringify(found.number)} -> ${JSON.stringify(formatted)}` }] };
}

/** Every URI of a header value (a list: Diversion and P-Asserted-Identity may carry several). */
export function numberHeaderValue(value: string, format: NumberFormat, region: CountryCode | undefined): NumberedValue {
  const notes: NumberNote[] = [];
  let changed = false;
  const entries = splitList(value).map((entry) => {
    const { before, uri, after } = entryUri(entry);
    const n = numberedUri(uri, format, region);
    notes.push(...n.notes);
    if (n.value === uri) return entry;
    changed = true;
    return `${before}${n.value}${after}`;
  });
  return { value: changed ? entries.join(',') : value, notes };
}

/** What a `number` action does to a message: its start line (the Request-URI) or its header lines. */
export interface NumberOutcome extends ActionOutcome {
  readonly start: StartLine;
}

function describeSkip(number: string, region: CountryCode | undefined): string {
  return `skipped: ${JSON.stringify(number)} is no valid number${region === undefined ? ' (and there is no region to read it in)' : ` in region ${region}`}`;
}

export function applyNumber(
  a: Extract<Action, { kind: 'number' }>,
  start: StartLine,
  headers: readonly Header[],
  peerRegion: CountryCode | undefined,
): NumberOutcome {
  const region = a.region ?? peerRegion;
  const changes: ActionChange[] = [];
  const place = a.in === 'request-uri' ? 'Request-URI' : a.in.name;
  const record = (found: NumberedValue, where: string) => {
    for (const n of found.notes) {
      if ('changed' in n) changes.push({ action: 'number', header: place, detail: `${n.changed} in ${where}` });
      else changes.push({ action: 'number', header: place, detail: describeSkip(n.invalid, region), skipped: true });
    }
  };
  if (a.in === 'request-uri') {
    if (start.kind !== 'request') return { start, ...unchanged(headers) };
    const found = numberedUri(start.uri, a.format, region);
    record(found, 'Request-URI');
    return { start: found.value === start.uri ? start : { ...start, uri: found.value }, headers, changes };
  }
  const key = a.in.key;
  let touched = false;
  const out = headers.map((h) => {
    if (h.key !== key) return h;
    const found = numberHeaderValue(h.value, a.format, region);
    record(found, h.name);
    if (found.value === h.value) return h;
    touched = true;
    return { ...h, value: found.value };
  });
  return { start, headers: touched ? out : headers, changes };
}
