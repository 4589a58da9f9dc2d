import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { message } from '../../test/arbitraries.js';
import { compile, presetRules, rulesFor, vector, vectorNames } from '../../test/fixtures.js';
import { flowMessages } from '../../test/flow-messages.js';
import { rewrite, rewriteEveryRule, type RewriteResult } from '../rewrite/rewrite.js';
import { parseMessage, serializeToBuffer } from '../sip/message.js';
import { planFor, wakes } from './plan.js';
import { directionKey, type CompiledRules } from './types.js';

const preset = presetRules();
const plan = (rules: CompiledRules, from: string, to: string, kind: 'request' | 'response', method: string) =>
  planFor(rules.plans.get(directionKey(from, to)), kind, method);

/** What a rewrite gives, as bytes and changes: the plan must give exactly what trying every rule gives. */
const outcome = (r: RewriteResult) => ({ bytes: serializeToBuffer(r.message).toString('latin1'), changes: r.changes, remembered: [...r.remembered] });

function sameEitherWay(rules: CompiledRules, bytes: Buffer, from: string, to: string): void {
  for (const memory of [new Map<string, string>(), new Map([['genesysUui', '00A1B2C3;encoding=hex']])]) {
    const context = { from, to, memory };
    let planned: RewriteResult | Error;
    let every: RewriteResult | Error;
    try {
      planned = rewrite(rules, parseMessage(bytes), context);
    } catch (e) {
      planned = e as Error;
    }
    try {
      every = rewriteEveryRule(rules, parseMessage(bytes), context);
    } catch (e) {
      every = e as Error;
    }
    if (planned instanceof Error || every instanceof Error) expect(String(planned)).toBe(String(every));
    else expect(outcome(planned)).toEqual(outcome(every));
  }
}

describe('rule plans: the rules that can apply to a message, chosen once per load', () => {
  it('a BYE toward Genesys without any UUI wakes no rule of the preset; one with a UUI does', () => {
    const bye = plan(preset, 'kore', 'genesys', 'request', 'BYE');
    expect(bye.always).toBe(false);
    expect(wakes(bye, parseMessage('BYE sip:a@b SIP/2.0\r\nCSeq: 2 BYE\r\nReason: Q.850;cause=16\r\n\r\n').headers)).toBe(false);
    expect(wakes(bye, parseMessage('BYE sip:a@b SIP/2.0\r\nCSeq: 2 BYE\r\nuser-to-user: 00AB\r\n\r\n').headers)).toBe(true);
    expect(wakes(bye, parseMessage('BYE sip:a@b SIP/2.0\r\nCSeq: 2 BYE\r\nContact: <sip:a@b?User-to-User=00AB>\r\n\r\n').headers)).toBe(true);
  });

  it("a REFER toward Genesys always runs the preset (embed writes the call's UUI into its Refer-To)", () => {
    expect(plan(preset, 'kore', 'genesys', 'request', 'REFER').always).toBe(true);
  });

  it("Genesys' INVITE always runs (it is remembered); its 200 does not wake the rule that only applies to requests", () => {
    expect(plan(preset, 'genesys', 'kore', 'request', 'INVITE').always).toBe(true);
    const ok = plan(preset, 'genesys', 'kore', 'response', 'INVITE');
    expect(ok.always).toBe(false);
    expect(ok.rules.map((r) => r.name)).toEqual(['uui-exact-case-to-kore']);
  });

  it('a method no rule names gets the rules that name no method', () => {
    const rules = rulesFor([
      { name: 'invite-only', when: { methods: ['INVITE'] }, actions: [{ action: 'case', header: 'X-A' }] },
      { name: 'any', actions: [{ action: 'remove', header: 'X-B' }] },
    ]);
    expect(plan(rules, 'a', 'b', 'request', 'INFO').rules.map((r) => r.name)).toEqual(['any']);
    expect(plan(rules, 'a', 'b', 'request', 'INVITE').rules.map((r) => r.name)).toEqual(['invite-only', 'any']);
  });

  it('a rule that names a header in its scope is woken by that header alone, even when its action would always act', () => {
    const rules = rulesFor([{ name: 'r', when: { header: { name: 'X-Flag' } }, actions: [{ action: 'add', header: 'X-Seen', value: '1' }] }]);
    const p = plan(rules, 'a', 'b', 'request', 'INVITE');
    expect(p.always).toBe(false);
    expect([...p.keys]).toEqual(['x-flag']);
  });
});

/** The rules files the equivalence runs under: the preset, and every whole rules file the docs show. */
function ruleFiles(): CompiledRules[] {
  const docs = ['rules.md', 'cookbook-kore-genesys.md', 'operations.md', 'change-rules.md'].map((f) =>
    readFileSync(new URL(`../../docs/${f}`, import.meta.url), 'utf8'),
  );
  const examples = docs.flatMap((text) => [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] as string));
  const loaded = examples.flatMap((text) => {
    try {
      const parsed = JSON.parse(text) as { peers?: unknown; rules?: unknown };
      return parsed.peers !== undefined && parsed.rules !== undefined ? [compile(text)] : [];
    } catch {
      return [];
    }
  });
  return [preset, ...loaded];
}

describe('the plans change nothing: every message gives the same bytes, changes and memory as trying every rule', () => {
  const files = ruleFiles();
  const directions = (rules: CompiledRules) => [...rules.peers.keys()].flatMap((from) => [...rules.peers.keys()].map((to) => [from, to] as const));

  it('has rules files to run under (the preset and the documented examples)', () => {
    expect(files.length).toBeGreaterThan(3);
  });

  it('over the vectors, in every direction of every rules file', () => {
    for (const rules of files) for (const [from, to] of directions(rules)) for (const name of vectorNames) sameEitherWay(rules, vector(name), from, to);
  });

  it('over every message the end-to-end flows send, in every direction of every rules file', () => {
    const flows = flowMessages();
    expect(flows.length).toBeGreaterThan(100);
    for (const rules of files) for (const [from, to] of directions(rules)) for (const m of flows) sameEitherWay(rules, m.bytes, from, to);
  });

  it('over generated messages and generated rules of every action and scope', () => {
    const name = fc.constantFrom('User-to-User', 'X-Kore', 'Subject', 'P-Asserted-Identity');
    const action = fc.oneof(
      fc.record({ action: fc.constantFrom('case', 'remove', 'single'), header: name }),
      fc.record({ action: fc.constantFrom('set', 'add'), header: name, value: fc.constantFrom('v', '${header:X-Kore}') }),
      fc.record({ action: fc.constant('replace'), header: name, match: fc.constantFrom('a', '^x'), with: fc.constant('b') }),
      fc.record({ action: fc.constantFrom('to-uri', 'from-uri'), header: fc.constantFrom('User-to-User', 'X-Kore') }),
      fc.record({ action: fc.constant('embed'), header: fc.constant('User-to-User'), value: fc.constantFrom('00AB', '${header:Subject}') }),
      fc.record({ action: fc.constant('number'), header: fc.constantFrom('Request-URI', 'P-Asserted-Identity'), region: fc.constant('US') }),
      fc.record({ action: fc.constant('allow'), headers: fc.constant(['Subject', 'X-*']) }),
      fc.record({ action: fc.constant('remember'), name: fc.constant('kept'), value: fc.constant('${header:X-Kore}') }),
    );
    const methods = fc.subarray(['INVITE', 'REFER', 'BYE', 'INFO'], { minLength: 1 });
    const kind = fc.constantFrom('request', 'response');
    const absent = fc.subarray(['User-to-User', 'X-Kore'], { minLength: 1 });
    // Each scope alone as often as all of them: a scope that names a header hides what its actions wake on.
    const when = fc.oneof(
      fc.constant({}),
      fc.record({ methods }),
      fc.record({ message: kind }),
      fc.record({ absent }),
      fc.record({ header: fc.record({ name }) }),
      fc.record({ methods, message: kind, header: fc.record({ name }), absent }, { requiredKeys: [] }),
    );
    const rule = fc.record({ when, actions: fc.array(action, { minLength: 1, maxLength: 3 }) });
    const withContact = fc
      .tuple(message, fc.boolean())
      .map(([bytes, contact]) =>
        contact ? Buffer.from(bytes.toString('latin1').replace('\r\n', '\r\nContact: <sip:a@h?User-to-User=00AB>\r\n'), 'latin1') : bytes,
      );
    fc.assert(
      fc.property(withContact, fc.array(rule, { minLength: 1, maxLength: 4 }), (bytes, specs) => {
        const rules = rulesFor(specs.map((s, i) => ({ name: `r${i}`, ...s })));
        sameEitherWay(rules, bytes, 'a', 'b');
      }),
      { numRuns: 500 },
    );
  });
});
