/** Properties of the rewrite core over generated messages and rules. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { message } from '../../test/arbitraries.js';
import { presetRules, rulesFor } from '../../test/fixtures.js';
import { headerKey } from '../sip/header-name.js';
import { parseMessage, serializeMessage, serializeToBuffer, type SipMessage } from '../sip/message.js';
import { rewrite } from './rewrite.js';

const caseRule = fc.constantFrom('User-to-User', 'X-KORE', 'subject').map((name) => ({ action: 'case', header: name }));
const idempotentAction = fc.oneof(
  caseRule,
  fc.constantFrom('User-to-User', 'X-Kore').map((h) => ({ action: 'remove', header: h })),
  fc.record({ action: fc.constant('single'), header: fc.constantFrom('User-to-User', 'X-Kore'), keep: fc.constantFrom('first', 'last') }),
  fc.record({ action: fc.constant('to-uri'), header: fc.constantFrom('User-to-User', 'X-Kore'), prefer: fc.constantFrom('uri', 'header') }),
  // `set` on a header that to-uri also moves would re-add it on every pass, like `add`: not generated.
  fc.record({ action: fc.constant('set'), header: fc.constantFrom('X-New', 'Subject'), value: fc.constantFrom('a', 'b c') }),
);

const run = (rules: ReturnType<typeof rulesFor>, m: SipMessage) => rewrite(rules, m, { from: 'a', to: 'b' }).message;

describe('rewrite properties', () => {
  it("the preset is idempotent: rewriting its own output changes nothing (with and without the INVITE's UUI remembered)", () => {
    const preset = presetRules();
    const memory = fc.constantFrom(new Map(), new Map([['genesysUui', '00A1B2C3;encoding=hex']]));
    fc.assert(
      fc.property(message, memory, (bytes, remembered) => {
        const context = { from: 'kore', to: 'genesys', memory: remembered };
        const once = rewrite(preset, parseMessage(bytes), context);
        const twice = rewrite(preset, once.message, context);
        expect(twice.changes.filter((c) => c.skipped !== true)).toEqual([]);
        expect(serializeMessage(twice.message)).toBe(serializeMessage(once.message));
      }),
    );
  });

  it('rules without add (and without set of a header they also move to a URI) are idempotent', () => {
    fc.assert(
      fc.property(message, fc.array(idempotentAction, { minLength: 1, maxLength: 4 }), (bytes, actions) => {
        const rules = rulesFor([{ name: 'r', actions }]);
        const once = run(rules, parseMessage(bytes));
        expect(serializeMessage(run(rules, once))).toBe(serializeMessage(once));
      }),
    );
  });

  it('a case rule never changes a value, the order of headers, the start line or the body', () => {
    fc.assert(
      fc.property(message, fc.array(caseRule, { minLength: 1, maxLength: 3 }), (bytes, actions) => {
        const input = parseMessage(bytes);
        const out = run(rulesFor([{ name: 'r', actions }]), input);
        expect(out.start).toEqual(input.start);
        expect(out.body).toBe(input.body);
        expect(out.headers.map((h) => headerKey(h.name))).toEqual(input.headers.map((h) => h.key));
        const lowerValues = (m: SipMessage) => m.headers.map((h) => h.value.replace(/[?&][^=&>]*=/g, (n) => n.toLowerCase()));
        expect(lowerValues(out)).toEqual(lowerValues(input));
      }),
    );
  });

  it('what it emits parses back to the same message', () => {
    const preset = presetRules();
    fc.assert(
      fc.property(message, (bytes) => {
        const out = rewrite(preset, parseMessage(bytes), { from: 'kore', to: 'genesys' }).message;
        const again = parseMessage(serializeToBuffer(out));
        expect(again.headers).toEqual(out.headers);
        expect(again.body).toBe(out.body);
      }),
    );
  });
});
