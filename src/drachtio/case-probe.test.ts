import { describe, expect, it } from 'vitest';
import { sip } from '../../test/fixtures.js';
import { parseMessage } from '../sip/message.js';
import { miscasedNames, probeAdvice, probeHeaderCase } from './case-probe.js';
import { createSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import { installHeaderNameLookup, keepHeaderNames, PRESERVE_VAR } from './preserve.js';

const arrived = (...headers: string[]) => parseMessage(sip('OPTIONS sip:p@h SIP/2.0', ...headers));

describe('judging the probe', () => {
  it('passes names that arrived exactly as written', () => {
    expect(miscasedNames(['User-to-User'], arrived('User-to-User: probe'))).toEqual([]);
  });

  it('reports a re-cased name and a missing one', () => {
    expect(miscasedNames(['User-to-User', 'X-a'], arrived('User-To-User: probe'))).toEqual([
      { expected: 'User-to-User', got: 'User-To-User' },
      { expected: 'X-a', got: undefined },
    ]);
  });

  it('tells the operator exactly what to set', () => {
    const advice = probeAdvice({ ok: false, miscased: [{ expected: 'User-to-User', got: 'User-To-User' }], missing: [] }, ['User-to-User', 'X-Tenant']);
    expect(advice).toBe(
      'drachtio-server re-cases header names (User-to-User arrived as User-To-User): start drachtio-server with DRACHTIO_PRESERVE_HEADER_NAMES=User-to-User,X-Tenant',
    );
  });
});

describe('running the probe', () => {
  /** Stands in for drachtio-server: sends the OPTIONS to the probe's port, re-casing as told. */
  const sender = (recase: (name: string) => string) => async (uri: string, headers: Record<string, string>) => {
    const port = Number(/:(\d+)$/.exec(uri)?.[1]);
    const lines = Object.entries(headers).map(([k, v]) => `${recase(k)}: ${v}`);
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) =>
      socket.send(
        `OPTIONS ${uri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1\r\nCSeq: 1 OPTIONS\r\n${lines.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`,
        port,
        '127.0.0.1',
        () => resolve(),
      ),
    );
    socket.close();
  };

  it('passes when the names arrive as written', async () => {
    expect(
      await probeHeaderCase(
        sender((n) => n),
        ['User-to-User'],
        '127.0.0.1',
        2000,
      ),
    ).toEqual({ ok: true });
  });

  it('fails when they arrive re-cased', async () => {
    const capitalise = (n: string) => n.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
    const r = await probeHeaderCase(sender(capitalise), ['User-to-User'], '127.0.0.1', 2000);
    expect(r).toEqual({ ok: false, miscased: [{ expected: 'User-to-User', got: 'User-To-User' }], missing: [] });
  });

  /** Runs `body`, then waits `settleMs`, and returns what was rejected without a handler meanwhile. */
  async function unhandledDuring(body: () => Promise<unknown>, settleMs: number): Promise<unknown[]> {
    const seen: unknown[] = [];
    const note = (reason: unknown) => seen.push(reason);
    process.on('unhandledRejection', note);
    try {
      await body();
      await new Promise((r) => setTimeout(r, settleMs));
    } finally {
      process.off('unhandledRejection', note);
    }
    return seen;
  }

  it('fails with the reason when drachtio-server refuses to send it, and leaves nothing behind to end the process later', async () => {
    let result: unknown;
    const unhandled = await unhandledDuring(async () => {
      result = await probeHeaderCase(async () => Promise.reject(new Error('drachtio: 503')), ['User-to-User'], '127.0.0.1', 50);
    }, 150);
    expect(result).toEqual({ ok: false, error: 'drachtio: 503' });
    expect(unhandled).toEqual([]);
  });

  it('ends by its time limit when the send never calls back (a request sent as the connection to drachtio-server drops)', async () => {
    const r = await probeHeaderCase(() => new Promise<void>(() => undefined), ['User-to-User'], '127.0.0.1', 100);
    expect(r).toEqual({ ok: false, error: 'no probe arrived within 100 ms (can drachtio-server reach 127.0.0.1?)' });
  });

  it('fails with the reason when what arrives with its token is not a SIP message (no throw out of the socket handler)', async () => {
    const garbage = async (uri: string, headers: Record<string, string>) => {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve) =>
        socket.send(`not sip ${String(headers['X-Sipcase-Probe'])}\r\n\r\n`, Number(/:(\d+)$/.exec(uri)?.[1]), '127.0.0.1', () => resolve()),
      );
      socket.close();
    };
    const r = await probeHeaderCase(garbage, ['User-to-User'], '127.0.0.1', 2000);
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/^what arrived is not a SIP message: /) as unknown });
  });

  it('fails with the reason when it cannot listen on probe.host (an address this host does not have)', async () => {
    const r = await probeHeaderCase(async () => undefined, ['User-to-User'], '192.0.2.1', 500);
    expect(r).toMatchObject({ ok: false, error: expect.stringContaining('EADDRNOTAVAIL') as unknown });
  });

  it('fails with a reason when nothing arrives', async () => {
    const r = await probeHeaderCase(async () => undefined, ['User-to-User'], '127.0.0.1', 200);
    expect(r).toEqual({ ok: false, error: 'no probe arrived within 200 ms (can drachtio-server reach 127.0.0.1?)' });
  });
});

describe('names drachtio-srf sends as written', () => {
  const require = createRequire(import.meta.url);
  const SipMessage = require('drachtio-srf/lib/sip-parser/message') as new () => { set(name: string, value: string): void; headers: Record<string, string> };

  it('a kept name keeps its case when drachtio-srf builds a message; others are lower-cased as before', () => {
    process.env[PRESERVE_VAR] = 'X-Foo, Call-Info-Extra';
    installHeaderNameLookup();
    keepHeaderNames(['User-to-User']);
    const m = new SipMessage();
    for (const name of ['User-to-User', 'Call-Info-Extra', 'Subject-Line', 'X-Foo']) m.set(name, 'v');
    expect(Object.keys(m.headers)).toEqual(['User-to-User', 'Call-Info-Extra', 'subject-line', 'X-Foo']);
    expect(process.env[PRESERVE_VAR]).toBeUndefined(); // drachtio-srf's per-header re-read of it is gone
  });

  it('a name looked up (and lower-cased) before a rules load keeps its case once that load keeps it', () => {
    installHeaderNameLookup();
    const before = new SipMessage();
    before.set('X-Genesys-Context-Id', 'v');
    before.set('Genesys-Context', 'v');
    expect(Object.keys(before.headers)).toEqual(['X-Genesys-Context-Id', 'genesys-context']);
    keepHeaderNames(['Genesys-Context']);
    const after = new SipMessage();
    after.set('Genesys-Context', 'v');
    expect(Object.keys(after.headers)).toEqual(['Genesys-Context']);
  });
});
