/**
 * The sidecar as users deploy it: the README's compose file, built and run on a real Docker engine
 * on the host network, with SIPp peers on loopback (127.0.8.x). It proves the image's health check,
 * calls both ways with exactly one User-to-User, a rules change saved into RULES_DIR, drachtio-server's
 * container restarted under sipcase, the CLI and `regress` from the images, the drain on
 * `docker compose stop`; then compose.tls.yml (TLS toward a Kamailio TLS edge) and compose.scale.yml
 * (Kamailio's dispatcher and two pairs). Without an engine it prints `skipped: no docker engine`
 * (`../shared/oci/setup` starts one). Its commands and their output: test/sipp/logs/docker/.
 */
import { createSocket, type Socket } from 'node:dgram';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose, composeCli, containerOf, docker, inspect, type Run } from '../test/docker/compose.js';
import { selfSigned, startKamailio } from '../test/sipp/kamailio.js';
import { callFlow, LOGS, peerEnds, presetRuleList, sample, sipp, until, which, writeRules, type Net, type Proc, passed } from '../test/sipp/stack.js';
import { lo } from '../src/harness/loopback-addresses.js';

const cli = composeCli();
if (cli === undefined) process.stdout.write('skipped: no docker engine\n');
else if (which('sipp') === undefined) process.stdout.write('skipped: no sipp\n');
const ready = cli !== undefined && which('sipp') !== undefined;

const DIR = join(LOGS, 'docker');
const LOG = join(DIR, 'compose.log');
/** Building the images from nothing compiles re2 and installs Debian packages: minutes, not seconds. */
const BUILD_MS = 20 * 60_000;

/** The suite's addresses: drachtio-server's SIP and sipcase's HTTP on .1, the peers on .2 and .3. */
const NET: Net = {
  drachtio: lo('docker', 1),
  sipPort: 5060,
  adminPort: 33022,
  secret: 'sipcase-docker',
  genesys: lo('docker', 2),
  kore: lo('docker', 3),
  stranger: lo('docker', 9),
  uasPort: 25090,
  uacPort: 25070,
};
const HTTP = { host: NET.drachtio, port: 38080 };
/** Where drachtio-server sends HEP copies (HOMER_ADDRESS): a UDP listener of the suite's. */
const HOMER = { host: lo('docker', 20), port: 29060 };
const { genesysUas, koreUas, genesysUac, koreUac } = peerEnds(NET);

function ok(r: Run, what: string): Run {
  expect(r.code, `${what} failed; the end of its output:\n${r.out.slice(-3000)}`).toBe(0);
  return r;
}

async function get(host: string, port: number, path: string): Promise<{ status: number; text: string }> {
  try {
    const r = await fetch(`http://${host}:${port}${path}`, { signal: AbortSignal.timeout(2000) });
    return { status: r.status, text: await r.text() };
  } catch {
    return { status: 0, text: '' };
  }
}
const metrics = async (host = HTTP.host, port = HTTP.port) => (await get(host, port, '/metrics')).text;

/**
 * HEPv3 (Homer's encapsulation): "HEP3", a total length, then chunks of vendor, type, length
 * (header included) and value. Debian 12's tshark (Wireshark 4.0) has no HEP dissector, so the suite
 * reads the chunks itself: type 0x0c is the capture agent's id, 0x0f the captured SIP message.
 */
function hep(packet: Buffer): { agent: number; payload: string } | undefined {
  if (packet.subarray(0, 4).toString('latin1') !== 'HEP3' || packet.readUInt16BE(4) !== packet.length) return undefined;
  let agent = -1;
  let payload = '';
  for (let at = 6; at + 6 <= packet.length; ) {
    const type = packet.readUInt16BE(at + 2);
    const length = packet.readUInt16BE(at + 4);
    if (length < 6 || at + length > packet.length) return undefined;
    const value = packet.subarray(at + 6, at + length);
    if (type === 0x0c) agent = value.readUInt32BE(0);
    if (type === 0x0f) payload = value.toString('latin1');
    at += length;
  }
  return { agent, payload };
}

async function untilHealthy(id: string, timeoutMs = 120_000): Promise<void> {
  await until(
    `container ${id} healthy`,
    async () => {
      const state = await inspect(id, '{{.State.Health.Status}}', LOG);
      if (state === 'unhealthy') throw new Error(`container ${id} is unhealthy: see ${LOG}`);
      return state === 'healthy';
    },
    timeoutMs,
  );
}

/** Writes a rules file as an editor saves it (a new file renamed over the old), readable by the image's user. */
const saveRules = (dir: string, rules: unknown[] = presetRuleList(), genesysTarget?: string) => writeRules(NET, join(dir, 'rules.json'), rules, genesysTarget);

const kore = (label: string, scenario: string, extra: Partial<Parameters<typeof sipp>[0]> = {}) => ({ label: `${label}-kore`, scenario, ...koreUas, ...extra });
const genesysCallsKore = (label: string, koreScenario: string, genesysScenario: string, koreKeys: Record<string, string> = {}) =>
  callFlow(kore(label, koreScenario, { keys: koreKeys }), { label: `${label}-genesys`, scenario: genesysScenario, ...genesysUac, service: '+15557770000' });
const koreCallsGenesys = (label: string, genesysScenario = 'genesys-answer-uas.xml') =>
  callFlow(
    { label: `${label}-genesys`, scenario: genesysScenario, ...genesysUas },
    { label: `${label}-kore`, scenario: 'kore-call-uac.xml', ...koreUac, service: '+14445556666' },
  );

describe.skipIf(!ready)('the sidecar: docker/compose.yml on the host network', () => {
  const rulesDir = join(DIR, 'rules');
  const project = {
    name: 'sipcase-e2e',
    files: ['docker/compose.yml'],
    settings: {
      SIP_ADDRESS: NET.drachtio,
      SIP_PORT: String(NET.sipPort),
      HTTP_ADDRESS: HTTP.host,
      HTTP_PORT: String(HTTP.port),
      DRACHTIO_ADMIN_PORT: String(NET.adminPort),
      DRACHTIO_SECRET: NET.secret,
      RULES_DIR: rulesDir,
      HOMER_ADDRESS: `${HOMER.host}:${HOMER.port}`,
    },
    log: LOG,
  };
  const c = compose(cli ?? [], project);
  let sipcase = '';
  let homer: Socket | undefined;
  const heps: Buffer[] = [];

  beforeAll(async () => {
    mkdirSync(DIR, { recursive: true });
    homer = createSocket('udp4').on('message', (m) => heps.push(m));
    await new Promise<void>((resolve) => homer?.bind(HOMER.port, HOMER.host, () => resolve()));
    // It starts on the preset without the REFER move; the reload test saves the whole preset.
    saveRules(
      rulesDir,
      presetRuleList().filter((r) => (r as { name: string }).name !== 'uui-into-refer-to'),
    );
    await c(['down', '-t', '5']); // what an earlier, interrupted run may have left
    ok(await c(['build'], BUILD_MS), 'compose build');
    ok(await c(['up', '-d'], 120_000), 'compose up');
    sipcase = await containerOf(c, 'sipcase');
    await untilHealthy(sipcase);
  }, BUILD_MS + 240_000);

  afterAll(async () => {
    homer?.close();
    await c(['logs', '--no-color'], 60_000);
    await c(['down', '-t', '10'], 120_000);
  }, 180_000);

  it("builds, starts and turns healthy: the image's HEALTHCHECK asks /readyz where HTTP_ADDRESS put it", async () => {
    expect(await inspect(sipcase, '{{.State.Health.Status}}', LOG)).toBe('healthy');
    expect(await inspect(sipcase, '{{.HostConfig.NetworkMode}}', LOG)).toBe('host');
    const r = await get(HTTP.host, HTTP.port, '/readyz');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ ready: true, drachtio: 'connected', probe: 'passed' });
    // drachtio-server's admin port is on loopback only.
    const drachtio = await containerOf(c, 'drachtio');
    expect((await docker(['logs', drachtio], LOG)).out).not.toMatch(/\b0\.0\.0\.0:33022\b/);
  });

  it('Genesys -> Kore and Kore -> Genesys: each call crosses with exactly one User-to-User, exact case', async () => {
    passed(await genesysCallsKore('dk-f1', 'kore-answer-uas.xml', 'genesys-call-uac.xml'));
    passed(await koreCallsGenesys('dk-f2'));
    // HOMER_ADDRESS: drachtio-server sent a HEP copy of each SIP message, the calls' INVITEs among them.
    const copies = heps.map(hep);
    expect(copies.every((h) => h !== undefined && h.agent === 10)).toBe(true);
    expect(copies.filter((h) => h?.payload.startsWith(`INVITE sip:+14445556666@${NET.genesys}:`)).length).toBeGreaterThan(0);
  }, 40_000);

  it("a rules change saved into RULES_DIR by rename is reloaded, and the next call's REFER carries the UUI in Refer-To", async () => {
    const before = await metrics();
    expect(sample(before, 'sipcase_rewrites_total', { rule: 'uui-into-refer-to', action: 'to-uri' })).toBe(0);
    saveRules(rulesDir);
    await until(
      'the reload',
      async () =>
        sample(await metrics(), 'sipcase_rules_reloads_total', { result: 'ok' }) === sample(before, 'sipcase_rules_reloads_total', { result: 'ok' }) + 1,
      10_000,
    );
    passed(
      await genesysCallsKore('dk-f3', 'kore-transfer-uas.xml', 'genesys-transfer-uac.xml', {
        refer_to: '<sip:+14445556666@byoc.example.pure.cloud>',
        uui_line: 'User-To-User: XXcfo|64f0c3a1e2b74d1c9c2a;encoding=ascii',
      }),
    );
    expect(sample(await metrics(), 'sipcase_rewrites_total', { rule: 'uui-into-refer-to', action: 'to-uri' })).toBe(1);
  }, 40_000);

  it("docker restart of drachtio-server's container: sipcase reconnects by itself, /readyz 503 then 200, the next call works", async () => {
    const drachtio = await containerOf(c, 'drachtio');
    const disconnects = sample(await metrics(), 'sipcase_drachtio_disconnects_total');
    const seen: number[] = [];
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const s = (await get(HTTP.host, HTTP.port, '/readyz')).status;
        if (seen.at(-1) !== s) seen.push(s);
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    ok(await docker(['restart', '-t', '5', drachtio], LOG), 'docker restart');
    await until('/readyz 200 again', async () => seen.at(-1) === 200 && seen.includes(503), 30_000).finally(() => (watching = false));
    await watch;
    expect(seen[0]).toBe(200);
    expect(seen).toContain(503);
    expect(sample(await metrics(), 'sipcase_drachtio_disconnects_total')).toBe(disconnects + 1);
    passed(await koreCallsGenesys('dk-after-restart'));
  }, 60_000);

  it('the image runs as a non-root user and holds no dev dependency, benchmark or fuzzer', async () => {
    expect(ok(await docker(['exec', sipcase, 'id', '-u'], LOG), 'id').out.trim()).not.toBe('0');
    const image = await inspect(sipcase, '{{.Config.Image}}', LOG);
    const dev = Object.keys(
      (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies,
    );
    const inImage = (script: string) => docker(['run', '--rm', '--network', 'none', '--entrypoint', '/bin/sh', image, '-c', script], LOG);
    const present = ok(
      await inImage(
        `for m in ${dev.join(' ')}; do test -e node_modules/$m && echo $m; done; for d in bench fuzz; do test -e dist/$d && echo dist/$d; done; true`,
      ),
      'listing',
    ).out.trim();
    expect(present).toBe('');
    expect(dev.length).toBeGreaterThan(3);
    // What the image does keep works: the CLI, and re2's compiled addon (its build files are gone).
    ok(
      await inImage(
        `test -e dist/cli.js && node -e "const RE2 = require('/app/node_modules/re2'); process.exit(new RE2('(a|aa)*c', 'i').test('AAc') ? 0 : 1)"`,
      ),
      're2 in the image',
    );
  }, 30_000);

  it("the CLI in the image: compose run --rm --no-deps sipcase check names what drachtio-server must preserve, and a bad file's JSON path", async () => {
    // As documented, from a project whose sidecar is not running: Debian's docker-compose 1.29 refuses
    // `run` for a running host-network service (its bug #4548, fixed in Compose v2), so the running
    // sidecar is asked with `exec` below.
    const cliOnly = compose(cli ?? [], { ...project, name: 'sipcase-e2e-cli' });
    const good = ok(await cliOnly(['run', '--rm', '--no-deps', 'sipcase', 'check', '/etc/sipcase/rules.json'], 60_000), 'check');
    expect(good.out).toContain('names emitted verbatim: User-to-User');
    writeFileSync(
      join(rulesDir, 'broken.json'),
      JSON.stringify({ peers: { genesys: { sources: [NET.genesys], target: `sip:${NET.genesys}` } }, rules: [{ name: 'x', actions: [{ action: 'case' }] }] }),
    );
    const bad = await cliOnly(['run', '--rm', '--no-deps', 'sipcase', 'check', '/etc/sipcase/broken.json'], 60_000);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('$.rules[0].actions[0]');
    // And inside the running sidecar, on its PATH.
    expect(ok(await docker(['exec', sipcase, 'sipcase', 'check', '/etc/sipcase/rules.json'], LOG), 'exec check').out).toContain(
      'names emitted verbatim: User-to-User',
    );
  }, 150_000);

  it(
    'regress from its own image, with no network but loopback, passes every flow on the rules in RULES_DIR',
    async () => {
      ok(await c(['--profile', 'tools', 'build', 'regress'], BUILD_MS), 'build regress');
      const r = ok(await c(['run', '--rm', 'regress', '--rules', '/etc/sipcase/rules.json'], 240_000), 'regress');
      expect(r.out).toMatch(/^PASS {2}genesys->kore transfer without user-to-user, x-user-to-user /m);
      expect(r.out).toMatch(/regress: 10 passed, 0 failed/);
    },
    BUILD_MS + 300_000,
  );

  it("docker compose stop with a live call: new INVITE 503 + Retry-After, the live call's BYE crosses, sipcase exits 0", async () => {
    const uas = sipp(kore('dk-drain', 'hold-uas.xml', { timeoutS: 30 }));
    const uac = sipp({
      label: 'dk-drain-genesys',
      scenario: 'hold-uac.xml',
      ...genesysUac,
      service: '+15557770000',
      vars: { hangup: 'caller' },
      pauseMs: 6000,
      timeoutS: 30,
    });
    const answered = sample(await metrics(), 'sipcase_calls_answered_total', { from: 'genesys', to: 'kore' });
    await until('the held call', async () => sample(await metrics(), 'sipcase_calls_answered_total', { from: 'genesys', to: 'kore' }) === answered + 1, 10_000);
    const t0 = Date.now();
    const stopping = c(['stop'], 400_000);
    await until('/readyz 503 draining', async () => (await get(HTTP.host, HTTP.port, '/readyz')).status === 503, 10_000);
    passed({ refused: await sipp({ label: 'dk-drain-new-call', scenario: 'refused-invite-uac.xml', ...koreUac, service: '+15557770000' }).done });
    const [u, a] = await Promise.all([uas.done, uac.done]);
    passed({ kore: u, genesys: a });
    ok(await stopping, 'compose stop');
    expect(await inspect(sipcase, '{{.State.ExitCode}}', LOG)).toBe('0');
    expect(Date.now() - t0).toBeLessThan(320_000);
    const log = ok(await docker(['logs', sipcase], LOG), 'logs').out;
    expect(log).toContain('drained: no live calls left');
  }, 420_000);
});

describe.skipIf(!ready || which('kamailio') === undefined || which('openssl') === undefined)(
  'the sidecar with docker/compose.tls.yml: TLS toward Genesys',
  () => {
    const tlsPort = 5061;
    const edge = { ip: NET.genesys, tlsPort: 25061, udpPort: 25062 };
    const dir = join(DIR, 'tls');
    const c = compose(cli ?? [], {
      name: 'sipcase-e2e-tls',
      files: ['docker/compose.yml', 'docker/compose.tls.yml'],
      settings: {
        SIP_ADDRESS: NET.drachtio,
        SIP_PORT: String(NET.sipPort),
        SIP_TLS_PORT: String(tlsPort),
        TLS_DIR: join(dir, 'certs'),
        HTTP_ADDRESS: HTTP.host,
        HTTP_PORT: String(HTTP.port),
        DRACHTIO_ADMIN_PORT: String(NET.adminPort),
        DRACHTIO_SECRET: NET.secret,
        RULES_DIR: join(dir, 'rules'),
      },
      log: LOG,
    });
    let kamailio: Proc | undefined;

    beforeAll(async () => {
      const mine = selfSigned(join(dir, 'drachtio'), NET.drachtio);
      mkdirSync(join(dir, 'certs'), { recursive: true });
      copyFileSync(mine.key, join(dir, 'certs', 'privkey.pem'));
      copyFileSync(mine.cert, join(dir, 'certs', 'cert.pem'));
      copyFileSync(mine.cert, join(dir, 'certs', 'fullchain.pem'));
      kamailio = await startKamailio('docker-tls-kamailio', {
        ...edge,
        uas: `${NET.genesys}:${NET.uasPort}`,
        certificate: selfSigned(join(dir, 'edge'), NET.genesys),
      });
      saveRules(join(dir, 'rules'), presetRuleList(), `sip:${edge.ip}:${edge.tlsPort};transport=tls`);
      await c(['down', '-t', '5']);
      ok(await c(['up', '-d', '--build'], BUILD_MS), 'compose up (TLS)');
      await untilHealthy(await containerOf(c, 'sipcase'));
    }, BUILD_MS + 180_000);

    afterAll(async () => {
      await c(['logs', '--no-color'], 60_000);
      await c(['down', '-t', '10'], 120_000);
      await kamailio?.stop();
    }, 180_000);

    it('Kore -> Genesys over TLS from the container: the edge sees TLS 1.2+, Genesys exactly one User-to-User; the dialog crosses', async () => {
      passed(await koreCallsGenesys('dk-tls', 'genesys-tls-uas.xml'));
    }, 40_000);
  },
);

describe.skipIf(!ready)("docker/compose.scale.yml: Kamailio's dispatcher in front of two pairs", () => {
  const sip = lo('docker', 10);
  const instances = [8081, 8082];
  const dir = join(DIR, 'scale');
  const c = compose(cli ?? [], {
    name: 'sipcase-e2e-scale',
    files: ['docker/compose.scale.yml'],
    settings: { SIP_ADDRESS: sip, HTTP_ADDRESS: sip, DRACHTIO_SECRET: NET.secret, RULES_DIR: join(dir, 'rules') },
    log: LOG,
  });
  const ends = peerEnds(NET, `${sip}:5060`);

  beforeAll(async () => {
    saveRules(join(dir, 'rules'));
    await c(['down', '-t', '5']);
    ok(await c(['up', '-d', '--build'], BUILD_MS), 'compose up (scale)');
    for (const s of ['sipcase-a', 'sipcase-b']) await untilHealthy(await containerOf(c, s));
  }, BUILD_MS + 240_000);

  afterAll(async () => {
    await c(['logs', '--no-color'], 60_000);
    await c(['down', '-t', '10'], 120_000);
  }, 180_000);

  it("calls both ways through Kamailio's two sockets reach both instances, which take them as coming from the peers", async () => {
    // Kamailio probes each instance every 2 s and takes it into the rotation once it answers 200.
    await new Promise((r) => setTimeout(r, 5000));
    for (let i = 0; i < 2; i++) {
      passed(
        await callFlow(
          { label: `dk-scale-${i}-kore`, scenario: 'kore-answer-uas.xml', ...ends.koreUas },
          { label: `dk-scale-${i}-genesys`, scenario: 'genesys-call-uac.xml', ...ends.genesysUac, service: '+15557770000' },
        ),
      );
      passed(
        await callFlow(
          { label: `dk-scale-${i}-genesys`, scenario: 'genesys-answer-uas.xml', ...ends.genesysUas },
          { label: `dk-scale-${i}-kore`, scenario: 'kore-call-uac.xml', ...ends.koreUac, service: '+14445556666' },
        ),
      );
    }
    const started = await Promise.all(
      instances.map(async (port) => {
        const text = await metrics(sip, port);
        return (
          sample(text, 'sipcase_calls_started_total', { from: 'genesys', to: 'kore' }) +
          sample(text, 'sipcase_calls_started_total', { from: 'kore', to: 'genesys' })
        );
      }),
    );
    expect(started).toEqual([2, 2]);
    for (const port of instances) expect(sample(await metrics(sip, port), 'sipcase_requests_rejected_total', { reason: 'unknown_source' })).toBe(0);
  }, 90_000);
});
