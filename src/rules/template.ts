/**
 * Templates: the values `set`, `add`, `embed` and `remember` build from parts. Written in a rules
 * file as text with `${...}` slots, parsed here once per load into literal text and slots:
 *
 *   ${memory.NAME}      a value this call remembered (the `remember` action)
 *   ${header:NAME}      the first line of a header of this message (any case of NAME)
 *   ${embedded:NAME}    a header embedded in this message's Refer-To or Contact URI, decoded
 *   ${call-id} ${from.user} ${to.user} ${ruri.user}   parts of this message
 *
 * each optionally through encoders, left to right: `|hex` (text to upper-case hex of its octets),
 * `|ascii` (hex back to text), `|uri` (%-escaped for a URI's embedded header). `$${` writes `${`.
 * Every error names its place in the text, so a rules author can find a typo in a long value.
 */

export const MESSAGE_PARTS = ['call-id', 'from.user', 'to.user', 'ruri.user'] as const;
export type MessagePart = (typeof MESSAGE_PARTS)[number];

export const ENCODERS = ['hex', 'ascii', 'uri'] as const;
export type Encoder = (typeof ENCODERS)[number];

export type Source =
  | { readonly kind: 'memory'; readonly name: string }
  | { readonly kind: 'header'; readonly name: string }
  | { readonly kind: 'embedded'; readonly name: string }
  | { readonly kind: 'part'; readonly part: MessagePart };

export type Piece =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'slot'; readonly source: Source; readonly encoders: readonly Encoder[]; readonly written: string };

export interface Template {
  readonly pieces: readonly Piece[];
  /** The whole value when it has no slot: most `set` and `add` values, built at no cost. */
  readonly literal: string | undefined;
  /** The memory names it reads, in order, each once. */
  readonly memory: readonly string[];
}

export type TemplateResult = { readonly ok: true; readonly template: Template } | { readonly ok: false; readonly message: string };

/** A memory name: short, so it reads well in a template and in logs. */
export const MEMORY_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const HEADER_NAME = /^[A-Za-z0-9.!%*_+`'~-]{1,128}$/;

function parseSource(text: string): Source | string {
  if (text.startsWith('memory.')) {
    const name = text.slice('memory.'.length);
    return MEMORY_NAME.test(name) ? { kind: 'memory', name } : `"${name}" is no memory name (a letter, then letters, digits, _ or -, at most 32)`;
  }
  for (const kind of ['header', 'embedded'] as const) {
    if (!text.startsWith(`${kind}:`)) continue;
    const name = text.slice(kind.length + 1);
    return HEADER_NAME.test(name) ? { kind, name } : `"${name}" is no header name`;
  }
  if ((MESSAGE_PARTS as readonly string[]).includes(text)) return { kind: 'part', part: text as MessagePart };
  return `unknown source "${text}": use memory.NAME, header:NAME, embedded:NAME, ${MESSAGE_PARTS.join(', ')}`;
}

function parseSlot(inner: string, written: string): Piece | string {
  const [sourceText = '', ...encoders] = inner.split('|').map((s) => s.trim());
  const source = parseSource(sourceText);
  if (typeof source === 'string') return source;
  const unknown = encoders.find((e) => !(ENCODERS as readonly string[]).includes(e));
  if (unknown !== undefined) return `unknown encoder "${unknown}": use ${ENCODERS.join(', ')}`;
  return { kind: 'slot', source, encoders: encoders as Encoder[], written };
}

export function parseTemplate(text: string): TemplateResult {
  const pieces: Piece[] = [];
  let literal = '';
  let i = 0;
  const flush = () => {
    if (literal !== '') pieces.push({ kind: 'text', text: literal });
    literal = '';
  };
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      literal += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      literal += text[i];
      i++;
      continue;
    }
    const end = text.indexOf('}', i);
    if (end < 0) return { ok: false, message: `"\${" at character ${i + 1} is never closed by "}"` };
    const slot = parseSlot(text.slice(i + 2, end), text.slice(i, end + 1));
    if (typeof slot === 'string') return { ok: false, message: `${slot} (at character ${i + 1})` };
    flush();
    pieces.push(slot);
    i = end + 1;
  }
  flush();
  const only = pieces.length === 0 ? '' : pieces.length === 1 && pieces[0]?.kind === 'text' ? pieces[0].text : undefined;
  const memory = [...new Set(pieces.flatMap((p) => (p.kind === 'slot' && p.source.kind === 'memory' ? [p.source.name] : [])))];
  return { ok: true, template: { pieces, literal: only, memory } };
}
