import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRESET_PATH, golden, vector } from '../../test/fixtures.js';
import { runCli } from './main.js';

async function cli(argv: string[], stdin: Buffer = Buffer.alloc(0)) {
  const out: Buffer[] = [];
  let err = '';
  const code = await runCli(argv, {
    stdout: (t) => out.push(Buffer.isBuffer(t) ? t : Buffer.from(t)),
    stderr: (t) => (err += t),
    readStdin: async () => stdin,
  });
  return { code, out: Buffer.concat(out), stdout: Buffer.concat(out).toString('latin1'), err };
}

const dir = mkdtempSync(join(tmpdir(), 'sipcase-cli-'));
function file(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('sipcase check', () => {
  it('passes the preset', async () => {
    const r = await cli(['check', PRESET_PATH]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok (2 peers, 7 rules; names emitted verbatim: User-to-User; remembered per call: genesysUui)');
  });

  it('names the JSON path of what is wrong and exits 1', async () => {
    const bad = file(
      'bad.json',
      JSON.stringify({ peers: { a: { sources: ['x'], target: 'sip:h' }, b: { sources: ['10.0.0.1'], target: 'sip:h' } }, rules: [] }),
    );
    const r = await cli(['check', bad]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('$.peers.a.sources[0]: "x" is not an IP address or CIDR range');
  });

  it('says so when the file is missing', async () => {
    const r = await cli(['check', join(dir, 'nope.json')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('cannot read');
  });
});

describe('sipcase rewrite', () => {
  it('prints the message exactly as it would go on the wire (from a file)', async () => {
    const r = await cli(['rewrite', '--rules', PRESET_PATH, '--from', 'kore', '--to', 'genesys', file('in.sip', vector('kore-refer-uui-header.sip'))]);
    expect(r.code).toBe(0);
    expect(r.out.equals(golden('kore-refer-uui-header.to-genesys.sip'))).toBe(true);
  });

  it('reads standard input with -', async () => {
    const r = await cli(['rewrite', '--rules', PRESET_PATH, '--from', 'kore', '--to', 'genesys', '-'], vector('kore-invite-uui.sip'));
    expect(r.out.equals(golden('kore-invite-uui.to-genesys.sip'))).toBe(true);
  });

  it('--diff shows each change with its rule, then a unified diff', async () => {
    const r = await cli(['rewrite', '--rules', PRESET_PATH, '--from', 'kore', '--to', 'genesys', '--diff', '-'], vector('kore-invite-uui.sip'));
    expect(r.stdout).toContain('# uui-exact-case-to-genesys: case User-to-User: User-To-User -> User-to-User\n');
    expect(r.stdout).toContain('\n-User-To-User: 00436F6E74657874313233');
    expect(r.stdout).toContain('\n+User-to-User: 00436F6E74657874313233');
  });

  it("--earlier puts the call's earlier messages through first: the bare REFER shows the INVITE's UUI at work", async () => {
    const invite = file('invite.sip', vector('genesys-invite.sip'));
    const refer = file('refer.sip', vector('kore-refer-no-uui.sip'));
    const r = await cli(['rewrite', '--rules', PRESET_PATH, '--earlier', `genesys:${invite}`, '--from', 'kore', '--to', 'genesys', refer]);
    expect(r.out.equals(golden('kore-refer-no-uui.after-genesys-invite.to-genesys.sip'))).toBe(true);
    const d = await cli(['rewrite', '--rules', PRESET_PATH, '--earlier', `genesys:${invite}`, '--from', 'kore', '--to', 'genesys', '--diff', refer]);
    expect(d.stdout).toContain('# the call remembers memory.genesysUui = "00A1B2C3;encoding=hex"\n');
    expect(d.stdout).toContain(
      '# uui-from-invite-into-refer: embed User-to-User: "00A1B2C3;encoding=hex" embedded in Refer-To URI (built from memory.genesysUui)\n',
    );
    const alone = await cli(['rewrite', '--rules', PRESET_PATH, '--from', 'kore', '--to', 'genesys', '--diff', refer]);
    expect(alone.stdout).toContain('# uui-from-invite-into-refer: embed User-to-User: skipped: ${memory.genesysUui} has no value\n');
    expect((await cli(['rewrite', '--rules', PRESET_PATH, '--earlier', invite, '--from', 'kore', '--to', 'genesys', refer])).err).toContain('--earlier');
  });

  it('--ladder with --earlier: the memory lines say where a value was remembered and where it was used', async () => {
    const invite = file('invite.sip', vector('genesys-invite.sip'));
    const argv = ['rewrite', '--rules', PRESET_PATH, '--earlier', `genesys:${invite}`, '--from', 'kore', '--to', 'genesys', '--ladder'];
    const html = (await cli([...argv, file('refer.sip', vector('kore-refer-no-uui.sip'))])).stdout;
    expect([...html.matchAll(/<text class="memory"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])).toEqual([
      'remembered memory.genesysUui = &#34;00A1B2C3;encoding=hex&#34;',
      'User-to-User built from memory.genesysUui (remembered at 1)',
    ]);
    expect(html).toContain('data-index="2"');
  });

  it('warns about UUI findings on stderr and still prints the message', async () => {
    const r = await cli(['rewrite', '--rules', PRESET_PATH, '--from', 'genesys', '--to', 'kore', '-'], vector('genesys-invite.sip'));
    expect(r.code).toBe(0);
    expect(r.err).toBe('warning: uui high-octet: hex payload decodes to octets of 128 or more\n');
  });

  it.each([
    [['rewrite', '--rules', 'x'], 'cannot read x'],
    [['rewrite', '--from', 'kore'], 'usage: sipcase rewrite'],
    [['rewrite', '--rules', PRESET_PATH, '--from', 'nobody', '--to', 'kore', '-'], '--from nobody: no such peer (peers: genesys, kore)'],
    [['rewrite', '--rules', PRESET_PATH, '--from', 'kore', '--to', 'genesys', '--colour', '-'], "Unknown option '--colour'"],
  ])('refuses %j with one line', async (argv, message) => {
    const r = await cli(argv);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(message);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  });

  it('arbitrary input never throws out of the CLI: an exit code and at most one error line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.boolean(), async (bytes, diff) => {
        const argv = ['rewrite', '--rules', PRESET_PATH, '--from', 'kore', '--to', 'genesys', ...(diff ? ['--diff'] : []), '-'];
        const r = await cli(argv, Buffer.from(bytes));
        expect([0, 1]).toContain(r.code);
        if (r.code === 1) expect(r.err).toMatch(/^sipcase: input is not a SIP message: [^\n]*\n$/);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary SIP-looking input never throws either', async () => {
    const line = fc.string({ unit: fc.constantFrom(...'INVTE SIP/2.0:;<>?=&%0Dxu-\t '.split('')), maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 8 }), async (lines) => {
        const r = await cli(
          ['rewrite', '--rules', PRESET_PATH, '--from', 'kore', '--to', 'genesys', '-'],
          Buffer.from(`INVITE sip:a@b SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n`),
        );
        expect([0, 1]).toContain(r.code);
      }),
      { numRuns: 300 },
    );
  });
});

describe('sipcase uui', () => {
  it('prints the parsed value and no findings for a good one', async () => {
    const r = await cli(['uui', '00436F6E74657874313233;encoding=hex;purpose=isdn-uui;content=isdn-uui']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('as text: "\\u0000Context123"');
    expect(r.stdout).toContain('findings: none');
  });

  it('prints findings; --strict turns them into exit 1', async () => {
    expect((await cli(['uui', '00A1'])).stdout).toContain('high-octet');
    expect((await cli(['uui', '--strict', '00A1'])).code).toBe(1);
  });

  it('refuses an empty value', async () => {
    const r = await cli(['uui', ' ']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('sipcase: empty UUI value\n');
  });
});

describe('sipcase', () => {
  it('prints help and its version', async () => {
    expect((await cli(['--help'])).stdout).toContain('sipcase rewrite --rules');
    expect((await cli(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('refuses an unknown command', async () => {
    const r = await cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('sipcase: unknown command "frobnicate"; try sipcase --help\n');
  });
});

describe('sipcase rewrite --ladder', () => {
  it('prints the message as a self-contained HTML ladder: an arrow in, an arrow out, what changed under it', async () => {
    const r = await cli(['rewrite', '--rules', PRESET_PATH, '--from', 'kore', '--to', 'genesys', '--ladder', '-'], vector('kore-invite-uui.sip'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^<!doctype html>/);
    expect(r.stdout.match(/<line class="arrow /g)).toHaveLength(2);
    expect(r.stdout).toContain('<text class="change"');
    expect(r.stdout).toContain('uui-exact-case-to-genesys: case User-to-User: User-To-User -&#62; User-to-User');
    expect(r.stdout).not.toMatch(/\s(?:src|href)=/);
  });
});

describe('sipcase replay', () => {
  it('needs --rules and one capture file', async () => {
    expect((await cli(['replay', 'x.pcap'])).code).toBe(2);
    expect((await cli(['replay', '--rules', PRESET_PATH])).code).toBe(2);
  });

  it('says in one line what is no capture file', async () => {
    const r = await cli(['replay', '--rules', PRESET_PATH, file('not.pcap', 'INVITE sip:a@b SIP/2.0\r\n\r\n')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^sipcase: .*not\.pcap: not a capture file: neither pcap nor pcapng/);
  });
});
