/**
 * Finding the URIs inside header values such as Refer-To and Contact, without a full grammar:
 * split a list on commas that are outside quotes and angle brackets, and locate the `<...>` of
 * each entry. Only a URI in angle brackets may carry embedded headers (RFC 3261 §20.10), so an
 * addr-spec without brackets is left alone.
 */

/**
 * Visits the characters of `text` that are outside double-quoted strings (a backslash escapes the
 * next character inside quotes), until `visit` returns true.
 */
function scanUnquoted(text: string, visit: (c: string, i: number) => boolean): void {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (visit(c, i)) return;
  }
}

/** Splits a header value on list commas; each piece keeps its own surrounding text. */
export function splitList(value: string): string[] {
  if (!value.includes(',')) return [value];
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  scanUnquoted(value, (c, i) => {
    if (c === '<') depth++;
    else if (c === '>') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
    return false;
  });
  parts.push(value.slice(start));
  return parts;
}

export interface BracketedUri {
  /** Text before the URI, `<` included. */
  readonly before: string;
  readonly uri: string;
  /** Text after the URI, `>` included. */
  readonly after: string;
}

/** The URI between the first unquoted `<` and its `>`, or undefined when there is none. */
export function findBracketedUri(entry: string): BracketedUri | undefined {
  let open = -1;
  scanUnquoted(entry, (c, i) => {
    if (c === '<') open = i;
    return open >= 0;
  });
  const close = open < 0 ? -1 : entry.indexOf('>', open + 1);
  if (close < 0) return undefined;
  return { before: entry.slice(0, open + 1), uri: entry.slice(open + 1, close), after: entry.slice(close) };
}
