/**
 * Moving a header into the URI of Refer-To (or a 3xx Contact) and back: RFC 3261 §19.1.1 embedded
 * headers, which RFC 7434 uses to carry UUI into the INVITE a REFER triggers. Genesys Cloud reads
 * UUI on a REFER only from there.
 *
 * to-uri: the first header line becomes `name=value` (%-encoded) in the first bracketed URI of the
 *   target header, and every line of the header goes. The name moves as the message spells it:
 *   `case` rules alone decide spelling, which keeps a rule set idempotent whatever its order. If the URI already embeds that header,
 *   `prefer: "uri"` keeps the URI's copy, `prefer: "header"` replaces it with the line's value.
 * embed: a value built by a template becomes `name=value` (%-encoded) in the first bracketed URI of
 *   the target header, replacing any copy there: how sipcase puts UUI it remembered from the call's
 *   INVITE into a REFER that carries none.
 * from-uri: every embedded copy becomes a header line (decoded), named as the rule spells it: that
 *   line leaves through drachtio, which must be told in advance which spellings to keep. A copy that decodes to CR, LF or
 *   NUL is refused and stays in the URI, so it can never become a header line of its own.
 */
import type { Header, TextEncoding } from '../sip/message.js';
import { decodeUriHeaderText, encodeUriHeaderText, type EmbeddedHeader } from '../sip/uri-headers.js';
import type { Action } from '../rules/types.js';
import type { ActionChange } from './change.js';
import { embeddedKey, hasBracketedUri, mapFirstEmbedded, withEmbedded } from '../sip/embedded.js';
import { insertHeader, unchanged, type ActionOutcome } from './outcome.js';

type ToUri = Extract<Action, { kind: 'to-uri' }>;
type FromUri = Extract<Action, { kind: 'from-uri' }>;
type Embed = Extract<Action, { kind: 'embed' }>;

/** `value`: the action's template as built for this message (rewrite/values.ts). */
export function applyEmbed(a: Embed, headers: readonly Header[], encoding: TextEncoding, value: string): ActionOutcome {
  const carrierAt = headers.findIndex((h) => h.key === a.uri.key);
  const carrier = headers[carrierAt];
  if (carrier === undefined || !hasBracketedUri(carrier.value)) {
    return { headers, changes: [{ action: 'embed', header: a.header.name, detail: `skipped: no ${a.uri.name} URI in angle brackets`, skipped: true }] };
  }
  const fresh: EmbeddedHeader = { name: a.header.escaped, value: encodeUriHeaderText(value, encoding) };
  let detail = `${JSON.stringify(value)} embedded in ${carrier.name} URI`;
  const uri = mapFirstEmbedded(carrier.value, (embedded) => {
    const kept = embedded.filter((e) => embeddedKey(e, encoding) !== a.header.key);
    if (kept.length < embedded.length) detail = `${JSON.stringify(value)} replaced the copy in ${carrier.name} URI`;
    return [...kept, fresh];
  });
  if (uri === carrier.value) return unchanged(headers);
  return { headers: headers.map((h, i) => (i === carrierAt ? { ...h, value: uri } : h)), changes: [{ action: 'embed', header: a.header.name, detail }] };
}

export function applyToUri(a: ToUri, headers: readonly Header[], encoding: TextEncoding): ActionOutcome {
  const line = headers.find((h) => h.key === a.header.key);
  const carrierAt = headers.findIndex((h) => h.key === a.uri.key);
  const carrier = headers[carrierAt];
  if (line === undefined || carrier === undefined || !hasBracketedUri(carrier.value)) return unchanged(headers);

  const fresh: EmbeddedHeader = { name: encodeUriHeaderText(line.name, encoding), value: encodeUriHeaderText(line.value, encoding) };
  let detail = `${line.name} moved into ${carrier.name} URI`;
  const value = mapFirstEmbedded(carrier.value, (embedded) => {
    const at = embedded.findIndex((e) => embeddedKey(e, encoding) === a.header.key);
    if (at < 0) return [...embedded, fresh];
    if (a.prefer === 'uri') {
      detail = `${line.name} dropped: ${carrier.name} URI already carries it`;
      return embedded;
    }
    detail = `${line.name} replaced the copy in ${carrier.name} URI`;
    return embedded.map((e, i) => (i === at ? fresh : e));
  });
  const out = headers.map((h, i) => (i === carrierAt ? { ...h, value } : h)).filter((h) => h.key !== a.header.key);
  const removed = headers.length - out.length;
  const changes: ActionChange[] = [{ action: 'to-uri', header: a.header.name, detail: removed > 1 ? `${detail}; ${removed} lines removed` : detail }];
  return { headers: out, changes };
}

export function applyFromUri(a: FromUri, headers: readonly Header[], encoding: TextEncoding): ActionOutcome {
  const changes: ActionChange[] = [];
  const lifted: Header[] = [];
  const out = headers.map((h) => {
    if (h.key !== a.uri.key) return h;
    return withEmbedded(h, (embedded) => {
      const kept = embedded.filter((e) => {
        if (embeddedKey(e, encoding) !== a.header.key) return true;
        const decoded = decodeUriHeaderText(e.value, encoding);
        if (!decoded.ok) {
          changes.push({ action: 'from-uri', header: a.header.name, detail: `refused to move out of ${h.name} URI: ${decoded.reason}` });
          return true;
        }
        lifted.push({ name: a.header.name, key: a.header.key, value: decoded.text.trim() });
        changes.push({ action: 'from-uri', header: a.header.name, detail: `moved out of ${h.name} URI` });
        return false;
      });
      return kept.length === embedded.length ? embedded : kept;
    });
  });
  if (changes.length === 0) return unchanged(headers);
  return { headers: lifted.reduce<Header[]>((acc, l) => insertHeader(acc, l), out), changes };
}
