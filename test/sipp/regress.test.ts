/**
 * `sipcase regress` end to end, the built CLI as a user runs it (it starts drachtio-server, sipcase
 * and SIPp on 127.0.9.x itself): the preset rules pass every standard flow; a user's own rules,
 * peers and scenario folder are run and judged flow by flow; what is missing is said in one line.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOGS, ROOT, which } from './stack.js';

const ready = which('drachtio') !== undefined && which('sipp') !== undefined;
if (!ready) process.stdout.write('skipped: no drachtio-server\n');

const DIR = join(LOGS, 'regress');

function regress(args: string[], env: NodeJS.ProcessEnv = process.env): { code: number | null; out: string } {
  const r = spawnSync('node', [join(ROOT, 'dist/cli.js'), 'regress', ...args], { encoding: 'utf8', env, timeout: 240_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe.skipIf(!ready)('sipcase regress', () => {
  it('the preset rules: every standard flow in both directions, and a stranger, pass', () => {
    const r = regress(['--rules', join(ROOT, 'config/rules.json'), '--work', join(DIR, 'preset')]);
    expect(r.code, r.out).toBe(0);
    for (const dir of ['genesys->kore', 'kore->genesys'])
      for (const flow of ['basic', 'transfer', 'busy', 'cancel'])
        expect(r.out).toMatch(new RegExp(`^PASS  ${dir} ${flow}  [1-9]\\d* messages checked against the rules$`, 'm'));
    // The hand-off: Kore's REFER without UUI, checked to arrive with the UUI of Genesys' INVITE.
    expect(r.out).toMatch(/^PASS {2}genesys->kore transfer without user-to-user, x-user-to-user {2}[1-9]\d* messages checked against the rules$/m);
    const referTo = readFileSync(join(DIR, 'preset', 'genesys-_kore_transfer_without_user-to-user_x-user-to-user.uac.messages.log'), 'latin1').match(
      /^Refer-To: .*$/m,
    );
    expect(referTo?.[0]).toBe('Refer-To: <sip:transfer-target@example.com?User-to-User=00436F6E74657871%3Bencoding%3Dhex>');
    expect(r.out).toMatch(/^PASS {2}stranger {2}/m);
    expect(r.out).toContain('regress: 10 passed, 0 failed');
  }, 240_000);

  it("a user's rules and scenario folder: their peers, their headers, their own pairs, one line each, exit 1 when one fails", () => {
    const work = join(DIR, 'user');
    rmSync(work, { recursive: true, force: true });
    mkdirSync(join(work, 'scenarios', 'carrier-to-pbx'), { recursive: true });
    const rules = join(work, 'rules.json');
    writeFileSync(
      rules,
      JSON.stringify({
        peers: { carrier: { sources: ['192.0.2.10'], target: 'sip:192.0.2.10' }, pbx: { sources: ['198.51.100.7'], target: 'sip:198.51.100.7' } },
        rules: [
          { name: 'context-case', when: { to: 'pbx' }, actions: [{ action: 'case', header: 'X-call-CONTEXT' }] },
          { name: 'no-debug', actions: [{ action: 'remove', header: 'X-Debug' }] },
          { name: 'one-diversion', when: { to: 'carrier' }, actions: [{ action: 'single', header: 'Diversion' }] },
        ],
      }),
    );
    const mine = join(work, 'scenarios', 'carrier-to-pbx');
    copyFileSync(join(ROOT, 'src/regress/flows/busy-uac.xml'), join(mine, 'refused-uac.xml'));
    copyFileSync(join(ROOT, 'src/regress/flows/busy-uas.xml'), join(mine, 'refused-uas.xml'));
    copyFileSync(join(ROOT, 'src/regress/flows/busy-uac.xml'), join(mine, 'wants-x-never-uac.xml'));
    // A pair whose callee insists on a header nobody sends: it must fail, and say where to look.
    writeFileSync(
      join(mine, 'wants-x-never-uas.xml'),
      `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="wants X-Never">
  <recv request="INVITE"><action><ereg regexp="\\r\\nX-Never: 1\\r\\n" search_in="msg" check_it="true" assign_to="never"/></action></recv>
  <send><![CDATA[
SIP/2.0 486 Busy Here
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
  <recv request="ACK"/>
  <Reference variables="never"/>
</scenario>
`,
    );
    const r = regress(['--rules', rules, '--scenarios', join(work, 'scenarios'), '--work', join(work, 'run')]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain('peers on loopback (carrier 127.0.9.10, pbx 127.0.9.11)');
    for (const dir of ['carrier->pbx', 'pbx->carrier'])
      for (const flow of ['basic', 'transfer', 'busy', 'cancel']) expect(r.out).toMatch(new RegExp(`^PASS  ${dir} ${flow}  `, 'm'));
    expect(r.out).toMatch(/^PASS {2}carrier-to-pbx\/refused {2}[1-9]\d* messages checked/m);
    expect(r.out).toMatch(/^FAIL {2}carrier-to-pbx\/wants-x-never {2}pbx's SIPp: .*\(trace .*wants-x-never\.uas\.messages\.log\)$/m);
    expect(r.out).toContain('regress: 10 passed, 1 failed');
  }, 240_000);

  it('says in one line what it needs when drachtio-server is not on the PATH', () => {
    const r = regress(['--rules', join(ROOT, 'config/rules.json'), '--work', join(DIR, 'nothing')], { ...process.env, PATH: '/usr/bin:/bin' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^sipcase: drachtio-server is not on the PATH: /);
  });
});
