/**
 * The Docker files, checked where no engine is needed (docker/sidecar.test.ts runs them on one):
 * the paths the images copy exist, the entrypoint runs the CLI's commands, drachtio-server's start
 * script turns the compose settings into exactly the flags intended, the settings compose reads are
 * documented, the measured drachtio-server settings are the ones compose runs, and the scale-out
 * files agree with each other.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetRules } from '../test/fixtures.js';
import { loadConfig } from '../src/config.js';
import { lo } from '../src/harness/loopback-addresses.js';
import { drachtioTlsArgs } from '../test/sipp/stack.js';

const root = new URL('../', import.meta.url).pathname;
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const dockerfile = read('docker/Dockerfile');
const compose = read('docker/compose.yml');
const composeTls = read('docker/compose.tls.yml');
const scale = read('docker/compose.scale.yml');

/** A compose file's service block, by name. */
const service = (file: string, name: string) => file.slice(file.indexOf(`  ${name}:\n`)).split(/\n {2}\S/)[0] ?? '';

/** docker/drachtio/start.sh run with `env`, a stand-in `drachtio` first on the PATH printing its arguments one a line. */
function drachtioArgs(env: Record<string, string>): string[] {
  const bin = mkdtempSync(join(tmpdir(), 'sipcase-start-'));
  writeFileSync(join(bin, 'drachtio'), '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
  chmodSync(join(bin, 'drachtio'), 0o755);
  const r = spawnSync('sh', [join(root, 'docker/drachtio/start.sh')], { env: { PATH: `${bin}:/usr/bin:/bin`, ...env }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trimEnd().split('\n');
}
const conf = join(root, 'docker/drachtio/drachtio.conf.xml');

describe('the sidecar image', () => {
  it('copies only paths that exist in the repository', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] as string).split(/\s+/));
    expect(sources.length).toBeGreaterThan(3);
    for (const s of sources) expect(existsSync(join(root, s)), s).toBe(true);
  });

  it('starts the entrypoint the end-to-end suites start, and it is executable', () => {
    expect(dockerfile).toContain('ENTRYPOINT ["/app/docker/entrypoint.sh"]');
    expect(read('test/sipp/stack.ts')).toContain("join(ROOT, 'docker/entrypoint.sh')");
    accessSync(join(root, 'docker/entrypoint.sh'), constants.X_OK);
  });

  it('entrypoint: a command runs that sipcase command (docker compose run --rm sipcase check ...)', () => {
    const entry = join(root, 'docker/entrypoint.sh');
    const check = spawnSync(entry, ['check', join(root, 'config/rules.json')], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toContain('names emitted verbatim: User-to-User');
    const version = spawnSync(entry, ['--version'], { encoding: 'utf8' });
    expect(version.stdout.trim()).toBe(JSON.parse(read('package.json')).version);
    // Options alone are run's options: `run --config <missing file>` fails naming the file.
    const options = spawnSync(entry, ['--config', '/nonexistent/sipcase.json'], { encoding: 'utf8', timeout: 10_000 });
    expect(options.status).not.toBe(0);
    expect(options.stderr).toContain('/nonexistent/sipcase.json');
  });

  it('checks health with the script the operations suite runs, on /readyz, with node alone', () => {
    expect(dockerfile).toContain('HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["node", "/app/dist/ops/healthcheck.js"]');
    expect(read('src/ops/healthcheck.ts')).toContain('/readyz');
    expect(read('test/sipp/operations.test.ts')).toContain("join(ROOT, 'dist/ops/healthcheck.js')");
  });

  it("runs as the unprivileged user node, and the sidecar's stage is built before regress' (which adds SIPp and drachtio-server)", () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile.indexOf('AS sipcase')).toBeGreaterThan(0);
    expect(dockerfile.indexOf('AS sipcase')).toBeLessThan(dockerfile.indexOf('AS regress'));
  });
});

describe('docker/compose.yml', () => {
  it('runs every service on the host network, and publishes no ports (host networking has none to publish)', () => {
    for (const s of ['drachtio', 'sipcase']) expect(service(compose, s)).toContain('network_mode: host');
    expect(service(compose, 'regress')).toContain('network_mode: none');
    expect(compose).not.toMatch(/^\s+ports:/m);
  });

  it('documents every setting it reads, in its header, the README and docs/deploy.md', () => {
    const settings = [...new Set([...compose.matchAll(/\$\{([A-Z_]+)(?::-[^}]*)?\}/g)].map((m) => m[1] as string))];
    expect(settings.sort()).toEqual([
      'DRACHTIO_ADMIN_PORT',
      'DRACHTIO_SECRET',
      'HOMER_ADDRESS',
      'HTTP_ADDRESS',
      'HTTP_PORT',
      'PRESERVE_HEADER_NAMES',
      'PUBLIC_ADDRESS',
      'RULES_DIR',
      'SIP_ADDRESS',
      'SIP_PORT',
    ]);
    const header = compose.slice(0, compose.indexOf('services:'));
    for (const s of settings) {
      expect(header, s).toMatch(new RegExp(`^#\\s+${s}\\s`, 'm'));
      expect(read('README.md'), s).toContain(`\`${s}\``);
      expect(read('docs/deploy.md'), s).toContain(`\`${s}\``);
    }
  });

  it('stops sipcase with SIGTERM and waits longer than the drain', () => {
    expect(dockerfile).toMatch(/^STOPSIGNAL SIGTERM$/m);
    expect(compose).toContain('stop_signal: SIGTERM');
    const grace = Number(/stop_grace_period: (\d+)s/.exec(compose)?.[1]);
    const drainMs = Number(/SIPCASE_DRAIN_TIMEOUT_MS: "(\d+)"/.exec(compose)?.[1]);
    expect(drainMs).toBe(loadConfig(undefined, {}).drain.timeoutMs);
    expect(grace * 1000).toBeGreaterThan(drainMs);
  });

  it('mounts the rules folder (so saves reach the watcher) and points SIPCASE_RULES into it', () => {
    expect(service(compose, 'sipcase')).toContain('- ${RULES_DIR:-../config}:/etc/sipcase:ro');
    expect(compose).toContain('SIPCASE_RULES: /etc/sipcase/rules.json');
    expect(existsSync(join(root, 'config/rules.json'))).toBe(true);
  });

  it('its default preserve list for drachtio-server is what the preset rules emit', () => {
    const preserve = /DRACHTIO_PRESERVE_HEADER_NAMES: "\$\{PRESERVE_HEADER_NAMES:-([^}]*)\}"/.exec(compose)?.[1];
    expect(preserve).toBe(presetRules().emittedNames.join(','));
  });
});

describe('drachtio-server as compose starts it (docker/drachtio/)', () => {
  it("defaults: SIP on every interface, port 5060, UDP and TCP; admin on loopback; this folder's configuration", () => {
    expect(drachtioArgs({})).toEqual([
      '-f',
      conf,
      '--contact',
      'sip:*:5060;transport=udp,tcp',
      '--address',
      '127.0.0.1',
      '--port',
      '9022',
      '--secret',
      'cymru',
    ]);
  });

  it('SIP_ADDRESS, SIP_PORT, PUBLIC_ADDRESS (--external-ip after its contact), the admin port and secret', () => {
    expect(
      drachtioArgs({ SIP_ADDRESS: '10.0.0.5', SIP_PORT: '5080', PUBLIC_ADDRESS: '203.0.113.5', DRACHTIO_ADMIN_PORT: '9100', DRACHTIO_SECRET: 's3' }),
    ).toEqual([
      '-f',
      conf,
      '--contact',
      'sip:10.0.0.5:5080;transport=udp,tcp',
      '--external-ip',
      '203.0.113.5',
      '--address',
      '127.0.0.1',
      '--port',
      '9100',
      '--secret',
      's3',
    ]);
  });

  it('SIP_TLS_PORT adds a sips: contact and the TLS flags the TLS suite starts drachtio-server with; HOMER_ADDRESS adds HEP', () => {
    const args = drachtioArgs({ SIP_ADDRESS: '10.0.0.5', SIP_TLS_PORT: '5061', TLS_DIR: '/etc/drachtio/tls', HOMER_ADDRESS: '10.0.0.9:9060' });
    expect(args).toEqual([
      '-f',
      conf,
      '--contact',
      'sip:10.0.0.5:5060;transport=udp,tcp',
      '--contact',
      'sips:10.0.0.5:5061;transport=tls',
      '--key-file',
      '/etc/drachtio/tls/privkey.pem',
      '--cert-file',
      '/etc/drachtio/tls/cert.pem',
      '--chain-file',
      '/etc/drachtio/tls/fullchain.pem',
      '--min-tls-version',
      '1.2',
      '--homer',
      '10.0.0.9:9060',
      '--homer-id',
      '10',
      '--address',
      '127.0.0.1',
      '--port',
      '9022',
      '--secret',
      'cymru',
    ]);
    // The TLS suite starts drachtio-server with the same flags (its key, certificate and chain as given).
    const tls = args.slice(args.indexOf('sips:10.0.0.5:5061;transport=tls') - 1, args.indexOf('--homer'));
    const files = { key: '/etc/drachtio/tls/privkey.pem', cert: '/etc/drachtio/tls/cert.pem', chain: '/etc/drachtio/tls/fullchain.pem' };
    expect(drachtioTlsArgs('10.0.0.5:5061', files)).toEqual(tls);
    expect(composeTls).toContain('SIP_TLS_PORT: "${SIP_TLS_PORT:-5061}"');
    expect(composeTls).toContain('- ${TLS_DIR:-./tls}:/etc/drachtio/tls:ro');
  });

  it("every service runs it with this folder mounted, not the image's own configuration", () => {
    for (const [file, name] of [
      [compose, 'drachtio'],
      [scale, 'drachtio-a'],
      [scale, 'drachtio-b'],
    ] as const) {
      expect(service(file, name)).toContain('entrypoint: ["/bin/sh", "/etc/sipcase-drachtio/start.sh"]');
      expect(service(file, name)).toContain('- ./drachtio:/etc/sipcase-drachtio:ro');
    }
  });

  it("its log levels are the ones docs/performance.md's sizing was measured with", () => {
    const xml = readFileSync(conf, 'utf8').replace(/<!--[\s\S]*?-->/g, '');
    const measured = (
      JSON.parse(read('docs/performance/notice/results.json')) as { meta: { drachtioLoglevel: string; sofiaLoglevel: string; udpBuffer: string } }
    ).meta;
    expect(/<loglevel>(\w+)<\/loglevel>/.exec(xml)?.[1]).toBe(measured.drachtioLoglevel);
    expect(/<sofia-loglevel>(\d+)<\/sofia-loglevel>/.exec(xml)?.[1]).toBe(measured.sofiaLoglevel);
    expect(measured.udpBuffer).toBe('default');
    expect(xml).not.toContain('<udp-buffer-size>');
    expect(xml).not.toContain('<spammers');
    expect(read('docs/performance.md')).toContain('docker/drachtio/drachtio.conf.xml');
  });
});

describe('scale-out files (compose.scale.yml, kamailio/)', () => {
  const list = read('docker/kamailio/dispatcher.list');
  const kamailioImage = read('docker/kamailio/Dockerfile');
  const inner = /"LISTEN_INNER=udp:([\d.]+):(\d+)"/.exec(scale);
  const instances = ['a', 'b'].map((n) => {
    const drachtio = service(scale, `drachtio-${n}`);
    const sipcase = service(scale, `sipcase-${n}`);
    return {
      contact: `${/SIP_ADDRESS: (\S+)/.exec(drachtio)?.[1]}:${/SIP_PORT: "(\d+)"/.exec(drachtio)?.[1]}`,
      adminPort: /DRACHTIO_ADMIN_PORT: "(\d+)"/.exec(drachtio)?.[1],
      sipcasePort: /SIPCASE_DRACHTIO_PORT: "(\d+)"/.exec(sipcase)?.[1],
      proxies: /SIPCASE_PROXIES: (\S+)/.exec(sipcase)?.[1],
      outbound: /SIPCASE_OUTBOUND_PROXY: (\S+)/.exec(sipcase)?.[1],
      httpPort: /SIPCASE_HTTP_PORT: "(\d+)"/.exec(sipcase)?.[1],
      sipcase,
    };
  });

  it('dispatch to exactly the instances compose runs, from the inner socket, each sipcase on its own drachtio-server', () => {
    const destinations = [...list.matchAll(/^1 sip:(\S+) 0 0 socket=udp:(\S+)$/gm)];
    expect(destinations.map((m) => m[1])).toEqual(instances.map((i) => i.contact));
    for (const d of destinations) expect(d[2]).toBe(`${inner?.[1]}:${inner?.[2]}`);
    for (const i of instances) expect(i.sipcasePort).toBe(i.adminPort);
    expect(new Set(instances.map((i) => i.httpPort)).size).toBe(instances.length);
  });

  it("trust Kamailio's inner side as a proxy and send outbound legs through it", () => {
    expect(inner).not.toBeNull();
    for (const i of instances) {
      expect(i.proxies).toBe(inner?.[1]);
      expect(i.outbound).toBe(`sip:${inner?.[1]}:${inner?.[2]}`);
      expect(i.sipcase).toContain('stop_signal: SIGTERM');
      expect(Number(/stop_grace_period: (\d+)s/.exec(i.sipcase)?.[1]) * 1000).toBeGreaterThan(Number(/SIPCASE_DRAIN_TIMEOUT_MS: "(\d+)"/.exec(i.sipcase)?.[1]));
    }
  });

  it('build Kamailio from files that exist, with the configuration the scale-out suite runs', () => {
    const sources = [...kamailioImage.matchAll(/^COPY (\S+) \S+$/gm)].map((m) => m[1] as string);
    expect(sources).toEqual(['docker/kamailio/kamailio.cfg', 'docker/kamailio/dispatcher.list']);
    for (const s of sources) expect(existsSync(join(root, s)), s).toBe(true);
    expect(read('src/bench/balancer.ts')).toContain("join(ROOT, 'docker/kamailio/kamailio.cfg')");
    expect(read('test/sipp/scale.test.ts')).toContain("from '../../src/bench/balancer.js'");
  });

  it.skipIf(spawnSync('sh', ['-c', 'command -v kamailio']).status !== 0)(
    'Kamailio accepts its configuration and dispatcher list with the defines compose gives it (kamailio -c)',
    () => {
      // A loopback address of its own stands for the host's SIP address.
      const defines = [...scale.matchAll(/"-A", "([^"]+)"/g)].map((m) => (m[1] as string).replace(/\$\{SIP_ADDRESS[^}]*\}/, lo('docker', 10)));
      expect(defines).toHaveLength(2);
      const args = [
        '-c',
        '-f',
        join(root, 'docker/kamailio/kamailio.cfg'),
        ...defines.flatMap((d) => ['-A', d]),
        '-A',
        `DISPATCHER_LIST="${join(root, 'docker/kamailio/dispatcher.list')}"`,
      ];
      const r = spawnSync('kamailio', args, { encoding: 'utf8', timeout: 10_000 });
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
      expect(`${r.stdout}${r.stderr}`).toContain('config file ok');
    },
  );
});
