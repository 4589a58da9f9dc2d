import type { Header } from '../sip/message.js';
import type { ActionChange } from './change.js';

/** What applying one action gives: the new header list (the same array when nothing changed). */
export interface ActionOutcome {
  readonly headers: readonly Header[];
  readonly changes: readonly ActionChange[];
}

export function unchanged(headers: readonly Header[]): ActionOutcome {
  return { headers, changes: [] };
}

const isContentLength = (h: Header): boolean => h.key === 'content-length';

/** Where added headers go: before Content-Length, which conventionally closes the head. */
export function insertHeader(headers: readonly Header[], header: Header): Header[] {
  const at = headers.findIndex(isContentLength);
  return at < 0 ? [...headers, header] : [...headers.slice(0, at), header, ...headers.slice(at)];
}
