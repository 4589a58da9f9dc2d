/**
 * End-to-end: call context through sipcase and a real drachtio-server. Genesys (SIPp) calls Kore
 * (SIPp) with UUI on its INVITE; Kore answers and hands the call back with a REFER. With the preset
 * rules, a REFER that carries no UUI reaches Genesys with the INVITE's UUI embedded in Refer-To:
 * no bot code. Genesys' scenario checks the exact Refer-To line it receives.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { untilListening } from '../../src/harness/processes.js';
import {
  LOGS,
  SCENARIOS,
  metric,
  passed,
  untilLogged,
  presetRuleList,
  peerEnds,
  sipp,
  startStack,
  untilMetrics,
  which,
  writeRules,
  type Net,
  type Proc,
  type Sipcase,
  suiteNet,
} from './stack.js';

const ready = which('drachtio') !== undefined && which('sipp') !== undefined;
if (!ready) process.stdout.write('skipped: no drachtio-server\n');

const CONTEXT: Net = suiteNet('context', 'sipcase-context');
const RULES = join(LOGS, 'context-rules.json');
const { koreUas, genesysUac } = peerEnds(CONTEXT);

const BYOC = 'sip:+14445556666@byoc.example.pure.cloud';
const KORE_UUI = 'XXcfo|64f0c3a1e2b74d1c9c2a;encoding=ascii';

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Genesys' side of the hand-off (genesys-transfer-uac.xml) with `inviteUui` on its INVITE, checking
 * that the REFER's Refer-To is exactly `referTo` (and, as there, that no UUI header line arrives).
 */
function genesysScenario(label: string, inviteUui: string, referTo: string): string {
  const base = readFileSync(join(SCENARIOS, 'genesys-transfer-uac.xml'), 'latin1');
  const exact = escapeXml(`\\r\\nRefer-To: ${escapeRegex(referTo)}\\r\\n`);
  const text = base
    .replace('CSeq: 1 INVITE\n', `CSeq: 1 INVITE\nUser-to-User: ${inviteUui}\n`)
    .replace(
      /<ereg regexp="[^"]*" search_in="msg" check_it="true" assign_to="refer_to_exact"\/>/,
      `<ereg regexp="${exact}" search_in="msg" check_it="true" assign_to="refer_to_exact"/>`,
    );
  if (!text.includes(`User-to-User: ${inviteUui}`) || !text.includes(exact))
    throw new Error('genesys-transfer-uac.xml no longer has the lines this suite adapts');
  const file = join(LOGS, `${label}-genesys.xml`);
  writeFileSync(file, text, 'latin1');
  return file;
}

/** Kore answers, holds the call `holdMs`, then REFERs to `referTo` with `uuiLine` (or a harmless line). */
const koreSide = (label: string, uuiLine = 'X-Flow: no-uui', holdMs = 200, calls = 1) => ({
  label: `${label}-kore`,
  scenario: join(SCENARIOS, 'kore-transfer-uas.xml'),
  ...koreUas,
  pauseMs: holdMs,
  calls,
  keys: { refer_to: `<${BYOC}>`, uui_line: uuiLine },
});

/** Genesys calls, from its own port (so that two calls can run at once). */
const genesysSide = (label: string, scenario: string, port = genesysUac.port) => ({
  label: `${label}-genesys`,
  scenario,
  ...genesysUac,
  port,
  service: '+15557770000',
});

async function handOff(label: string, uas: ReturnType<typeof koreSide>, ...uacs: ReturnType<typeof genesysSide>[]) {
  const kore = sipp(uas);
  await untilListening(kore.proc, 'udp', uas.ip, uas.port);
  const genesys = uacs.map((u) => sipp(u).done);
  const runs = await Promise.all([kore.done, ...genesys]);
  passed(Object.fromEntries(runs.map((r, i) => [i === 0 ? `${label} kore` : `${label} genesys ${i}`, r])));
}

describe.skipIf(!ready)('call context: the UUI of the INVITE carried into the transfer by sipcase itself', () => {
  let server: Proc;
  let app: Sipcase;

  beforeAll(async () => {
    ({ server, app } = await startStack('context', CONTEXT, writeRules(CONTEXT, RULES)));
  }, 30_000);

  afterAll(async () => {
    await app?.stop();
    await server?.stop();
  });

  it("a REFER with no UUI: Genesys receives exactly one UUI, its own INVITE's, in Refer-To as User-to-User=<value %-encoded>, and no UUI line", async () => {
    const uui = '0048656C6C6F;encoding=hex';
    await handOff(
      'ctx-handoff',
      koreSide('ctx-handoff'),
      genesysSide('ctx-handoff', genesysScenario('ctx-handoff', uui, `<${BYOC}?User-to-User=0048656C6C6F%3Bencoding%3Dhex>`)),
    );
  });

  it("a REFER that carries UUI behaves as before: Kore's value, moved into Refer-To; Genesys' INVITE UUI is not used", async () => {
    const scenario = genesysScenario('ctx-kore-uui', '0048656C6C6F;encoding=hex', `<${BYOC}?User-to-User=XXcfo%7C64f0c3a1e2b74d1c9c2a%3Bencoding%3Dascii>`);
    await handOff('ctx-kore-uui', koreSide('ctx-kore-uui', `User-To-User: ${KORE_UUI}`), genesysSide('ctx-kore-uui', scenario));
  });

  it("two calls at once each carry their own INVITE's UUI, and the memory is let go when they end", async () => {
    const a = genesysScenario('ctx-two-a', '00416C696365;encoding=hex', `<${BYOC}?User-to-User=00416C696365%3Bencoding%3Dhex>`);
    const b = genesysScenario('ctx-two-b', '00426F62;encoding=hex', `<${BYOC}?User-to-User=00426F62%3Bencoding%3Dhex>`);
    const flow = handOff('ctx-two', koreSide('ctx-two', undefined, 2500, 2), genesysSide('ctx-two-a', a), genesysSide('ctx-two-b', b, genesysUac.port + 1));
    // While Kore holds both calls, each holds one remembered value.
    await untilMetrics(app, 'both calls holding their UUI', (t) => /^sipcase_remembered_values 2$/m.test(t), 5000);
    await flow;
    await untilMetrics(app, 'the memory let go', (t) => /^sipcase_remembered_values 0$/m.test(t) && /^sipcase_live_calls 0$/m.test(t), 5000);
  }, 30_000);

  it('a long UUI: carried with a too-long finding under the limit, not remembered over it (the REFER leaves bare), never a message over the limit', async () => {
    const tooLong0 = await metric(app, 'sipcase_uui_findings_total', { kind: 'too-long' });
    const long = `00${'41'.repeat(150)};encoding=hex`; // 315 characters: Genesys' limit is 128
    const carried = genesysScenario('ctx-long', long, `<${BYOC}?User-to-User=${long.replace(';encoding=hex', '%3Bencoding%3Dhex')}>`);
    await handOff('ctx-long', koreSide('ctx-long'), genesysSide('ctx-long', carried));
    // Flagged on the INVITE toward Kore and again on the REFER toward Genesys.
    expect(await metric(app, 'sipcase_uui_findings_total', { kind: 'too-long' })).toBe(tooLong0 + 2);
    const over = `00${'42'.repeat(520)};encoding=hex`; // 1,055 characters: more than a call remembers
    await handOff('ctx-over', koreSide('ctx-over'), genesysSide('ctx-over', genesysScenario('ctx-over', over, `<${BYOC}>`)));
    await untilLogged(app, /"rule":"remember-genesys-uui".*"detail":"skipped: 1055 characters, over 1024"/);
  }, 30_000);

  it("rules reloaded mid-call: the call keeps what it remembered, and its REFER still gets the INVITE's UUI", async () => {
    const ok0 = await metric(app, 'sipcase_rules_reloads_total', { result: 'ok' });
    const scenario = genesysScenario('ctx-reload', '00436172726965;encoding=hex', `<${BYOC}?User-to-User=00436172726965%3Bencoding%3Dhex>`);
    const flow = handOff('ctx-reload', koreSide('ctx-reload', undefined, 3000), genesysSide('ctx-reload', scenario));
    await untilMetrics(app, 'the call holding its UUI', (t) => /^sipcase_remembered_values 1$/m.test(t), 5000);
    // New rules: the preset with the remember rule described otherwise (so the file differs).
    const changed = presetRuleList().map((r) => ((r as { name: string }).name === 'remember-genesys-uui' ? { ...(r as object), description: 'reloaded' } : r));
    writeRules(CONTEXT, RULES, changed);
    await untilMetrics(app, 'the reload during the call', (t) => t.includes(`sipcase_rules_reloads_total{result="ok"} ${ok0 + 1}`), 3000);
    await flow;
    expect(await metric(app, 'sipcase_remembered_values')).toBe(0);
  }, 30_000);
});
