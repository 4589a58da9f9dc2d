/**
 * `npm run bench:relay`: sipcase's own CPU a call, with no sockets and no drachtio-server: calls of
 * the load benchmark's flow (Kore's INVITE with a mis-cased User-To-User, Genesys' 200, Kore's BYE)
 * driven through the real edge (edge/handlers.ts: source guard, admission) and relay (relay/invite.ts,
 * relay/call.ts), real metrics (prom-client) and a real logger at info (to /dev/null), around an
 * engine that answers at once. What it leaves out is
 * what the bare B2BUA pays too (drachtio-srf's parse and serialise, the socket). Bounded: ROUNDS
 * rounds of CALLS calls; each row is the best round, as process CPU time (user + system) a call.
 *   node dist/bench/relay.js [calls a round]
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import type { Dialog, Engine, InboundRequest, InboundResponse, ResponseChannel } from '../drachtio/engine.js';
import { handlers } from '../edge/handlers.js';
import { SourceRate } from '../edge/source-rate.js';
import { Metrics } from '../ops/metrics.js';
import { Calls } from '../relay/calls.js';
import { handleInvite } from '../relay/invite.js';
import { metricValue } from './measure.js';
import type { RelayPorts } from '../relay/ports.js';
import { parseRulesText } from '../rules/load.js';
import { RecentHandoffs } from '../transfer/fallback.js';

const CALLS = Number(process.argv[2] ?? 20_000);
const ROUNDS = 7;
const KORE = '198.51.100.20';

const root = new URL('../../', import.meta.url);
const loaded = parseRulesText(readFileSync(new URL('config/rules.json', root), 'utf8'));
if (!loaded.ok) throw new Error('preset rules do not load');
const rules = loaded.value;

const crlf = (lines: readonly string[]) => `${lines.join('\r\n')}\r\n`;
const SDP = crlf(['v=0', 'o=kore 1 1 IN IP4 198.51.100.20', 's=-', 'c=IN IP4 198.51.100.20', 't=0 0', 'm=audio 6000 RTP/AVP 0', 'a=sendrecv']);

/** Each call's messages as the load benchmark's SIPp sends them, with the call's own Call-ID. */
function messages(n: number): { invite: string; ok: string; bye: string } {
  const callId = `${n}-bench@198.51.100.20`;
  const dialog = (cseq: string) => [
    'Via: SIP/2.0/UDP 198.51.100.20:5070;branch=z9hG4bK-' + n + ';rport',
    'Max-Forwards: 70',
    `From: "Kore VG" <sip:+15550001111@kore-vg.example.com>;tag=${n}SIPpTag00`,
    'To: <sip:+14445556666@203.0.113.10:5060>',
    `Call-ID: ${callId}`,
    `CSeq: ${cseq}`,
  ];
  const invite = crlf([
    'INVITE sip:+14445556666@203.0.113.10:5060 SIP/2.0',
    ...dialog('1 INVITE'),
    'Contact: <sip:198.51.100.20:5070>',
    'User-To-User: 00436F6E74657874313233;encoding=hex;purpose=isdn-uui;content=isdn-uui',
    'Content-Type: application/sdp',
    `Content-Length: ${SDP.length}`,
    '',
  ]);
  const ok = crlf([
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-b' + n,
    `From: <sip:+15550001111@127.0.0.1>;tag=b${n}`,
    `To: <sip:+14445556666@203.0.113.50:5090>;tag=${n}SIPpTag01`,
    `Call-ID: b-${callId}`,
    'CSeq: 1 INVITE',
    'Contact: <sip:203.0.113.50:5090>',
    'Content-Type: application/sdp',
    `Content-Length: ${SDP.length}`,
    '',
  ]);
  const bye = crlf(['BYE sip:127.0.0.1:5060 SIP/2.0', ...dialog('2 BYE'), 'Content-Length: 0', '']);
  return { invite: invite + SDP, ok: ok + SDP, bye };
}

class Leg extends EventEmitter {
  constructor(
    readonly res: InboundResponse,
    readonly sip = { callId: 'b-leg' },
    readonly id = 'leg',
  ) {
    super();
  }
  request(): Promise<InboundResponse> {
    return Promise.resolve(this.res);
  }
  destroy(): Promise<void> {
    return Promise.resolve();
  }
}

function inbound(method: string, raw: string): InboundRequest {
  return Object.assign(new EventEmitter(), {
    method,
    uri: 'sip:+14445556666@203.0.113.10:5060',
    raw,
    body: '',
    source_address: KORE,
    source_port: 5070,
    get: (name: string) => (name === 'Call-ID' ? /^Call-ID: (.*)$/m.exec(raw)?.[1] : undefined),
  }) as unknown as InboundRequest;
}

const answered: ResponseChannel = { send: () => undefined, finalResponseSent: false };

/** The callee's leg of the call being placed: the engine answers 200 at once. */
let next: { ok: InboundResponse; uas: Leg } | undefined;
const engine: Engine = {
  createUAC: (_uri, _opts, _progress, adopt) => {
    const leg = new Leg((next as { ok: InboundResponse }).ok) as unknown as Dialog;
    adopt?.(leg);
    return Promise.resolve(leg);
  },
  createUAS: (_req, _res, _opts, adopt) => {
    const leg = (next as { uas: Leg }).uas as unknown as Dialog;
    adopt?.(leg);
    return Promise.resolve(leg);
  },
  removeDialog: () => undefined,
};

const metrics: Metrics = new Metrics({
  liveCalls: () => calls.size,
  rememberedValues: () => 0,
  dialogsHeld: () => 0,
  callsByState: () => ({}),
  ready: () => true,
});
const calls = new Calls(metrics);
const log = pino({ level: 'info', base: { app: 'sipcase' } }, pino.destination({ dest: '/dev/null', sync: false, minLength: 4096 }));
const ports: RelayPorts = {
  engine,
  rules: () => rules,
  log,
  observer: metrics,
  calls,
  maxMessageBytes: 10_240,
  proxies: [],
  outboundProxy: undefined,
  drainRetryAfterS: 60,
  // As sipcase runs by default: every answered call watched (30 s liveness, a 4-hour ceiling).
  watch: { livenessMs: 30_000, maxAgeMs: 14_400_000 },
  maxSetupMs: 180_000,
  transfers: { observer: metrics, settings: { resultMs: 120_000, conversationKey: 'x-inin-cnv' }, handoffs: new RecentHandoffs() },
};

/** The edge as sipcase mounts it; the relay's promise for the INVITE it was handed, to wait on. */
let placing: Promise<void> = Promise.resolve();
const edge = handlers({
  rules: () => rules,
  log,
  observer: metrics,
  proxies: [],
  sourceRate: new SourceRate(0, 0), // one caller address sends every call, as in the load benchmark
  availability: { draining: false, serving: true },
  limits: { maxCalls: 1e9, busyRetryAfterS: 5, drainRetryAfterS: 60 },
  liveCalls: () => calls.size,
  invite: (req, res, parties) => (placing = handleInvite(ports, req, res, parties)),
});

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One call: INVITE in, 200 back, BYE from the caller; resolves once the call has ended. */
async function call(n: number): Promise<void> {
  const m = messages(n);
  const uas = new Leg({ status: 200, reason: 'OK', raw: m.ok, body: '' });
  next = { ok: { status: 200, reason: 'OK', raw: m.ok, body: SDP }, uas };
  const invite = inbound('INVITE', m.invite);
  edge.guard(invite, answered, () => edge.invite(invite, answered, () => undefined));
  await placing;
  uas.emit('destroy', inbound('BYE', m.bye), 'normal release');
  await turn();
  await turn();
}

async function round(): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) await call(i);
  const used = process.cpuUsage(start);
  if (calls.size !== 0) throw new Error(`${calls.size} calls still live after a round`);
  return (used.user + used.system) / CALLS;
}

async function main(): Promise<void> {
  await round(); // warm-up: the JIT, prom-client's label children
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) rounds.push(await round());
  rounds.sort((a, b) => a - b);
  const best = rounds[0] as number;
  const median = rounds[Math.floor(ROUNDS / 2)] as number;
  // The histogram the load benchmark reads as rewriteUs, here with no other process on the cores.
  const text = await metrics.text();
  const rewriteUs = (metricValue(text, 'sipcase_rewrite_duration_seconds_sum') / metricValue(text, 'sipcase_rewrite_duration_seconds_count')) * 1e6;
  process.stdout.write(
    `sipcase relay, in process (fake engine, preset rules, metrics, log at info to /dev/null), node ${process.version}\n` +
      `${ROUNDS} rounds x ${CALLS.toLocaleString('en-US')} calls (INVITE, 200, BYE: 3 messages rewritten a call)\n` +
      `CPU a call: best ${best.toFixed(1)} us, median ${median.toFixed(1)} us; a message: best ${(best / 3).toFixed(1)} us\n` +
      `rewriteUs (its rewrite step, mean over every round): ${rewriteUs.toFixed(1)} us\n`,
  );
  log.flush();
}

await main();
