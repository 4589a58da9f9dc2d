import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('start-up settings', () => {
  it('defaults come from config/default.json', () => {
    expect(loadConfig(undefined, {})).toMatchObject({ drachtio: { host: '127.0.0.1', port: 9022 }, rules: 'config/rules.json', limits: { maxCalls: 2000 } });
  });

  it('proxies: none by default; a comma list in the environment, a list in a file', () => {
    expect(loadConfig(undefined, {}).proxies).toEqual([]);
    expect(loadConfig(undefined, { SIPCASE_PROXIES: '127.0.5.1, 10.0.0.0/8' }).proxies).toEqual(['127.0.5.1', '10.0.0.0/8']);
    const file = join(mkdtempSync(join(tmpdir(), 'sipcase-config-')), 'site.json');
    writeFileSync(file, JSON.stringify({ proxies: ['192.0.2.10'] }));
    expect(loadConfig(file, {}).proxies).toEqual(['192.0.2.10']);
  });

  it('a file given, then environment variables, override them', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sipcase-config-')), 'site.json');
    writeFileSync(file, JSON.stringify({ drachtio: { port: 9023 }, log: { level: 'debug' } }));
    const c = loadConfig(file, { SIPCASE_LOG_LEVEL: 'warn', SIPCASE_PROBE: 'false' });
    expect(c.drachtio.port).toBe(9023);
    expect(c.log.level).toBe('warn');
    expect(c.probe.enabled).toBe(false);
  });

  it.each([
    [{ SIPCASE_DRACHTIO_PORT: '99999' }, 'drachtio.port: ports must be within range 0 - 65535'],
    [{ SIPCASE_LOG_LEVEL: 'loud' }, 'log.level: must be one of the possible values'],
    [{ SIPCASE_MAX_CALLS: '-1' }, 'limits.maxCalls: must be a positive integer'],
    [{ SIPCASE_PROXIES: '127.0.5.1,balancer' }, 'proxies: "balancer" is not an IP address or CIDR range'],
    [{ SIPCASE_OUTBOUND_PROXY: '10.0.0.10:5060' }, 'outboundProxy: must be a SIP URI'],
    [{ SIPCASE_MAX_CALL_SECONDS: '2592000' }, 'limits.maxCallSeconds: must be a whole number from 0 to 604800 (s, 7 days)'],
    [{ SIPCASE_MAX_SETUP_SECONDS: '7200' }, 'limits.maxSetupSeconds: must be a whole number from 0 to 3600'],
    [{ SIPCASE_LIVENESS_INTERVAL_S: '3000000' }, 'liveness.intervalS: must be a whole number from 0 to 86400'],
    [{ SIPCASE_DRAIN_TIMEOUT_MS: '2147483648' }, 'drain.timeoutMs: must be a whole number from 0 to 86400000'],
    [{ SIPCASE_PROBE_TIMEOUT_MS: '1e9' }, 'probe.timeoutMs: must be a whole number from 0 to 60000'],
  ])('a wrong value names the setting: %j', (env, message) => {
    expect(() => loadConfig(undefined, env)).toThrow(message);
  });

  it('settings that become timers are bounded, and read from the environment as numbers', () => {
    const c = loadConfig(undefined, { SIPCASE_LIVENESS_INTERVAL_S: '45', SIPCASE_MAX_CALL_SECONDS: '604800', SIPCASE_DRAIN_TIMEOUT_MS: '0' });
    expect([c.liveness.intervalS, c.limits.maxCallSeconds, c.drain.timeoutMs]).toEqual([45, 604_800, 0]);
  });

  it("transfers: a time limit up to an hour, and the conversation id's header a SIP header name", () => {
    expect(loadConfig(undefined, {}).transfers).toEqual({ resultSeconds: 120, conversationHeader: 'x-inin-cnv' });
    expect(loadConfig(undefined, { SIPCASE_TRANSFER_RESULT_S: '30', SIPCASE_CONVERSATION_HEADER: 'X-Conversation-Id' }).transfers).toEqual({
      resultSeconds: 30,
      conversationHeader: 'X-Conversation-Id',
    });
    expect(() => loadConfig(undefined, { SIPCASE_TRANSFER_RESULT_S: '3601' })).toThrow(/transfers\.resultSeconds: must be a whole number from 0 to 3600/);
    expect(() => loadConfig(undefined, { SIPCASE_CONVERSATION_HEADER: 'x inin' })).toThrow(/transfers\.conversationHeader: must be a SIP header name/);
  });

  it('an unknown setting in a file is refused', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sipcase-config-')), 'site.json');
    writeFileSync(file, JSON.stringify({ drachtio: { hots: 'x' } }));
    expect(() => loadConfig(file, {})).toThrow('drachtio.hots');
  });
});
