/** The campaign's flows: drawn from a seed, distinct, and played by scenarios that agree with each other. */
import { describe, expect, it } from 'vitest';
import { expectedOutcome, flowName, generateFlows, type Flow } from './flow.js';
import { calleeScenario, callerScenario } from './scenario.js';

describe('the generated flows', () => {
  it('the same seed draws the same flows; another seed others', () => {
    expect(generateFlows(21, 50).map(flowName)).toEqual(generateFlows(21, 50).map(flowName));
    expect(generateFlows(22, 50).map(flowName)).not.toEqual(generateFlows(21, 50).map(flowName));
  });

  it('200 distinct flows cover the space the campaign promises', () => {
    const flows = generateFlows(1, 200);
    expect(new Set(flows.map(flowName)).size).toBe(200);
    const all = (f: (x: Flow) => unknown[]) => new Set(flows.flatMap(f));
    expect(all((f) => f.provisionals.map((p) => p.status))).toEqual(new Set([155, 177, 180, 181, 182, 183, 199]));
    expect(all((f) => (f.ending.kind === 'refused' ? [f.ending.final.status] : [])).size).toBeGreaterThanOrEqual(10);
    expect(all((f) => [f.ending.kind])).toEqual(new Set(['bye', 'bye-before-ack', 'refused', 'cancel']));
    expect(all((f) => f.provisionals.map((p) => p.tag))).toEqual(new Set(['own', 'none', 'fork']));
    expect(all((f) => f.midCall.map((m) => m.kind))).toEqual(new Set(['reinvite', 'request', 'refer', 'unknown']));
    expect(all((f) => [f.sessionExpires])).toEqual(new Set([undefined, 90, 1800, 86_400, 999_999_999]));
    expect(all((f) => [f.direction])).toEqual(new Set(['kore->genesys', 'genesys->kore']));
  });

  it('a cancel always follows a provisional; only answered calls have steps inside them', () => {
    for (const f of generateFlows(7, 300)) {
      if (f.ending.kind === 'cancel') expect(f.provisionals.length).toBeGreaterThan(0);
      if (f.ending.kind !== 'bye') expect(f.midCall).toEqual([]);
      if (f.ending.kind === 'refused' || f.ending.kind === 'cancel') expect(f.sessionExpires).toBeUndefined();
    }
  });

  it("after the INVITE and each re-INVITE, its sender moves next (the answerer's ACK is drachtio-server's, not the sender's)", () => {
    for (const f of generateFlows(11, 300)) {
      const moves = [...f.midCall.map((m) => m.from), ...(f.ending.kind === 'bye' ? [f.ending.from] : [])];
      if (moves.length > 0) expect(moves[0]).toBe('caller');
      f.midCall.forEach((m, i) => m.kind === 'reinvite' && i + 1 < moves.length && expect(moves[i + 1]).toBe(m.from));
    }
    expect(generateFlows(11, 300).some((f) => f.midCall.some((m) => m.from === 'callee'))).toBe(true);
  });

  it('outcomes: answered calls complete, refused ones fail, canceled ones are canceled', () => {
    const flows = generateFlows(3, 300);
    const ending = (kind: Flow['ending']['kind']) => flows.find((f) => f.ending.kind === kind) as Flow;
    expect([ending('bye'), ending('refused'), ending('cancel')].map(expectedOutcome)).toEqual(['completed', 'failed', 'canceled']);
  });
});

describe("a flow's two scenarios", () => {
  const flow: Flow = {
    direction: 'kore->genesys',
    provisionals: [{ status: 155, reason: 'Queued For Agent', sdp: false, tag: 'own' }],
    sessionExpires: 90,
    padding: 0,
    midCall: [
      { kind: 'reinvite', from: 'callee', answer: { status: 488, reason: 'Not Acceptable Here' } },
      { kind: 'refer', from: 'callee', answer: { status: 202, reason: 'Accepted' }, notify: true },
    ],
    ending: { kind: 'bye', from: 'caller' },
  };
  const caller = callerScenario(flow, 'x');
  const callee = calleeScenario(flow, 'x');
  /** What each side sends (a start line's first two words) and expects (a code or a method), in order. */
  const sequence = (xml: string) => [...xml.matchAll(/<send[^>]*><!\[CDATA\[\n(\S+ \S+)|<recv (?:response|request)="(\w+)"/g)].map((m) => m[1] ?? m[2]);

  it('each status the callee sends, the caller expects with its reason phrase', () => {
    expect(callee).toContain('SIP/2.0 155 Queued For Agent');
    expect(caller).toContain('<recv response="155"><action><ereg regexp="^SIP/2\\.0 155 Queued For Agent\\r"');
  });

  it('what one side sends, the other receives, in the same order', () => {
    expect(sequence(caller)).toEqual([
      'INVITE sip:[service]@[remote_ip]:[remote_port]',
      '100',
      '155',
      '200',
      'ACK [next_url]',
      'INVITE',
      'SIP/2.0 488',
      'ACK',
      'ACK',
      'REFER',
      'SIP/2.0 202',
      'NOTIFY [next_url]',
      '200',
      'NOTIFY [next_url]',
      '200',
      'BYE [next_url]',
      '200',
    ]);
    expect(sequence(callee)).toEqual([
      'INVITE',
      'SIP/2.0 155',
      'SIP/2.0 200',
      'ACK',
      'INVITE [$peer_contact]',
      '100',
      '488',
      'ACK [$peer_contact]',
      'REFER [$peer_contact]',
      '202',
      'NOTIFY',
      'SIP/2.0 200',
      'NOTIFY',
      'SIP/2.0 200',
      'BYE',
      'SIP/2.0 200',
    ]);
  });

  it('the callee toward Genesys checks one User-to-User, spelled exactly, and no re-cased copy', () => {
    expect(callee).toContain('assign_to="uui_exact"');
    expect(callee).toContain('check_it_inverse="true" assign_to="uui_miscased"');
    expect(calleeScenario({ ...flow, direction: 'genesys->kore' }, 'x')).not.toContain('assign_to="uui_exact"');
  });
});
