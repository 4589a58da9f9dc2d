/**
 * Walking the headers embedded in the URIs of a header value (Refer-To, Contact). A value is only
 * rebuilt when a URI in it changed, so untouched text stays byte-identical.
 */
import { headerKey } from './header-name.js';
import type { Header, TextEncoding } from './message.js';
import { findBracketedUri, splitList, type BracketedUri } from './name-addr.js';
import { decodeUriHeaderText, joinUriHeaders, splitUriHeaders, type EmbeddedHeader, type UriWithHeaders } from './uri-headers.js';

/** Headers whose URIs may embed headers: Refer-To (REFER) and Contact (3xx). */
export const URI_CARRIERS: ReadonlySet<string> = new Set(['refer-to', 'contact']);

/** Whether a header line may carry embedded headers: a Refer-To or Contact with a URI `?` in it. */
export function mayEmbed(h: Header): boolean {
  return URI_CARRIERS.has(h.key) && h.value.includes('?');
}

/** The header key an embedded hname stands for ('' when the name does not decode). */
export function embeddedKey(h: EmbeddedHeader, encoding: TextEncoding): string {
  if (!h.name.includes('%')) return headerKey(h.name);
  const decoded = decodeUriHeaderText(h.name, encoding);
  return decoded.ok ? headerKey(decoded.text) : '';
}

export type EmbeddedMapper = (headers: readonly EmbeddedHeader[]) => readonly EmbeddedHeader[];

interface ListEntry {
  readonly entry: string;
  readonly found: BracketedUri | undefined;
  readonly parts: UriWithHeaders | undefined;
}

/**
 * The last value parsed. Successive actions of a rule set look at the same Refer-To or Contact
 * value; sharing one parse of it is invisible to callers, since the entries are never mutated.
 */
let memo: { value: string; entries: readonly ListEntry[] } | undefined;

function uriList(value: string): readonly ListEntry[] {
  if (memo?.value === value) return memo.entries;
  const entries = splitList(value).map((entry) => {
    const found = findBracketedUri(entry);
    return { entry, found, parts: found && splitUriHeaders(found.uri) };
  });
  memo = { value, entries };
  return entries;
}

/** Applies `fn` to the embedded headers of every bracketed URI in `value`, even URIs with none. */
function mapEveryUri(value: string, fn: EmbeddedMapper): string {
  let changed = false;
  const entries = uriList(value).map((e): ListEntry => {
    if (e.found === undefined || e.parts === undefined) return e;
    const headers = fn(e.parts.headers);
    if (headers === e.parts.headers) return e;
    changed = true;
    const parts = { base: e.parts.base, headers };
    const found = { before: e.found.before, uri: joinUriHeaders(parts), after: e.found.after };
    return { entry: `${found.before}${found.uri}${found.after}`, found, parts };
  });
  if (!changed) return value;
  // The next action will look at the value just built: hand it the structure it would parse.
  const rebuilt = entries.map((e) => e.entry).join(',');
  memo = { value: rebuilt, entries };
  return rebuilt;
}

/**
 * Applies `fn` to the headers already embedded in the URIs of `value`: for mappers that change
 * or drop headers, never add one, so a value without a `?` (most of them) is skipped outright.
 */
export function mapEmbedded(value: string, fn: EmbeddedMapper): string {
  return value.includes('?') ? mapEveryUri(value, fn) : value;
}

/** A header line with `fn` applied to the headers embedded in its URIs; the same line when nothing changed. */
export function withEmbedded(h: Header, fn: EmbeddedMapper): Header {
  const value = mapEmbedded(h.value, fn);
  return value === h.value ? h : { ...h, value };
}

/** Whether a URI in `value` is in angle brackets, the only form that may embed headers. */
export function hasBracketedUri(value: string): boolean {
  return uriList(value).some((e) => e.found !== undefined);
}

/** Replaces the embedded headers of the first bracketed URI only; it may add to a URI with none. */
export function mapFirstEmbedded(value: string, fn: EmbeddedMapper): string {
  let done = false;
  return mapEveryUri(value, (headers) => {
    if (done) return headers;
    done = true;
    return fn(headers);
  });
}
