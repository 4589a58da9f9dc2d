/**
 * End-to-end: the hand-off observed and shaped, through sipcase and a real drachtio-server. Genesys
 * (SIPp) calls Kore (SIPp); Kore hands the call back with a REFER; Genesys answers and reports on it
 * as each test asks. sipcase must count each transfer once with its outcome and UUI verdict, say it
 * in one log line with Genesys' conversation id, link a bot's fallback INVITE to the hand-off that
 * failed, normalise numbers, and keep Kore's internal headers from Genesys: every check on the wire
 * is SIPp's, on exact bytes.
 *
 * The rules: the preset, less its move of a UUI header into Refer-To (so that a REFER whose UUI is
 * only a header line reaches Genesys as such, the case the verdict is about), plus numbers to E.164
 * (Kore in the US, Genesys here in Great Britain, for two regions) and an allowlist toward Genesys.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { untilListening } from '../../src/harness/processes.js';
import { checkedCallScenarios, handoffScenarios, type Handoff } from './handoff-scenarios.js';
import {
  LOGS,
  metric,
  passed,
  peerEnds,
  presetRuleList,
  sippEachTest,
  startStack,
  untilLogged,
  which,
  writeRules,
  type Net,
  type Proc,
  type Sipcase,
  suiteNet,
} from './stack.js';

const ready = which('drachtio') !== undefined && which('sipp') !== undefined;
if (!ready) process.stdout.write('skipped: no drachtio-server\n');

const HANDOFF: Net = suiteNet('handoff', 'sipcase-handoff');
const { koreUas, genesysUac, genesysUas, koreUac } = peerEnds(HANDOFF);

const RULES = [
  ...presetRuleList().filter((r) => (r as { name: string }).name !== 'uui-into-refer-to'),
  {
    name: 'numbers',
    when: { methods: ['INVITE'], message: 'request' },
    actions: ['Request-URI', 'From', 'P-Asserted-Identity', 'Diversion'].map((header) => ({ action: 'number', header })),
  },
  {
    name: 'genesys-sees-only',
    when: { from: 'kore', to: 'genesys' },
    actions: [{ action: 'allow', headers: ['User-to-User', 'x-User-to-User', 'X-Kore-Session', 'P-Asserted-Identity', 'X-Flow'] }],
  },
];

const UUI = 'XXcfo%7C64f0c3a1e2b74d1c9c2a%3Bencoding%3Dascii';
const TARGET = 'sip:+14445556666@byoc.example.pure.cloud';
const EMBEDDED = `<${TARGET}?User-To-User=${UUI}>`;
/** The Refer-To line Genesys must get when Kore embeds the UUI: spelled User-to-User by the preset. */
const REFER_TO_EXACT = `\\r\\nRefer-To: <sip:\\+14445556666@byoc\\.example\\.pure\\.cloud\\?User-to-User=${UUI}>\\r\\n`;
const UUI_LINE = /\n[Uu][Ss][Ee][Rr]-[Tt][Oo]-[Uu][Ss][Ee][Rr][ \t]*:/.source;

const trying = { frag: '100 Trying', final: false };

const sipp = sippEachTest();

async function handOff(label: string, h: Handoff): Promise<void> {
  const files = handoffScenarios(label, h);
  const kore = sipp({ label: `${label}-kore`, scenario: files.kore, ...koreUas, timeoutS: 30 });
  await untilListening(kore.proc, 'udp', koreUas.ip, koreUas.port);
  const genesys = sipp({ label: `${label}-genesys`, scenario: files.genesys, ...genesysUac, service: '+15557770000', timeoutS: 30 });
  passed({ genesys: await genesys.done, kore: await kore.done });
}

const transfers = (app: Sipcase, labels: Record<string, string>) => metric(app, 'sipcase_transfers_total', { from: 'kore', to: 'genesys', ...labels });

/** The one `transfer ended` line for a conversation id, parsed. */
async function transferLine(app: Sipcase, conversation: string): Promise<Record<string, unknown>> {
  const text = await untilLogged(app, new RegExp(`"conversationId":"${conversation}"[^\\n]*"msg":"transfer ended"`));
  const lines = text.split('\n').filter((l) => l.includes('"msg":"transfer ended"') && l.includes(`"conversationId":"${conversation}"`));
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] as string) as Record<string, unknown>;
}

describe.skipIf(!ready)('the hand-off, observed and shaped', () => {
  let server: Proc;
  let app: Sipcase;

  beforeAll(async () => {
    const rules = writeRules(HANDOFF, join(LOGS, 'handoff-rules.json'), RULES, undefined, { kore: { region: 'US' }, genesys: { region: 'GB' } });
    ({ server, app } = await startStack('handoff', HANDOFF, rules));
  }, 30_000);

  afterAll(async () => {
    await app?.stop();
    await server?.stop();
  });

  it('completed: 202, NOTIFY 100 then 200; UUI embedded and readable; one count, one line with the conversation id, target and progress', async () => {
    const before = await transfers(app, { outcome: 'completed', uui: 'embedded', verdict: 'readable' });
    const hist = await metric(app, 'sipcase_transfer_duration_seconds_count', { from: 'kore', to: 'genesys' });
    await handOff('ho-completed', {
      answer: '202 Accepted',
      notifies: [trying, { frag: '200 OK', final: true }],
      conversation: 'cnv-completed-1',
      referTo: EMBEDDED,
      line: 'X-Flow: embedded',
      referHas: [REFER_TO_EXACT],
      referLacks: [UUI_LINE],
    });
    const line = await transferLine(app, 'cnv-completed-1');
    expect(line).toMatchObject({
      from: 'genesys',
      to: 'kore',
      direction: 'kore->genesys',
      target: `<${TARGET}?User-to-User=${UUI}>`,
      embedded: ['User-to-User'],
      answer: 202,
      progress: ['100 Trying', '200 OK'],
      outcome: 'completed',
      code: 200,
      uui: 'embedded',
      verdict: 'readable',
      findings: [],
    });
    expect(typeof line['callId']).toBe('string');
    expect(typeof line['bCallId']).toBe('string');
    expect(await transfers(app, { outcome: 'completed', uui: 'embedded', verdict: 'readable' })).toBe(before + 1);
    expect(await metric(app, 'sipcase_transfer_duration_seconds_count', { from: 'kore', to: 'genesys' })).toBe(hist + 1);
  });

  it('refused: Genesys answers the REFER 603; counted refused with its code; UUI as a header line only is counted unreadable', async () => {
    const before = await transfers(app, { outcome: 'refused', uui: 'header', verdict: 'unreadable' });
    await handOff('ho-refused', {
      answer: '603 Decline',
      notifies: [],
      conversation: 'cnv-refused-1',
      referTo: `<${TARGET}>`,
      line: 'User-To-User: XXcfo|64f0c3a1e2b74d1c9c2a;encoding=ascii',
      referHas: [
        '\\r\\nUser-to-User: XXcfo\\|64f0c3a1e2b74d1c9c2a;encoding=ascii\\r\\n',
        `\\r\\nRefer-To: <sip:\\+14445556666@byoc\\.example\\.pure\\.cloud>\\r\\n`,
      ],
      referLacks: [],
    });
    expect(await transferLine(app, 'cnv-refused-1')).toMatchObject({
      outcome: 'refused',
      code: 603,
      answer: 603,
      progress: [],
      uui: 'header',
      verdict: 'unreadable',
      findings: ['not-in-refer-to'],
    });
    expect(await transfers(app, { outcome: 'refused', uui: 'header', verdict: 'unreadable' })).toBe(before + 1);
  });

  it('failed: accepted, then a final NOTIFY of 486 Busy Here; counted failed with the sipfrag code', async () => {
    const before = await transfers(app, { outcome: 'failed', uui: 'embedded', verdict: 'readable' });
    await handOff('ho-failed', {
      answer: '202 Accepted',
      notifies: [trying, { frag: '486 Busy Here', final: true }],
      conversation: 'cnv-failed-1',
      referTo: EMBEDDED,
      line: 'X-Flow: embedded',
      referHas: [REFER_TO_EXACT],
      referLacks: [UUI_LINE],
    });
    expect(await transferLine(app, 'cnv-failed-1')).toMatchObject({ outcome: 'failed', code: 486, progress: ['100 Trying', '486 Busy Here'] });
    expect(await transfers(app, { outcome: 'failed', uui: 'embedded', verdict: 'readable' })).toBe(before + 1);
  });

  it('no_result: accepted, NOTIFY 100 only, then Genesys hangs up; a REFER with no UUI is counted uui none', async () => {
    const before = await transfers(app, { outcome: 'no_result', uui: 'none', verdict: 'none' });
    await handOff('ho-silent', {
      answer: '202 Accepted',
      notifies: [trying],
      conversation: 'cnv-silent-1',
      referTo: `<${TARGET}>`,
      line: 'X-Flow: no-uui',
      referHas: [`\\r\\nRefer-To: <sip:\\+14445556666@byoc\\.example\\.pure\\.cloud>\\r\\n`],
      referLacks: [UUI_LINE],
    });
    expect(await transferLine(app, 'cnv-silent-1')).toMatchObject({
      outcome: 'no_result',
      why: 'the call ended before a final NOTIFY',
      progress: ['100 Trying'],
    });
    expect(await transfers(app, { outcome: 'no_result', uui: 'none', verdict: 'none' })).toBe(before + 1);
    await untilLogged(app, /"conversationId":"cnv-silent-1","transfers":\["no_result"\][^\n]*"msg":"call ended"/);
  });

  it("a bot's fallback: after a refused hand-off, Kore's new INVITE with the same UUI is linked to the first call in the log, and counted", async () => {
    const fallbacks = await metric(app, 'sipcase_transfer_fallbacks_total', { from: 'kore', to: 'genesys' });
    await handOff('ho-fallback-refer', {
      answer: '603 Decline',
      notifies: [],
      conversation: 'cnv-fallback-1',
      referTo: `<${TARGET}?User-to-User=00436F6E74657874313233%3Bencoding%3Dhex>`,
      line: 'X-Flow: fallback',
      referHas: [],
      referLacks: [],
    });
    const first = await transferLine(app, 'cnv-fallback-1');
    const uas = sipp({ label: 'ho-fallback-genesys', scenario: 'genesys-answer-uas.xml', ...genesysUas, timeoutS: 30 });
    await untilListening(uas.proc, 'udp', genesysUas.ip, genesysUas.port);
    const uac = sipp({ label: 'ho-fallback-kore', scenario: 'kore-call-uac.xml', ...koreUac, service: '+14445556666', timeoutS: 30 });
    passed({ genesys: await uas.done, kore: await uac.done });
    const log = await untilLogged(app, new RegExp(`"fallbackOf":"${String(first['callId']).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
    expect(log).toMatch(/"fallbackOf":"[^"]+","conversationId":"cnv-fallback-1","transferOutcome":"refused"/);
    expect(await metric(app, 'sipcase_transfer_fallbacks_total', { from: 'kore', to: 'genesys' })).toBe(fallbacks + 1);
  });

  it('numbers, Kore (US) -> Genesys: national and international forms to E.164, tel: kept, a name left alone and counted; X-Kore-Debug dropped, the dialog intact', async () => {
    const skipped = await metric(app, 'sipcase_rewrites_skipped_total', { rule: 'numbers', action: 'number' });
    const dropped = await metric(app, 'sipcase_rewrites_total', { rule: 'genesys-sees-only', action: 'allow' });
    const files = checkedCallScenarios('ho-numbers-us', {
      user: '3125550100',
      from: '011442079460000',
      lines: [
        'P-Asserted-Identity: <tel:312-555-0199>, <sip:reception@kore-vg.example.com>',
        'X-Kore-Debug: session=abc;trace=on',
        'X-Kore-Session: 64f0c3a1e2b74d1c9c2a',
      ],
      has: [
        `^INVITE sip:\\+13125550100@${HANDOFF.genesys.replace(/\./g, '\\.')}:25090;transport=udp SIP/2\\.0\\r\\n`,
        '\\r\\nTo: <sip:\\+13125550100@',
        '\\r\\nFrom: <sip:\\+442079460000@',
        // drachtio-server writes each entry of a list on a line of its own
        '\\r\\nP-Asserted-Identity: <tel:\\+13125550199>\\r\\nP-Asserted-Identity: <sip:reception@kore-vg\\.example\\.com>\\r\\n',
        '\\r\\nX-Kore-Session: 64f0c3a1e2b74d1c9c2a\\r\\n',
        '\\r\\nMax-Forwards: 69\\r\\n',
        '\\r\\nContent-Type: application/sdp\\r\\n',
        '\\r\\nContact: <sip:',
        '\\r\\nVia: SIP/2\\.0/UDP ',
      ],
      lacks: ['\\n[Xx]-[Kk][Oo][Rr][Ee]-[Dd][Ee][Bb][Uu][Gg]'],
    });
    const uas = sipp({ label: 'ho-numbers-us-genesys', scenario: files.uas, ...genesysUas, timeoutS: 30 });
    await untilListening(uas.proc, 'udp', genesysUas.ip, genesysUas.port);
    const uac = sipp({ label: 'ho-numbers-us-kore', scenario: files.uac, ...koreUac, service: '3125550100', timeoutS: 30 });
    passed({ genesys: await uas.done, kore: await uac.done });
    expect(await metric(app, 'sipcase_rewrites_skipped_total', { rule: 'numbers', action: 'number' })).toBe(skipped + 1);
    expect(await metric(app, 'sipcase_rewrites_total', { rule: 'genesys-sees-only', action: 'allow' })).toBe(dropped + 1);
  });

  it('numbers, Genesys (GB) -> Kore: a national 020 Request-URI and an international 0044 Diversion to E.164; the allowlist is one-way', async () => {
    const files = checkedCallScenarios('ho-numbers-gb', {
      user: '02079460000',
      from: '+13125550100',
      lines: ['Diversion: <sip:00441614960000@byoc.example.pure.cloud>;reason=unconditional', 'X-Genesys-Debug: 1'],
      has: [
        `^INVITE sip:\\+442079460000@${HANDOFF.kore.replace(/\./g, '\\.')}:25090;transport=udp SIP/2\\.0\\r\\n`,
        '\\r\\nDiversion: <sip:\\+441614960000@byoc\\.example\\.pure\\.cloud>;reason=unconditional\\r\\n',
        '\\r\\nFrom: <sip:\\+13125550100@',
        '\\r\\nX-Genesys-Debug: 1\\r\\n',
      ],
      lacks: [],
    });
    const uas = sipp({ label: 'ho-numbers-gb-kore', scenario: files.uas, ...koreUas, timeoutS: 30 });
    await untilListening(uas.proc, 'udp', koreUas.ip, koreUas.port);
    const uac = sipp({ label: 'ho-numbers-gb-genesys', scenario: files.uac, ...genesysUac, service: '02079460000', timeoutS: 30 });
    passed({ kore: await uas.done, genesys: await uac.done });
  });

  it('a header Genesys reserves, from Kore: flagged and counted (the allowlist, which does not name it, keeps it off the wire)', async () => {
    const before = await metric(app, 'sipcase_reserved_headers_total', { from: 'kore', to: 'genesys', family: 'x-inin-*' });
    await handOff('ho-reserved', {
      answer: '202 Accepted',
      notifies: [{ frag: '200 OK', final: true }],
      conversation: 'cnv-reserved-1',
      referTo: EMBEDDED,
      line: 'X-Inin-Cnv: echoed-by-the-bot',
      referHas: [REFER_TO_EXACT],
      referLacks: ['\\n[Xx]-[Ii][Nn][Ii][Nn]-'],
    });
    expect(await metric(app, 'sipcase_reserved_headers_total', { from: 'kore', to: 'genesys', family: 'x-inin-*' })).toBe(before + 1);
    await untilLogged(app, /"header":"X-Inin-Cnv","msg":"X-Inin-Cnv: a header Genesys reserves for itself \(x-inin-\*\), from kore: kept back by the rules"/);
  });
});
