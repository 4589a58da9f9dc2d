/**
 * `sipcase replay` on captures this suite makes itself: dumpcap (Debian's, from tshark) records
 * SIPp flows on loopback (127.0.7.x), as pcapng over UDP and as classic pcap over TCP; the built CLI
 * replays them through the preset rules; headless Chromium (Debian's) opens the HTML ladder and the
 * test reads back what it drew.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { track, until, untilListening } from '../../src/harness/processes.js';
import { writeLoopbackRules } from '../../src/harness/loopback.js';
import { LOGS, ROOT, sipp, which } from './stack.js';
import { handoffScenarios, type Handoff, type Notify } from './handoff-scenarios.js';
import { lo } from '../../src/harness/loopback-addresses.js';

const tools = ['sipp', 'dumpcap', 'chromium'].filter((t) => which(t) === undefined);
if (tools.length > 0) process.stdout.write(`skipped: no ${tools.join(', ')}\n`);

const DIR = join(LOGS, 'replay');
const GENESYS = lo('replay', 2);
const KORE = lo('replay', 3);
const STRANGER = lo('replay', 9);
const UAS_PORT = 25190;
const RULES = join(DIR, 'rules.json');

const BYOC = 'sip:+14445556666@byoc.example.pure.cloud';
const TRYING: Notify = { frag: '100 Trying', final: false };
/** A hand-off as handoff-scenarios.ts plays it, with no checks on the REFER: the capture is what matters here. */
const handoff = (conversation: string, answer: string, notifies: Notify[], referTo: string, line = 'X-Flow: day'): Handoff => ({
  answer,
  notifies,
  conversation,
  referTo,
  line,
  referHas: [],
  referLacks: [],
});

/** Records loopback traffic matching `filter` while `flow` runs; the file as dumpcap wrote it. */
async function capture(name: string, filter: string, format: 'pcapng' | 'pcap', flow: () => Promise<unknown>): Promise<string> {
  const file = join(DIR, `${name}.${format}`);
  const proc = track(
    spawn('dumpcap', ['-i', 'lo', '-f', filter, format === 'pcap' ? '-P' : '-n', '-w', file], { stdio: ['ignore', 'pipe', 'pipe'] }),
    join(DIR, `${name}.dumpcap.log`),
  );
  try {
    await until(
      'dumpcap capturing',
      () => {
        if (proc.child.exitCode !== null) throw new Error(`dumpcap exited with ${proc.child.exitCode}: see ${proc.log}`);
        return existsSync(proc.log) && readFileSync(proc.log, 'utf8').includes('Capturing on');
      },
      10_000,
    );
    await flow();
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    await proc.stop();
  }
  return file;
}

/** Kore calls Genesys with the given header lines, over UDP or TCP; Genesys answers; Kore hangs up. */
async function call(label: string, lines: string, transport: 'udp' | 'tcp'): Promise<void> {
  const t = transport === 'tcp' ? 't1' : 'u1';
  const uas = sipp({ label: `${label}-genesys`, scenario: 'answer-uas.xml', ip: GENESYS, port: UAS_PORT, transport: t });
  await untilListening(uas.proc, transport, GENESYS, UAS_PORT);
  const uac = sipp({
    label: `${label}-kore`,
    scenario: 'kore-lines-uac.xml',
    ip: KORE,
    port: 25170,
    remote: `${GENESYS}:${UAS_PORT}`,
    service: '+14445556666',
    keys: { lines },
    transport: t,
  });
  const [u, c] = await Promise.all([uas.done, uac.done]);
  expect([u.code, c.code], `${u.errors}\n${c.errors}`).toEqual([0, 0]);
}

function replay(...args: string[]): { code: number | null; out: string } {
  const r = spawnSync('node', [join(ROOT, 'dist/cli.js'), 'replay', '--rules', RULES, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe.skipIf(tools.length > 0)('sipcase replay on real captures', () => {
  beforeAll(() => {
    mkdirSync(DIR, { recursive: true });
    writeLoopbackRules(RULES, { genesys: GENESYS, kore: KORE, port: UAS_PORT });
  });

  it('pcapng, SIP over UDP: each message gets its direction and its rewrites; a stranger would be refused; a clean flow passes --strict', async () => {
    const file = await capture('udp', `udp port ${UAS_PORT}`, 'pcapng', async () => {
      await call('cap-udp', 'User-To-User: 00436F6E74657874313233;encoding=hex;purpose=isdn-uui;content=isdn-uui', 'udp');
      const probe = await sipp({ label: 'cap-stranger', scenario: 'options-uac.xml', ip: STRANGER, port: 25170, remote: `${GENESYS}:${UAS_PORT}`, timeoutS: 2 })
        .done;
      void probe; // nobody answers it: what matters is that the capture holds it
    });
    const r = replay('--strict', '--html', join(DIR, 'udp.html'), file);
    expect(r.code, r.out).toBe(0);
    // The stranger's OPTIONS, unanswered, is retransmitted: each copy would be refused.
    const refused = Number(/5 relayed, (\d+) would be refused, 0 unreadable/.exec(r.out)?.[1]);
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(
      r.out
        .split('\n')
        .filter((l) => l.includes('would be refused: '))
        .every((l) => l.includes(`udp ${STRANGER}:25170 -> `) && l.includes(' OPTIONS ')),
    ).toBe(true);
    expect(r.out).toMatch(/kore->genesys INVITE\n {4}uui-exact-case-to-genesys: case User-to-User: User-To-User -> User-to-User\n/);
    expect(r.out).toMatch(/ 1 {2}kore->genesys INVITE\n/);
    expect(r.out).toMatch(/ 1 {2}genesys->kore INVITE response\n/);
    expect(r.out).toContain(`OPTIONS  would be refused: ${STRANGER} is no configured peer`);
    expect(r.out).toContain('messages that would still leave wrong: none');
  }, 30_000);

  it('classic pcap, SIP over TCP: the stream is cut into messages; a UUI that would still leave wrong fails --strict', async () => {
    const file = await capture('tcp', `tcp port ${UAS_PORT}`, 'pcap', () =>
      call('cap-tcp', 'User-To-User: 04ZZ12;encoding=hex\r\nuser-to-user: 0401;encoding=hex', 'tcp'),
    );
    expect(readFileSync(file).readUInt32LE(0)).toBe(0xa1b2c3d4); // classic pcap, as asked
    const r = replay('--strict', file);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain('5 relayed, 0 would be refused, 0 unreadable');
    expect(r.out).toMatch(/tcp 127\.0\.7\.3:\d+ -> 127\.0\.7\.2:25190 {2}kore->genesys INVITE\n/);
    // The preset keeps the first of two UUIs; the first has invalid hex, which no rule can mend.
    expect(r.out).toContain('uui-exactly-one: single User-to-User');
    expect(r.out).toContain('still: encoding-mismatch');
    expect(r.out).toContain('messages that would still leave wrong: 1 (toward genesys: 1)');
    expect(replay(file).code).toBe(0);
  }, 30_000);

  it("a capture of a day's hand-offs (Genesys calls Kore, Kore REFERs back): a transfer table with each outcome and UUI verdict", async () => {
    const day: [string, Handoff][] = [
      ['completed', handoff('cnv-day-1', '202 Accepted', [TRYING, { frag: '200 OK', final: true }], `<${BYOC}?User-To-User=XXcfo%7C1%3Bencoding%3Dascii>`)],
      ['refused', handoff('cnv-day-2', '603 Decline', [], `<${BYOC}>`, 'User-to-User: XXcfo|2;encoding=ascii')],
      ['failed', handoff('cnv-day-3', '202 Accepted', [TRYING, { frag: '486 Busy Here', final: true }], `<${BYOC}?User-to-User=XXcfo%7C3%3Bencoding%3Dascii>`)],
      ['silent', handoff('cnv-day-4', '202 Accepted', [TRYING], `<${BYOC}>`)],
    ];
    const file = await capture('handoffs', `udp port ${UAS_PORT}`, 'pcapng', async () => {
      for (const [name, h] of day) {
        const files = handoffScenarios(`cap-handoff-${name}`, h);
        const kore = sipp({ label: `cap-handoff-${name}-kore`, scenario: files.kore, ip: KORE, port: UAS_PORT, timeoutS: 20 });
        await untilListening(kore.proc, 'udp', KORE, UAS_PORT);
        const genesys = sipp({
          label: `cap-handoff-${name}-genesys`,
          scenario: files.genesys,
          ip: GENESYS,
          port: 25170,
          remote: `${KORE}:${UAS_PORT}`,
          service: '+15557770000',
          timeoutS: 20,
        });
        const [g, k] = await Promise.all([genesys.done, kore.done]);
        expect([g.code, k.code], `${g.errors}\n${k.errors}`).toEqual([0, 0]);
      }
    });
    const r = replay('--html', join(DIR, 'handoffs.html'), file);
    expect(r.code, r.out).toBe(0);
    const table = r.out.slice(r.out.indexOf('transfers: 4'));
    expect(table.split('\n')[0]).toBe('transfers: 4 (completed 1, refused 1, failed 1, no_result 1)');
    expect(table.split('\n')[1]).toMatch(/^ {2}frame +call +direction +target +answer +NOTIFYs +outcome +uui +verdict$/);
    const row = (cnv: string) =>
      table
        .split('\n')
        .find((l) => l.includes(` ${cnv} `))
        ?.trim()
        .split(/ {2,}/)
        .slice(1);
    expect(row('cnv-day-1')).toEqual(['cnv-day-1', 'kore->genesys', `<${BYOC}>`, '202', '100 Trying, 200 OK', 'completed 200', 'embedded', 'readable']);
    // The preset moves a header UUI into Refer-To: replayed, the REFER would leave readable.
    expect(row('cnv-day-2')).toEqual(['cnv-day-2', 'kore->genesys', `<${BYOC}>`, '603', '-', 'refused 603', 'embedded', 'readable']);
    expect(row('cnv-day-3')?.slice(4)).toEqual(['100 Trying, 486 Busy Here', 'failed 486', 'embedded', 'readable']);
    expect(row('cnv-day-4')?.slice(3)).toEqual(['202', '100 Trying', 'no_result', 'none', 'none']);
    const html = readFileSync(join(DIR, 'handoffs.html'), 'utf8');
    expect(html).toContain('<h2>Transfers: 4 (completed 1, refused 1, failed 1, no_result 1)</h2>');
  }, 60_000);

  it('the --html ladder is self-contained and headless Chromium draws every arrow, change and finding', () => {
    const html = readFileSync(join(DIR, 'udp.html'), 'utf8');
    expect(html).not.toMatch(/\s(?:src|href)=|url\((?!#)|@import/);
    // What the replay reported: each relayed message is an arrow in and one out, each refused one
    // an arrow in with a red note; each rewrite a green line.
    const out = replay(join(DIR, 'udp.pcapng')).out;
    const [relayed, refused] = (/(\d+) relayed, (\d+) would be refused/.exec(out) ?? []).slice(1).map(Number);
    const changes = out.split('\n').filter((l) => /^ {4}[\w-]+: \w/.test(l) && !l.startsWith('    still:')).length;
    expect([relayed, changes]).toEqual([5, 1]);
    const flags = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${join(DIR, 'chromium-profile')}`,
    ];
    const dom = spawnSync('chromium', [...flags, '--dump-dom', `file://${join(DIR, 'udp.html')}`], { encoding: 'utf8', timeout: 60_000 });
    const rendered = /data-rendered="([^"]*)"/.exec(dom.stdout)?.[1]?.replaceAll('&quot;', '"');
    expect(rendered, dom.stderr.slice(-2000)).toBeDefined();
    expect(JSON.parse(rendered as string)).toEqual({
      arrows: 2 * (relayed as number) + (refused as number),
      changes,
      memory: 0,
      findings: refused,
      transfers: 0,
    });
    spawnSync('chromium', [...flags, '--window-size=1300,800', `--screenshot=${join(DIR, 'udp.png')}`, `file://${join(DIR, 'udp.html')}`], { timeout: 60_000 });
    // The hand-offs' page: its transfer table, one row a transfer, drawn too.
    const handoffs = spawnSync('chromium', [...flags, '--dump-dom', `file://${join(DIR, 'handoffs.html')}`], { encoding: 'utf8', timeout: 60_000 });
    const drawn = /data-rendered="([^"]*)"/.exec(handoffs.stdout)?.[1]?.replaceAll('&quot;', '"');
    expect(JSON.parse(drawn as string)).toMatchObject({ transfers: 4 });
  }, 90_000);
});
