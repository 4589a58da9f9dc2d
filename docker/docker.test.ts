/**
 * No Docker engine runs where the tests run, so the image and compose files are checked by what
 * can run: every path they name exists, the entrypoint and health check are the ones the
 * end-to-end suites run, drachtio-server's flags are the ones the TLS suite starts it with, the
 * stop grace covers the drain, and drachtio-server's preserve list is the one the preset needs.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetRules } from '../test/fixtures.js';
import { loadConfig } from '../src/config.js';

const root = new URL('../', import.meta.url).pathname;
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const dockerfile = read('docker/Dockerfile');
const compose = read('docker/compose.yml');
const composeTls = read('docker/compose.tls.yml');

describe('docker files', () => {
  it('copy only paths that exist in the repository', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] as string).split(/\s+/));
    expect(sources.length).toBeGreaterThan(3);
    for (const s of sources) expect(existsSync(join(root, s)), s).toBe(true);
  });

  it('start the entrypoint the end-to-end suite starts, and it is executable', () => {
    expect(dockerfile).toContain('ENTRYPOINT ["/app/docker/entrypoint.sh"]');
    expect(read('test/sipp/stack.ts')).toContain("join(ROOT, 'docker/entrypoint.sh')");
    accessSync(join(root, 'docker/entrypoint.sh'), constants.X_OK);
  });

  it('check health with the script the operations suite runs, on /readyz, with node alone', () => {
    expect(dockerfile).toContain('HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["node", "/app/dist/ops/healthcheck.js"]');
    expect(existsSync(join(root, 'src/ops/healthcheck.ts'))).toBe(true);
    expect(read('src/ops/healthcheck.ts')).toContain('/readyz');
    expect(read('test/sipp/operations.test.ts')).toContain("join(ROOT, 'dist/ops/healthcheck.js')");
  });

  it('stop with SIGTERM and wait longer than the drain', () => {
    expect(dockerfile).toMatch(/^STOPSIGNAL SIGTERM$/m);
    expect(compose).toContain('stop_signal: SIGTERM');
    const grace = Number(/stop_grace_period: (\d+)s/.exec(compose)?.[1]);
    const drainMs = Number(/SIPCASE_DRAIN_TIMEOUT_MS: "(\d+)"/.exec(compose)?.[1]);
    expect(drainMs).toBe(loadConfig(undefined, {}).drain.timeoutMs);
    expect(grace * 1000).toBeGreaterThan(drainMs);
  });

  it('publish SIP, the operations port, and (with the TLS file) 5061', () => {
    for (const port of ['"5060:5060/udp"', '"5060:5060/tcp"', `"8080:8080/tcp"`]) expect(compose).toContain(port);
    expect(compose).toContain('SIPCASE_HTTP_PORT: "8080"');
    expect(composeTls).toContain('"5061:5061/tcp"');
  });

  it('mount the rules folder (so saves reach the watcher) and point SIPCASE_RULES into it', () => {
    expect(compose).toContain('- ../config:/etc/sipcase:ro');
    expect(compose).toContain('SIPCASE_RULES: /etc/sipcase/rules.json');
    expect(existsSync(join(root, 'config/rules.json'))).toBe(true);
  });

  it("give drachtio-server the TLS flags the TLS suite starts it with", () => {
    const flags = ['--contact "sips:*:5061;transport=tls"', '--key-file /etc/drachtio/tls/privkey.pem', '--cert-file /etc/drachtio/tls/cert.pem', '--chain-file /etc/drachtio/tls/fullchain.pem', '--min-tls-version 1.2'];
    for (const f of flags) expect(composeTls).toContain(f);
    expect(composeTls).toContain('- ./tls:/etc/drachtio/tls:ro');
    const suite = read('test/sipp/stack.ts');
    for (const f of ["'--contact', `sips:", "'--key-file'", "'--cert-file'", "'--chain-file'", "'--min-tls-version', '1.2'"]) expect(suite).toContain(f);
  });

  it("compose's default preserve list for drachtio-server is what the preset rules emit", () => {
    const preserve = /DRACHTIO_PRESERVE_HEADER_NAMES: "\$\{PRESERVE_HEADER_NAMES:-([^}]*)\}"/.exec(compose)?.[1];
    expect(preserve).toBe(presetRules().emittedNames.join(','));
  });
});

describe('scale-out files (compose.scale.yml, kamailio/)', () => {
  const scale = read('docker/compose.scale.yml');
  const list = read('docker/kamailio/dispatcher.list');
  const kamailioImage = read('docker/kamailio/Dockerfile');
  const instances = ['a', 'b'].map((n) => {
    const service = (name: string) => scale.slice(scale.indexOf(`  ${name}:\n`)).split(/\n {2}\S/)[0] ?? '';
    const drachtio = service(`drachtio-${n}`);
    const sipcase = service(`sipcase-${n}`);
    return {
      contact: /--contact "sip:([\d.]+:\d+);transport=udp"/.exec(drachtio)?.[1],
      adminPort: /--port (\d+)/.exec(drachtio)?.[1],
      sipcasePort: /SIPCASE_DRACHTIO_PORT: "(\d+)"/.exec(sipcase)?.[1],
      proxies: /SIPCASE_PROXIES: (\S+)/.exec(sipcase)?.[1],
      outbound: /SIPCASE_OUTBOUND_PROXY: (\S+)/.exec(sipcase)?.[1],
      httpPort: /SIPCASE_HTTP_PORT: "(\d+)"/.exec(sipcase)?.[1],
      sipcase,
    };
  });
  const inner = /"LISTEN_INNER=udp:([\d.]+):(\d+)"/.exec(scale);

  it('dispatch to exactly the instances compose runs, each sipcase on its own drachtio-server', () => {
    const destinations = [...list.matchAll(/^1 sip:(\S+)$/gm)].map((m) => m[1]);
    expect(destinations).toEqual(instances.map((i) => i.contact));
    for (const i of instances) expect(i.sipcasePort).toBe(i.adminPort);
    expect(new Set(instances.map((i) => i.httpPort)).size).toBe(instances.length);
  });

  it('trust Kamailio\'s inner side as a proxy and send outbound legs through it', () => {
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

  it.skipIf(spawnSync('sh', ['-c', 'command -v kamailio']).status !== 0)('Kamailio accepts its configuration with the defines compose gives it (kamailio -c)', () => {
    // A loopback address of its own stands for the host's SIP address.
    const defines = [...scale.matchAll(/"-A", "([^"]+)"/g)].map((m) => (m[1] as string).replace(/\$\{SIP_ADDRESS[^}]*\}/, '127.0.0.2'));
    expect(defines).toHaveLength(2);
    const args = ['-c', '-f', join(root, 'docker/kamailio/kamailio.cfg'), ...defines.flatMap((d) => ['-A', d]), '-A', `DISPATCHER_LIST="${join(root, 'docker/kamailio/dispatcher.list')}"`];
    const r = spawnSync('kamailio', args, { encoding: 'utf8', timeout: 10_000 });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain('config file ok');
  });
});
