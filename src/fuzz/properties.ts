/**
 * Fuzzing properties of every parser and of the rewrite core, over generated input (fast-check).
 * Each property says what must hold for any input: errors are values or the parser's own typed
 * error, never a crash; what sipcase emits re-parses, carries no CR, LF or NUL inside a header
 * value (so no value can become a header line on the other leg), and states its body's length.
 * Used by `npm run fuzz` (a million cases) and by the unit suite (a few thousand).
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { sipMessagesOf } from '../capture/sip-messages.js';
import { MAX_MEMORY_VALUE, type CallMemory } from '../rewrite/memory.js';
import { rewrite } from '../rewrite/rewrite.js';
import { parseTemplate } from '../rules/template.js';
import { parseRulesText } from '../rules/load.js';
import type { CompiledRules } from '../rules/types.js';
import { findBracketedUri, splitList } from '../sip/name-addr.js';
import { bodyLength, parseMessage, serializeToBuffer, SipParseError, type SipMessage } from '../sip/message.js';
import { decodeUriHeaderText, joinUriHeaders, splitUriHeaders } from '../sip/uri-headers.js';
import { parseUui } from '../uui/codec.js';
import { lintMessageUui } from '../uui/in-message.js';
import { lintUuiValues } from '../uui/lint.js';

const root = new URL('../../', import.meta.url);
const vectors = readdirSync(new URL('test/fixtures/vectors/', root))
  .filter((f) => f.endsWith('.sip'))
  .map((f) => readFileSync(new URL(`test/fixtures/vectors/${f}`, root)));
const preset = (() => {
  const r = parseRulesText(readFileSync(new URL('config/rules.json', root), 'utf8'));
  if (!r.ok) throw new Error('the preset rules do not load');
  return r.value;
})();

/* ---- inputs ---- */

const NAMES = [
  'User-to-User',
  'user-to-user',
  'USER-TO-USER',
  'x-User-to-User',
  'Refer-To',
  'r',
  'Contact',
  'm',
  'Content-Length',
  'l',
  'Content-Type',
  'c',
  'Via',
  'v',
  'From',
  'f',
  'To',
  't',
  'Call-ID',
  'i',
  'CSeq',
  'Max-Forwards',
  'Subject',
  's',
  'X-Kore',
  'P-Info',
  'Event',
];
const nasty = fc.constantFrom(
  '\r',
  '\n',
  '\r\n',
  '\0',
  '%0D',
  '%0A',
  '%0d%0a',
  '%00',
  '%',
  '%Z',
  '\t',
  ' ',
  ':',
  ';',
  ',',
  '<',
  '>',
  '"',
  '\\',
  '?',
  '&',
  '=',
  '|',
  '\u00e9',
  '\u00ff',
);
const text = (max: number) =>
  fc
    .array(fc.oneof({ weight: 4, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 6 }) }, { weight: 2, arbitrary: nasty }), { maxLength: max })
    .map((parts) => parts.join(''));
const embedded = fc.tuple(fc.constantFrom('User-to-User', 'user-to-user', 'X-Kore', 'Other', 'Replaces'), text(6)).map(([n, v]) => `${n}=${v}`);
const uri = fc
  .tuple(fc.constantFrom('sip', 'sips', 'tel', ''), fc.array(embedded, { maxLength: 3 }))
  .map(([scheme, hs]) => `${scheme}:+1444@host.example${hs.length ? `?${hs.join('&')}` : ''}`);
const nameAddr = fc
  .tuple(fc.option(fc.constantFrom('"Agent, one <x>"', 'Bob', '"q\\"uoted"')), uri, text(4))
  .map(([display, u, params]) => `${display === null ? '' : `${display} `}<${u}>${params}`);
const headerLine = fc
  .tuple(
    fc.constantFrom(...NAMES),
    fc.constantFrom(': ', ':', ' : ', ':\t'),
    fc.oneof(
      text(8),
      nameAddr,
      nameAddr.map((a) => `${a}, ${a}`),
    ),
  )
  .map(([n, sep, v]) => `${n}${sep}${v}`);
const eol = fc.constantFrom('\r\n', '\n');

/** SIP-shaped messages: a start line, header lines (folded at times), a body, Content-Length true or not. */
const sipShaped = fc
  .record({
    start: fc.constantFrom(
      'INVITE sip:+1444@h SIP/2.0',
      'REFER sip:a@h SIP/2.0',
      'NOTIFY sip:a@h SIP/2.0',
      'BYE sip:a@h SIP/2.0',
      'SIP/2.0 200 OK',
      'SIP/2.0 486 Busy Here',
      'SIP/2.0 183 Session Progress',
      'GARBAGE',
      '',
    ),
    cseq: fc.constantFrom('CSeq: 1 INVITE', 'CSeq: 2 REFER', 'CSeq: 3 NOTIFY', 'CSeq: x', ''),
    headers: fc.array(fc.tuple(headerLine, fc.boolean()), { maxLength: 12 }),
    body: fc.string({ unit: 'binary', maxLength: 60 }),
    length: fc.oneof(fc.constant('true'), fc.constant('none'), fc.integer({ min: -2, max: 200 }).map(String), text(3)),
    eol,
  })
  .map((m) => {
    const lines = [m.start, m.cseq, ...m.headers.map(([h, fold]) => (fold ? h.replace(/ /, `${m.eol} `) : h))];
    const bodyBytes = Buffer.from(m.body, 'utf8');
    if (m.length === 'true') lines.push(`Content-Length: ${bodyBytes.length}`);
    else if (m.length !== 'none') lines.push(`Content-Length: ${m.length}`);
    return Buffer.concat([Buffer.from(`${lines.join(m.eol)}${m.eol}${m.eol}`, 'latin1'), bodyBytes]);
  });

/** The vectors with bytes flipped, inserted or cut. */
const mutatedVector = fc
  .tuple(
    fc.constantFrom(...vectors),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'insert', 'cut')), { minLength: 1, maxLength: 6 }),
  )
  .map(([v, edits]) => {
    let b = Buffer.from(v);
    for (const [at, byte, op] of edits) {
      const i = b.length === 0 ? 0 : at % b.length;
      if (op === 'flip') b[i] = byte;
      else if (op === 'insert') b = Buffer.concat([b.subarray(0, i), Buffer.from([byte]), b.subarray(i)]);
      else b = Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
    }
    return b;
  });

export const anyBytes = fc.oneof(
  { weight: 5, arbitrary: sipShaped },
  { weight: 3, arbitrary: mutatedVector },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) },
);

const ruleHeader = fc.constantFrom('User-to-User', 'X-Kore', 'Subject', 'Contact', 'Refer-To', 'Via', 'Content-Length', 'r');
const literalValue = fc.string({ unit: fc.constantFrom(...'ab;=|%<>"@ ,:?&$'.split('')), maxLength: 10 });
/** Template slots: every source, encoders in any order (a hostile value comes from the message). */
const slot = fc
  .tuple(
    fc.constantFrom(
      'memory.m',
      'memory.n',
      'header:X-Kore',
      'header:User-to-User',
      'embedded:User-to-User',
      'embedded:X-Kore',
      'call-id',
      'from.user',
      'to.user',
      'ruri.user',
    ),
    fc.array(fc.constantFrom('hex', 'ascii', 'uri'), { maxLength: 2 }),
  )
  .map(([source, encoders]) => `\${${[source, ...encoders].join('|')}}`);
const ruleValue = fc.array(fc.oneof(literalValue, slot), { minLength: 1, maxLength: 3 }).map((parts) => parts.join(''));
const action = fc.oneof(
  ruleHeader.map((header) => ({ action: 'case', header })),
  ruleHeader.map((header) => ({ action: 'remove', header })),
  fc.record({ action: fc.constant('set'), header: ruleHeader, value: ruleValue }),
  fc.record({ action: fc.constant('add'), header: ruleHeader, value: ruleValue }),
  fc.record({
    action: fc.constant('replace'),
    header: ruleHeader,
    match: fc.constantFrom('a', '^(\\w+)', ';encoding=\\w+', '[|]'),
    with: fc.constantFrom('', 'x', '$1', '%0D%0A'),
  }),
  fc.record({ action: fc.constant('to-uri'), header: ruleHeader, uri: fc.constantFrom('Refer-To', 'Contact'), prefer: fc.constantFrom('uri', 'header') }),
  fc.record({ action: fc.constant('from-uri'), header: ruleHeader, uri: fc.constantFrom('Refer-To', 'Contact') }),
  fc.record({ action: fc.constant('single'), header: ruleHeader, keep: fc.constantFrom('first', 'last') }),
  fc.record({ action: fc.constant('embed'), header: ruleHeader, uri: fc.constantFrom('Refer-To', 'Contact'), value: ruleValue }),
  fc.record({ action: fc.constant('remember'), name: fc.constantFrom('m', 'n'), value: ruleValue }),
);
const PEERS = { a: { sources: ['127.0.0.2'], target: 'sip:127.0.0.2' }, b: { sources: ['127.0.0.3'], target: 'sip:127.0.0.3' } };
/** Rule sets that load: random actions under random scopes, between peers a and b. */
export const ruleSet: fc.Arbitrary<CompiledRules> = fc
  .array(fc.record({ actions: fc.array(action, { minLength: 1, maxLength: 3 }), methods: fc.option(fc.constantFrom(['INVITE'], ['REFER', 'NOTIFY'])) }), {
    minLength: 1,
    maxLength: 4,
  })
  .map((rules) =>
    parseRulesText(
      JSON.stringify({
        peers: PEERS,
        rules: rules.map((x, i) => ({ name: `r${i}`, ...(x.methods === null ? {} : { when: { methods: x.methods } }), actions: x.actions })),
      }),
    ),
  )
  // Some combinations are refused when rules load (e.g. moving Contact into Contact): not rules sipcase would run.
  .filter((r) => r.ok)
  .map((r) => (r as { value: CompiledRules }).value);

/* ---- properties ---- */

/** Parsing any bytes gives a message or the parser's own typed error. */
function parsed(bytes: Buffer): SipMessage | undefined {
  try {
    return parseMessage(bytes);
  } catch (e) {
    assert.ok(e instanceof SipParseError, `parseMessage threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
    return undefined;
  }
}

/** What sipcase emits: re-parses to the same header lines, no CR/LF/NUL in a value, true Content-Length. */
function emittedSafely(out: SipMessage): void {
  for (const h of out.headers) assert.ok(!/[\r\n\0]/.test(h.value) && !/[\r\n\0]/.test(h.name), `header ${JSON.stringify(h.name)} carries CR, LF or NUL`);
  const bytes = serializeToBuffer(out);
  const again = parseMessage(bytes);
  // Serialising adds a Content-Length where there was none; nothing else may appear or vanish.
  const expected = [...out.headers.map((h) => h.name), ...(out.headers.some((h) => h.key === 'content-length') ? [] : ['Content-Length'])];
  assert.deepEqual(
    again.headers.map((h) => h.name),
    expected,
    'the emitted message re-parses to other header lines',
  );
  const cl = again.headers.find((h) => h.key === 'content-length');
  if (cl !== undefined) assert.equal(Number(cl.value), bodyLength(again), 'Content-Length does not match the body');
}

/** Capture-shaped bytes: a pcap or pcapng header, then SIP-shaped or random bytes as records. */
const captureShaped = fc
  .tuple(
    fc.constantFrom('d4c3b2a1', 'a1b2c3d4', '4d3cb2a1', '0a0d0d0a'),
    fc.array(
      fc.oneof(
        anyBytes,
        fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a)),
      ),
      { maxLength: 4 },
    ),
  )
  .map(([magic, parts]) => Buffer.concat([Buffer.from(magic, 'hex'), ...parts]));

export const properties = {
  'SIP parser: any bytes give a message or a SipParseError': fc.property(anyBytes, (bytes) => {
    parsed(bytes);
  }),
  'capture files: any bytes give SIP messages or an error, never a throw': fc.property(fc.oneof(captureShaped, anyBytes), (bytes) => {
    const r = sipMessagesOf(bytes);
    if (r.ok) for (const m of r.value.messages) assert.ok(m.bytes.length > 0);
  }),
  'rewrite with the preset: no throw, output re-parses, no CR/LF in a value, true Content-Length': fc.property(
    anyBytes,
    fc.constantFrom(['kore', 'genesys'], ['genesys', 'kore']),
    (bytes, [from, to]) => {
      const m = parsed(bytes);
      if (m === undefined) return;
      const out = rewrite(preset, m, { from: from as string, to: to as string });
      emittedSafely(out.message);
      lintMessageUui(out.message);
    },
  ),
  'rewrite with random rules: the same, for any rule set that loads': fc.property(anyBytes, ruleSet, (bytes, rules) => {
    const m = parsed(bytes);
    if (m === undefined) return;
    emittedSafely(rewrite(rules, m, { from: 'a', to: 'b' }).message);
  }),
  "a call's messages through random rules with memory: each output safe, memory bounded and free of CR, LF and NUL": fc.property(
    fc.array(fc.tuple(anyBytes, fc.boolean()), { minLength: 1, maxLength: 5 }),
    ruleSet,
    (messages, rules) => {
      let memory: CallMemory = new Map();
      for (const [bytes, forth] of messages) {
        const m = parsed(bytes);
        if (m === undefined) continue;
        const out = rewrite(rules, m, { from: forth ? 'a' : 'b', to: forth ? 'b' : 'a', memory });
        emittedSafely(out.message);
        memory = new Map([...memory, ...out.remembered]);
        assert.ok(memory.size <= rules.memoryNames.length, 'memory holds a name no rule remembers');
        for (const v of memory.values()) assert.ok(v.length <= MAX_MEMORY_VALUE && !/[\r\n\0]/.test(v), `remembered ${JSON.stringify(v.slice(0, 40))}`);
      }
    },
  ),
  'templates: any text gives a template or a message, never a throw': fc.property(fc.oneof(text(30), ruleValue), (t) => {
    const r = parseTemplate(t);
    assert.ok(r.ok || r.message.length > 0);
  }),
  'URI-embedded headers: decode never throws, split/join keeps every header': fc.property(
    fc.oneof(uri, text(30)),
    fc.constantFrom('latin1' as const, 'utf8' as const),
    (u, enc) => {
      const parts = splitUriHeaders(u);
      assert.deepEqual(splitUriHeaders(joinUriHeaders(parts)), parts);
      for (const h of parts.headers) decodeUriHeaderText(h.value, enc);
      decodeUriHeaderText(u, enc);
    },
  ),
  'name-addr lists: splitting and finding the URI never throw': fc.property(
    fc.oneof(
      nameAddr,
      text(30),
      fc.array(nameAddr, { maxLength: 3 }).map((a) => a.join(', ')),
    ),
    (v) => {
      for (const entry of splitList(v)) findBracketedUri(entry);
    },
  ),
  'UUI values: parsing and lint never throw': fc.property(
    fc.oneof(
      text(40),
      fc.tuple(fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'.split('')), maxLength: 300 }), text(10)).map(([h, p]) => `${h};encoding=hex${p}`),
    ),
    (v) => {
      lintUuiValues(parseUui(v));
    },
  ),
  'rules files: any JSON gives rules or errors that name a JSON path, never a throw': fc.property(
    fc.oneof(
      fc.json({ maxDepth: 4 }),
      fc.record({ peers: fc.anything(), rules: fc.anything() }).map((x) => JSON.stringify(x)),
      text(20),
    ),
    (t) => {
      const r = parseRulesText(t);
      if (!r.ok) for (const e of r.errors) assert.ok(e.path.startsWith('$'), `error path ${e.path}`);
    },
  ),
} as const;

export type PropertyName = keyof typeof properties;
