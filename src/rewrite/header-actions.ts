/**
 * Actions on header lines: case, remove, set, add, replace, single. Each is a pure function of
 * the header list; names compare case-insensitively (compact forms included) and are emitted
 * exactly as the rule writes them.
 */
import type { Header, TextEncoding } from '../sip/message.js';
import type { Action, HeaderRef } from '../rules/types.js';
import type { ActionChange } from './change.js';
import { URI_CARRIERS, embeddedKey, withEmbedded } from '../sip/embedded.js';
import { insertHeader, unchanged, type ActionOutcome } from './outcome.js';

type HeaderAction<K extends Action['kind']> = Extract<Action, { kind: K }>;

const is = (ref: HeaderRef) => (h: Header) => h.key === ref.key;

export function applyCase(a: HeaderAction<'case'>, headers: readonly Header[], encoding: TextEncoding): ActionOutcome {
  const changes: ActionChange[] = [];
  const embeddedName = a.header.escaped;
  const out = headers.map((h) => {
    const key = h.key;
    if (key === a.header.key) {
      if (h.name === a.header.name) return h;
      changes.push({ action: 'case', header: a.header.name, detail: `${h.name} -> ${a.header.name}` });
      return { name: a.header.name, key, value: h.value };
    }
    if (!URI_CARRIERS.has(key)) return h;
    return withEmbedded(h, (embedded) => {
      let touched = false;
      const next = embedded.map((e) => {
        if (e.name === embeddedName || embeddedKey(e, encoding) !== a.header.key) return e;
        touched = true;
        changes.push({ action: 'case', header: a.header.name, detail: `${e.name} -> ${embeddedName} in ${h.name} URI` });
        return { name: embeddedName, value: e.value };
      });
      return touched ? next : embedded;
    });
  });
  return changes.length === 0 ? unchanged(headers) : { headers: out, changes };
}

export function applyRemove(a: HeaderAction<'remove'>, headers: readonly Header[]): ActionOutcome {
  const out = headers.filter((h) => !is(a.header)(h));
  if (out.length === headers.length) return unchanged(headers);
  return { headers: out, changes: [{ action: 'remove', header: a.header.name, detail: `removed ${headers.length - out.length}` }] };
}

/** `value`: the action's template as built for this message (rewrite/values.ts). */
export function applySet(a: HeaderAction<'set'>, headers: readonly Header[], value: string): ActionOutcome {
  const first = headers.findIndex(is(a.header));
  const wanted: Header = { name: a.header.name, key: a.header.key, value };
  if (first < 0) {
    return { headers: insertHeader(headers, wanted), changes: [{ action: 'set', header: a.header.name, detail: 'added' }] };
  }
  const out = headers.flatMap((h, i) => (i === first ? [wanted] : is(a.header)(h) ? [] : [h]));
  const old = headers[first] as Header;
  if (out.length === headers.length && old.name === wanted.name && old.value === wanted.value) return unchanged(headers);
  return { headers: out, changes: [{ action: 'set', header: a.header.name, detail: `${JSON.stringify(old.value)} -> ${JSON.stringify(value)}` }] };
}

export function applyAdd(a: HeaderAction<'add'>, headers: readonly Header[], value: string): ActionOutcome {
  return {
    headers: insertHeader(headers, { name: a.header.name, key: a.header.key, value }),
    changes: [{ action: 'add', header: a.header.name, detail: JSON.stringify(value) }],
  };
}

export function applyReplace(a: HeaderAction<'replace'>, headers: readonly Header[]): ActionOutcome {
  const changes: ActionChange[] = [];
  const out = headers.map((h) => {
    if (!is(a.header)(h)) return h;
    a.match.lastIndex = 0;
    const value = h.value.replace(a.match, a.with);
    if (value === h.value) return h;
    changes.push({ action: 'replace', header: a.header.name, detail: `${JSON.stringify(h.value)} -> ${JSON.stringify(value)}` });
    return { ...h, value };
  });
  return changes.length === 0 ? unchanged(headers) : { headers: out, changes };
}

/** The items less every match but one, or undefined when there is at most one match. */
function keepOne<T>(items: readonly T[], matches: (t: T) => boolean, keep: 'first' | 'last'): T[] | undefined {
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = 0; i < items.length; i++) {
    if (!matches(items[i] as T)) continue;
    if (first < 0) first = i;
    last = i;
    count++;
  }
  if (count < 2) return undefined;
  const winner = keep === 'first' ? first : last;
  return items.filter((t, i) => i === winner || !matches(t));
}

/** Exactly one copy: among header lines, and among the headers embedded in each URI. */
export function applySingle(a: HeaderAction<'single'>, headers: readonly Header[], encoding: TextEncoding): ActionOutcome {
  const changes: ActionChange[] = [];
  let out: readonly Header[] = headers;
  const lines = keepOne(headers, is(a.header), a.keep);
  if (lines !== undefined) {
    changes.push({ action: 'single', header: a.header.name, detail: `kept the ${a.keep} of ${headers.length - lines.length + 1} header lines` });
    out = lines;
  }
  out = out.map((h) => {
    if (!URI_CARRIERS.has(h.key)) return h;
    return withEmbedded(h, (embedded) => {
      const kept = keepOne(embedded, (e) => embeddedKey(e, encoding) === a.header.key, a.keep);
      if (kept === undefined) return embedded;
      changes.push({ action: 'single', header: a.header.name, detail: `kept the ${a.keep} of ${embedded.length - kept.length + 1} copies in ${h.name} URI` });
      return kept;
    });
  });
  return changes.length === 0 ? unchanged(headers) : { headers: out, changes };
}
