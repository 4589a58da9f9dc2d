/**
 * `npm run bench:limits`: the message sizes the drachtio-server on the PATH carries, found by
 * bisection on loopback, so that `limits.maxMessageBytes` can be checked against the engine in use
 * (after an upgrade, say). Two limits:
 * - the longest header line a peer may send: beyond it drachtio-server answers 400 itself;
 * - the largest message sipcase can hand drachtio-server: beyond it nothing is sent on, no error
 *   comes back, and the connection carries no further message (why nothing larger than
 *   limits.maxMessageBytes leaves sipcase: requests get 513, answers go without headers and body).
 * A raw UDP peer sends one INVITE per probe (no retransmission); the other peer, a UDP socket,
 * answers 486 so nothing stays open. Bounded: about a dozen probes per limit, 1.5 s each at most,
 * and drachtio-server and sipcase start afresh after each probe that wedged them.
 */
import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { outbound, outboundBytes } from '../relay/outbound.js';
import { loadConfig } from '../config.js';
import { parseRulesText } from '../rules/load.js';
import { rewrite } from '../rewrite/rewrite.js';
import { parseMessage } from '../sip/message.js';
import { ROOT, type Proc } from '../harness/processes.js';
import { presetRuleList, startDrachtio, startSipcase, writeLoopbackRules } from '../harness/loopback.js';
import { lo } from '../harness/loopback-addresses.js';

const NET = {
  drachtio: lo('bench:limits', 1),
  sip: 5060,
  admin: 9022,
  http: 9080,
  secret: 'sipcase-limits',
  caller: lo('bench:limits', 3),
  callee: lo('bench:limits', 2),
  port: 5090,
};

/** The callee: answers every INVITE 486 and reports the probes it saw (by X-Probe: the far leg has its own Call-ID). */
async function callee(): Promise<{ socket: Socket; saw: Set<string> }> {
  const saw = new Set<string>();
  const socket = createSocket('udp4');
  socket.on('message', (m, from) => {
    const text = m.toString('latin1');
    if (!text.startsWith('INVITE ')) return;
    const line = (name: string) => text.split('\r\n').filter((l) => l.toLowerCase().startsWith(`${name}:`));
    saw.add((line('x-probe')[0] ?? '').slice(8).trim());
    const to = `${line('to')[0] ?? 'To: <sip:x>'};tag=limits`;
    socket.send(
      [`SIP/2.0 486 Busy Here`, ...line('via'), ...line('from'), to, ...line('call-id'), ...line('cseq'), 'Content-Length: 0', '', ''].join('\r\n'),
      from.port,
      from.address,
    );
  });
  await new Promise<void>((resolve) => socket.bind(NET.port, NET.callee, () => resolve()));
  return { socket, saw };
}

let n = 0;
/** A Kore INVITE with the given extra header lines. */
function invite(lines: readonly string[]): { callId: string; text: string } {
  const callId = `limits-${process.pid}-${++n}`;
  const head = [
    `INVITE sip:+14445556666@${NET.drachtio}:${NET.sip} SIP/2.0`,
    `Via: SIP/2.0/UDP ${NET.caller}:5070;branch=z9hG4bK-limits-${n}`,
    'Max-Forwards: 70',
    `From: <sip:kore@${NET.caller}>;tag=l${n}`,
    'To: <sip:+14445556666@genesys>',
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:${NET.caller}:5070>`,
    `X-Probe: ${callId}`,
    ...lines,
    'Content-Length: 0',
  ];
  return { callId, text: `${head.join('\r\n')}\r\n\r\n` };
}

type Outcome = 'relayed' | 'refused' | 'lost';

async function probe(caller: Socket, saw: Set<string>, lines: readonly string[]): Promise<Outcome> {
  const { callId, text } = invite(lines);
  const answers: string[] = [];
  const listen = (m: Buffer) => {
    const t = m.toString('latin1');
    if (t.includes(callId)) answers.push(t.split('\r\n')[0] ?? '');
  };
  caller.on('message', listen);
  caller.send(text, NET.sip, NET.drachtio);
  const end = Date.now() + 1500;
  while (Date.now() < end && !saw.has(callId) && !answers.some((a) => /^SIP\/2\.0 [4-6]/.test(a))) await new Promise((r) => setTimeout(r, 50));
  caller.off('message', listen);
  if (saw.has(callId)) return 'relayed';
  return answers.some((a) => /^SIP\/2\.0 [4-6]/.test(a)) ? 'refused' : 'lost';
}

/** The largest size in [low, high] for which `passes` holds (it holds at low, not at high). */
async function bisect(low: number, high: number, passes: (size: number) => Promise<boolean>): Promise<number> {
  while (high - low > 16) {
    const mid = Math.floor((low + high) / 2);
    if (await passes(mid)) low = mid;
    else high = mid;
  }
  return low;
}

interface Stack {
  readonly drachtio: Proc;
  readonly app: Proc;
}

async function startStack(work: string, rulesFile: string): Promise<Stack> {
  const drachtio = await startDrachtio(work, 'drachtio', {
    admin: { host: NET.drachtio, port: NET.admin, secret: NET.secret },
    sip: `${NET.drachtio}:${NET.sip}`,
    preserve: 'User-to-User',
    loglevel: 'notice',
    sofiaLoglevel: 0,
  });
  // sipcase's own limit lifted, so that drachtio-server's shows.
  const app = await startSipcase(work, 'sipcase', {
    drachtio: { host: NET.drachtio, port: NET.admin, secret: NET.secret },
    rules: rulesFile,
    http: { host: NET.drachtio, port: NET.http },
    env: { SIPCASE_MAX_MESSAGE_BYTES: '1000000' },
  }).catch(async (e: unknown) => {
    await drachtio.stop();
    throw e;
  });
  return { drachtio, app };
}

async function stopStack(s: Stack): Promise<void> {
  await s.app.stop();
  await s.drachtio.stop();
}

async function main(): Promise<number> {
  const work = join(ROOT, 'bench-runs', 'limits');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const version = spawnSync('drachtio', ['--version'], { encoding: 'utf8' }).stdout.trim();
  const rulesFile = writeLoopbackRules(join(work, 'rules.json'), { genesys: NET.callee, kore: NET.caller, port: NET.port });
  const parsed = parseRulesText(
    JSON.stringify({
      peers: { genesys: { sources: [NET.callee], target: 'sip:x' }, kore: { sources: [NET.caller], target: 'sip:y' } },
      rules: presetRuleList(),
    }),
  );
  if (!parsed.ok) throw new Error('the preset does not load');
  let stack = await startStack(work, rulesFile);
  const { socket: genesys, saw } = await callee();
  const kore = createSocket('udp4');
  await new Promise<void>((resolve) => kore.bind(5070, NET.caller, () => resolve()));
  try {
    console.log(`drachtio-server: ${version || 'version unknown'}`);
    const line = await bisect(1000, 32000, async (size) => (await probe(kore, saw, [`X-Long: ${'a'.repeat(size - 8)}`])) === 'relayed');
    const refusedBeyond = await probe(kore, saw, [`X-Long: ${'a'.repeat(line + 32 - 8)}`]);
    console.log(`longest header line a peer may send: ${line} bytes (longer: ${refusedBeyond === 'refused' ? 'refused by drachtio-server' : refusedBeyond})`);
    // Many short lines (each well under the line limit) make a large request.
    const lines = (bytes: number) => Array.from({ length: Math.ceil(bytes / 64) }, (_, i) => `X-Pad-${String(i).padStart(4, '0')}: ${'v'.repeat(50)}`);
    const handed = (bytes: number) =>
      outboundBytes(outbound(rewrite(parsed.value, parseMessage(invite(lines(bytes)).text), { from: 'kore', to: 'genesys' }).message));
    // A request drachtio-server loses wedges sipcase's connection to it: start afresh after each.
    const fits = async (size: number) => {
      const outcome = await probe(kore, saw, lines(size));
      if (outcome === 'lost') {
        await stopStack(stack);
        stack = await startStack(work, rulesFile);
      }
      return outcome === 'relayed';
    };
    const largest = await bisect(2000, 40000, fits);
    const carried = handed(largest);
    const lostBeyond = await probe(kore, saw, lines(largest + 128));
    const after = await probe(kore, saw, []);
    console.log(
      `largest request sipcase can hand drachtio-server: ${carried} bytes of header lines and body (larger: ${lostBeyond === 'lost' ? 'never sent on, no error' : lostBeyond})`,
    );
    console.log(
      `after one larger request, a small call is ${after === 'relayed' ? 'still relayed' : 'lost too: the connection to drachtio-server carries nothing more'}`,
    );
    const limit = loadConfig(undefined, {}).limits.maxMessageBytes;
    console.log(`limits.maxMessageBytes default ${limit}: ${limit < carried ? 'below it, ok' : 'NOT below it: lower limits.maxMessageBytes'}`);
    return limit < carried ? 0 : 1;
  } finally {
    kore.close();
    genesys.close();
    await stopStack(stack);
  }
}

process.exitCode = await main();
